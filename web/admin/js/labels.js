// Внутренние значения API — по-русски: кто действовал, по какому правилу назначено, что за событие и очередь.
import { nameOf } from './reference.js';

// Записи истории обращения (kind).
export const KINDS = {
  status: 'Смена статуса', received: 'Принято', screened: 'Автоматическая проверка', classified: 'Классификация',
  territory: 'Территория', moderated: 'Решение модератора', training_example: 'Пример для обучения классификатора',
  reassigned: 'Переназначено', delivered: 'Передано исполнителю', delivery_attempt: 'Попытка доставки',
  delivery_held: 'Доставка удержана', delivery_parked: 'Доставка отложена', delivery_replayed: 'Доставка повторена',
  endpoint_disabled: 'Адрес исполнителя отключён', declined: 'Исполнитель отказался', interim_answer: 'Промежуточный ответ',
  answer_published: 'Ответ опубликован', clarification: 'Уточнение жителя', rated: 'Оценка жителя',
  deadline_paused: 'Срок приостановлен', deadline_resumed: 'Срок продлён', deadline_reminder: 'Напоминание о сроке',
  overdue: 'Просрочка', escalated: 'Эскалация', duplicate_linked: 'Присоединён дубль',
  duplicate_confirmed: 'Объединение подтверждено', duplicate_unlinked: 'Разъединено с обращением',
  duplicate_removed: 'Дубль рассматривается отдельно',
};

// Типы вебхуков исполнителям и соцсетям.
const EVENT_TYPES = {
  'case.assigned': 'Назначено', 'case.deadline_reminder': 'Напоминание о сроке', 'case.overdue': 'Просрочено',
  'case.escalated': 'Эскалация руководителю', 'social.reply': 'Ответ в соцсети',
};

// Очереди конвейера (и их очереди недоставленных).
const QUEUES = { intake: 'Приём', classify: 'Классификация', assign: 'Назначение', notify: 'Уведомление исполнителя',
  mail: 'Письма жителям' };

const CONNECTORS = { vk: 'ВКонтакте' };

export const eventTypeName = (type) => EVENT_TYPES[type] || type || '—';
export const queueName = (queue) => QUEUES[queue] || queue;

// «executor:adm_nevsky», «connector:vk» или просто id исполнителя → название.
export function executorName(id, ref) {
  const [kind, rest] = String(id || '').split(/:(.*)/s);
  if (kind === 'connector') return `Соцсеть ${CONNECTORS[rest] || rest}`;
  return nameOf(ref.executors, kind === 'executor' ? rest : id) || '—';
}

// «system», «operator:anna», «executor:adm_nevsky», «resident» → кто это был.
export function actorName(actor, ref) {
  const [kind, rest] = String(actor || '').split(/:(.*)/s);
  if (!actor) return '—';
  if (kind === 'system') return 'Система';
  if (kind === 'resident') return 'Житель';
  if (kind === 'operator') return rest ? `Оператор ${rest}` : 'Оператор';
  if (kind === 'executor' || kind === 'connector') return `Исполнитель: ${executorName(actor, ref)}`;
  return actor;
}

// Правило назначения: id из правил региона, «type:<тип>[@район]», «operator».
export function ruleName(rule, ref) {
  if (!rule) return '—';
  if (rule === 'operator') return 'вручную, оператором';
  if (rule === 'region:fallback') return 'общее правило региона';
  const [kind, rest] = rule.split(/:(.*)/s);
  if (kind === 'sector' && rest) return `по сфере: ${nameOf(ref.sectors, rest)}`;
  if (kind === 'type' && rest) {
    const [type, territory] = rest.split('@');
    const executor = ref.executors.find((e) => e.type === type && (!territory || e.territory === territory));
    return `по типу исполнителя: ${executor ? executor.name : type}`;
  }
  return `правило «${rule}»`;
}
