// Очередь модерации: принять, сменить категорию, отклонить с причиной, запросить уточнение у жителя.
import { post, request } from '../api.js';
import { announce, badge, el, time } from '../dom.js';
import { actionForm } from '../forms.js';
import { categoryGroups, nameOf, reference, sourceName } from '../reference.js';
import { canAct } from '../roles.js';
import { duplicatesSection } from './duplicates.js';

const percent = (p) => `${Math.round(Number(p || 0) * 100)}%`;

export async function moderationView(root, ctx) {
  const [data, ref] = await Promise.all([request('/v1/admin/moderation'), reference()]);
  const list = el('div', { class: 'cards' });
  const empty = el('p', { class: 'muted', hidden: data.cases.length > 0 }, 'Очередь пуста: все обращения разобраны.');
  for (const item of data.cases) {
    const card = moderationCard(item, ref, ctx, () => {
      card.remove();
      empty.hidden = list.children.length > 0;
    });
    list.append(card);
  }
  root.replaceChildren(el('h1', { tabindex: '-1' }, 'Модерация'),
    el('p', { class: 'lead' }, 'Обращения, которые система не смогла уверенно разобрать: низкая уверенность классификатора, ',
      'подозрение на спам, возвращённые исполнителями. ', `В очереди: ${data.cases.length}. `,
      'Ниже — дубли, которые система объединила сама: их подтверждает оператор.'),
    empty, list, duplicatesSection(data.duplicates || [], ctx));
}

function moderationCard(item, ref, ctx, onDone) {
  const headingId = `m-${item.id}`;
  return el('article', { class: 'card', 'aria-labelledby': headingId, 'data-case': item.id },
    el('h2', { id: headingId, class: 'card-title' }, el('a', { href: `#/case/${encodeURIComponent(item.id)}` }, `Обращение ${item.id}`)),
    el('p', { class: 'meta' }, time(item.created_at), ' · ', item.municipality_name || 'район не указан', ' · ',
      `источник: ${sourceName(item.source)}`),
    item.moderation_reason ? el('p', { class: 'reason' }, badge('Причина', 'warn'), ' ', item.moderation_reason) : null,
    el('blockquote', { class: 'resident-text' }, item.text_preview || ''),
    classificationLine(item.classification, ref),
    canAct(ctx.user) ? moderationActions(item, ref, (detail, message) => {
      announce(message);
      onDone(detail);
    }) : null);
}

export function classificationLine(c, ref) {
  if (!c || !c.category) return el('p', { class: 'meta' }, 'Классификатор не определил категорию.');
  const alternatives = (c.alternatives || []).map(([id, p]) => `${nameOf(ref.categories, id)} (${percent(p)})`);
  return el('p', { class: 'meta' }, 'Классификатор: ', el('strong', {}, nameOf(ref.categories, c.category)),
    ` — уверенность ${percent(c.confidence)}`, alternatives.length ? `; другие варианты: ${alternatives.join(', ')}` : '');
}

function categoryOptions(item, ref) {
  const suggested = ((item.classification && item.classification.alternatives) || []).map(([id]) => id);
  const groups = [el('option', { value: '' }, 'Выберите категорию')];
  if (suggested.length) {
    groups.push(el('optgroup', { label: 'Варианты классификатора' },
      suggested.map((id) => el('option', { value: id }, nameOf(ref.categories, id)))));
  }
  for (const [sector, list] of categoryGroups(ref)) {
    groups.push(el('optgroup', { label: sector.name }, list.map((c) => el('option', { value: c.id }, c.name))));
  }
  return groups;
}

// Действия модерации — и в очереди, и на странице обращения. onDone(обращение после изменения, что сделано).
// Исполнителя назначает конвейер сразу после решения модератора, поэтому сообщение — о решении, а не о статусе.
export function moderationActions(item, ref, onDone) {
  const path = (action) => `/v1/admin/cases/${encodeURIComponent(item.id)}/${action}`;
  const run = async (action, body, message) => onDone(await post(path(action), body), `Обращение ${item.id}: ${message}.`);
  return el('div', { class: 'actions' },
    item.classification && item.classification.category
      ? actionForm({ label: 'Принять классификацию', fields: [], onSubmit: () => run('accept', {}, 'классификация принята, назначается исполнитель') }) : null,
    actionForm({ label: 'Назначить с этой категорией', primary: false, ariaLabel: 'Сменить категорию',
      fields: [{ name: 'category', label: 'Категория', kind: 'select', required: true, options: categoryOptions(item, ref) }],
      onSubmit: (v) => run('category', { category: v.category },
        `категория «${nameOf(ref.categories, v.category)}» сохранена, назначается исполнитель`) }),
    el('details', { class: 'action-more' }, el('summary', {}, 'Отклонить'),
      actionForm({ label: 'Отклонить обращение', primary: false,
        fields: [{ name: 'reason', label: 'Причина отклонения (её увидит житель)', kind: 'textarea', required: true }],
        onSubmit: (v) => run('reject', { reason: v.reason }, 'отклонено') })),
    el('details', { class: 'action-more' }, el('summary', {}, 'Запросить уточнение у жителя'),
      actionForm({ label: 'Отправить вопрос', primary: false,
        fields: [{ name: 'question', label: 'Вопрос жителю', kind: 'textarea', required: true }],
        onSubmit: (v) => run('clarify', { question: v.question }, 'вопрос отправлен жителю') })));
}
