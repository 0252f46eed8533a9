// Справочники (сферы, категории, районы, исполнители, статусы) — один запрос на сессию.
import { request } from './api.js';

let cached = null;

export async function reference() {
  if (!cached) cached = request('/v1/admin/reference').catch((err) => { cached = null; throw err; });
  return cached;
}

export function nameOf(list, id) {
  const item = (list || []).find((x) => x.id === id);
  return item ? item.name || item.label : id;
}

export function options(list, emptyLabel) {
  return [['', emptyLabel], ...(list || []).map((x) => [x.id, x.name || x.label])];
}

// Категории, сгруппированные по сферам, — для выбора категории при модерации.
export function categoryGroups(ref) {
  return ref.sectors.map((s) => [s, ref.categories.filter((c) => c.sector === s.id)]).filter(([, list]) => list.length);
}

export const SOURCES = [['widget', 'Виджет'], ['social', 'Соцсети'], ['phone', 'Телефон'], ['email', 'Почта'],
  ['operator', 'Оператор']];

export function sourceName(id) {
  const found = SOURCES.find(([key]) => key === id);
  return found ? found[1] : id || '—';
}

let districts = null;

// Карта районов — публичная (её же берёт виджет), поэтому без токена: иначе браузер спросит CORS про Authorization.
export async function districtShapes() {
  if (!districts) districts = request('/v1/districts', { auth: false }).catch((err) => { districts = null; throw err; });
  return districts;
}
