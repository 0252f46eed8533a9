// «Дубли на подтверждение»: обращения, которые система сама объединила с открытым обращением рядом.
// Оператор подтверждает объединение или разъединяет: тогда обращение назначается отдельно.
import { post } from '../api.js';
import { announce, el, number, time } from '../dom.js';
import { actionForm } from '../forms.js';
import { sourceName } from '../reference.js';
import { canAct } from '../roles.js';

const caseHref = (id) => `#/case/${encodeURIComponent(id)}`;

export function duplicatesSection(items, ctx) {
  const list = el('div', { class: 'cards' });
  const empty = el('p', { class: 'muted', hidden: items.length > 0 }, 'Неподтверждённых дублей нет.');
  for (const item of items) {
    const card = duplicateCard(item, ctx, () => {
      card.remove();
      empty.hidden = list.children.length > 0;
    });
    list.append(card);
  }
  return el('section', { class: 'duplicates', 'aria-labelledby': 'dup-h' },
    el('h2', { id: 'dup-h' }, `Дубли на подтверждение: ${items.length}`),
    items.length ? el('p', { class: 'muted' }, 'Система объединила эти обращения с открытым обращением о той же проблеме ',
      'рядом. Подтвердите объединение или разъедините: тогда обращение будет назначено отдельно.') : null,
    empty, list);
}

function duplicateCard(item, ctx, onDone) {
  const headingId = `d-${item.id}`;
  return el('article', { class: 'card', 'aria-labelledby': headingId, 'data-duplicate': item.id },
    el('h3', { id: headingId, class: 'card-title' }, el('a', { href: caseHref(item.id) }, `Обращение ${item.id}`)),
    el('p', { class: 'meta' }, time(item.created_at), ' · ', item.municipality_name || 'район не указан', ' · ',
      `источник: ${sourceName(item.source)}`),
    el('blockquote', { class: 'resident-text' }, item.text_preview || ''),
    mainCase(item.duplicate_of || {}),
    canAct(ctx.user) ? duplicateActions(item, (detail, message) => {
      announce(message);
      onDone(detail);
    }) : null);
}

export function mainCase(main) {
  const facts = [main.status_label, main.distance_m != null ? `${number(main.distance_m)} м отсюда` : null,
    main.residents_affected ? `жителей сообщили: ${number(main.residents_affected)}` : null].filter(Boolean);
  return el('div', { class: 'main-case' },
    el('p', { class: 'meta' }, 'Объединено с обращением ', el('a', { href: caseHref(main.id) }, main.id),
      facts.length ? ` — ${facts.join(', ')}` : ''),
    main.text_preview ? el('blockquote', { class: 'resident-text' }, main.text_preview)
      : el('p', { class: 'muted' }, 'Текст открытого обращения вне вашей зоны.'));
}

// Действия с дублем — и в очереди модерации, и на странице обращения.
export function duplicateActions(item, onDone) {
  const path = (action) => `/v1/admin/cases/${encodeURIComponent(item.id)}/${action}`;
  const run = async (action, body, message) => onDone(await post(path(action), body), `Обращение ${item.id}: ${message}.`);
  return el('div', { class: 'actions' },
    actionForm({ label: 'Подтвердить: та же проблема', fields: [],
      onSubmit: () => run('confirm-link', {}, 'объединение подтверждено') }),
    el('details', { class: 'action-more' }, el('summary', {}, 'Разъединить: это другая проблема'),
      actionForm({ label: 'Рассматривать отдельно', primary: false,
        fields: [{ name: 'reason', label: 'Почему это другая проблема', kind: 'textarea', required: true }],
        onSubmit: (v) => run('unlink', { reason: v.reason }, 'разъединено, назначается исполнитель') })));
}
