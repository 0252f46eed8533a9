import { nameOf } from './reference.js';

// Что показывать какой роли. Это только удобство: права проверяет API (403/404 на запрещённое).
export const ROLE_NAMES = {
  region_operator: 'Оператор ЦУР региона',
  municipal_operator: 'Оператор муниципалитета',
  sector_curator: 'Куратор отрасли',
  executor: 'Исполнитель',
  head: 'Руководитель',
};

const OPERATORS = ['region_operator', 'municipal_operator', 'sector_curator'];

export const VIEWS = [
  { id: 'moderation', title: 'Модерация', roles: OPERATORS },
  { id: 'cases', title: 'Обращения', roles: [...OPERATORS, 'executor'] },
  { id: 'board', title: 'Просрочки', roles: [...OPERATORS, 'head'] },
  { id: 'heatmap', title: 'Тепловая карта', roles: [...OPERATORS, 'head'] },
  { id: 'deliveries', title: 'Доставки и DLQ', roles: ['region_operator'] },
];

export function viewsFor(user) {
  return VIEWS.filter((v) => v.roles.includes(user.role));
}

export function canAct(user) {
  return OPERATORS.includes(user.role);
}

export function canReplay(user) {
  return user.role === 'region_operator';
}

// «Оператор муниципалитета · Невский район»: роль и её территория, сферы или исполнитель (названия — из справочника).
export function scopeText(user, ref) {
  const name = (list, id) => nameOf(ref && ref[list], id);
  const parts = [user.role_label || ROLE_NAMES[user.role] || user.role];
  if (user.municipality) parts.push(name('municipalities', user.municipality));
  if (user.sectors && user.sectors.length) parts.push(user.sectors.map((s) => name('sectors', s)).join(', '));
  if (user.executor_id) parts.push(name('executors', user.executor_id));
  return parts.join(' · ');
}
