// Страница обращения: текст жителя, фото, точка на карте, история и аудит, доставки, ответы; действия оператора.
import { post, request } from '../api.js';
import { announce, badge, el, number, option, row, statusBadge, table, time } from '../dom.js';
import { actionForm } from '../forms.js';
import { districtMap } from '../geo.js';
import { actorName, eventTypeName, executorName, KINDS, ruleName } from '../labels.js';
import { districtShapes, nameOf, reference, sourceName } from '../reference.js';
import { canAct, canReplay } from '../roles.js';
import { duplicateActions } from './duplicates.js';
import { classificationLine, moderationActions } from './moderation.js';

const REASSIGNABLE = ['assigned', 'in_progress', 'reopened'];
// Промежуточный ответ, задержанный проверкой, можно опубликовать, пока окончательного ответа нет.
const INTERIM_OPEN = ['assigned', 'in_progress', 'clarification', 'answered', 'returned', 'reopened'];
const VERDICTS = { substantive: ['по существу', 'ok'], formal: ['формальный ответ', 'danger'] };
const IMAGE = /\.(jpe?g|png|webp|gif|heic)$/i;

export async function caseView(root, ctx) {
  const id = ctx.args[0];
  const [detail, ref] = await Promise.all([request(`/v1/admin/cases/${encodeURIComponent(id)}`), reference()]);
  render(root, detail, ref, ctx);
}

function render(root, c, ref, ctx) {
  const update = (detail, message) => {
    announce(message || `Обращение ${detail.id}: ${detail.status_label || detail.status}.`);
    render(root, detail, ref, ctx);
    root.querySelector('h1').focus();
  };
  root.replaceChildren(
    el('p', { class: 'back' }, el('a', { href: '#/cases' }, '← К списку обращений')),
    el('h1', { tabindex: '-1' }, `Обращение ${c.id}`),
    el('p', { class: 'case-status' }, statusBadge(c.status, c.status_label),
      c.overdue ? [' ', badge('просрочено', 'danger')] : null),
    // Действия — первыми: на телефоне над текстом, на широком экране справа вверху, а не под длинной историей.
    el('div', { class: 'case-grid' },
      canAct(ctx.user) ? el('div', { class: 'case-actions' }, actionsSection(c, ref, update)) : null,
      el('div', { class: 'case-main' }, textSection(c, ref), photosSection(c), answersSection(c),
        deliveriesSection(c, ref, ctx, () => reloadCase(root, c.id, ref, ctx)), timelineSection(c, ref)),
      el('div', { class: 'case-side' }, factsSection(c, ref), mapSection(c))));
}

async function reloadCase(root, id, ref, ctx) {
  render(root, await request(`/v1/admin/cases/${encodeURIComponent(id)}`), ref, ctx);
}

function section(title, ...children) {
  const id = `s-${title.replace(/\s+/g, '-')}`;
  return el('section', { class: 'panel', 'aria-labelledby': id }, el('h2', { id }, title), ...children);
}

function textSection(c, ref) {
  return section('Текст жителя',
    el('p', { class: 'resident-text full' }, c.text || ''),
    classificationLine(c.classification, ref));
}

function factsSection(c, ref) {
  const a = c.assignment || {};
  const facts = [
    ['Создано', time(c.created_at)],
    ['Сфера', c.sector_name || '—'],
    ['Категория', c.category_name || '—'],
    ['Район', c.municipality_name || '—'],
    ['Адрес', c.address || '—'],
    ['Координаты', c.lat != null ? `${number(c.lat, 5)}, ${number(c.lon, 5)}` : '—'],
    ['Источник', sourceName(c.source)],
    ['Контакты жителя', c.contact_present ? 'указаны (скрыты)' : 'не указаны'],
    ['Исполнитель', c.executor ? c.executor.name : 'не назначен'],
    ['Правило назначения', ruleName(a.rule, ref)],
    ['Срок', time(c.deadline || a.deadline)],
    ['Оценка жителя', c.rating != null ? `${c.rating} из 5` : '—'],
    ['Дубль обращения', c.duplicate_of ? [caseLink(c.duplicate_of), c.duplicate_confirmed ? ' (подтверждено)' : ' (ждёт подтверждения)'] : '—'],
    ['Присоединённые', (c.linked_cases || []).length ? c.linked_cases.flatMap((id) => [caseLink(id), ' ']) : '—'],
  ];
  return section('Сведения', el('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)])));
}

const caseLink = (id) => el('a', { href: `#/case/${encodeURIComponent(id)}` }, id);

function photosSection(c) {
  const items = (c.attachments || []).filter((a) => /^https?:\/\//i.test(String(a.url || '')));
  if (!items.length) return section('Фото и файлы', el('p', { class: 'muted' }, 'Житель не приложил файлов.'));
  return section('Фото и файлы', el('ul', { class: 'photos' }, items.map((a, i) => el('li', {},
    IMAGE.test(a.key) ? el('a', { href: a.url, target: '_blank', rel: 'noopener' },
      el('img', { src: a.url, alt: `Фото ${i + 1} от жителя`, loading: 'lazy' }))
      : el('a', { href: a.url, target: '_blank', rel: 'noopener' }, `Файл ${i + 1}: ${a.key.split('/').pop()}`)))));
}

function mapSection(c) {
  const box = section('На карте');
  if (c.lat == null || c.lon == null) {
    box.append(el('p', { class: 'muted' }, 'Житель не указал точку: район — по его выбору.'));
    return box;
  }
  const holder = el('div', { class: 'map-holder' }, el('p', { class: 'muted' }, 'Загружаем границы районов…'));
  box.append(holder);
  districtShapes().then((shapes) => holder.replaceChildren(districtMap(shapes, {
    label: `Точка обращения: ${number(c.lat, 5)}, ${number(c.lon, 5)}`, point: { lat: c.lat, lon: c.lon },
    fill: (f) => (f.id === c.municipality ? '#cfe0f5' : '#eef1f4'), className: 'map-small' })))
    .catch((err) => holder.replaceChildren(el('p', { class: 'muted' }, `Карта недоступна: ${err.message}`)));
  return box;
}

function answersSection(c) {
  const answers = c.answers || [];
  if (!answers.length) return section('Ответы исполнителя', el('p', { class: 'muted' }, 'Ответов пока нет.'));
  return section('Ответы исполнителя', el('ol', { class: 'answers' }, answers.map((a) => {
    const [label, kind] = VERDICTS[a.verdict] || [a.verdict ? String(a.verdict) : 'не проверялся', 'plain'];
    return el('li', { class: 'answer' },
      el('p', { class: 'meta' }, a.kind === 'interim' ? 'Промежуточный' : 'Окончательный', ' · ', time(a.at), ' · ',
        'проверка: ', badge(label, kind),
        a.verdict_by && a.verdict_by !== 'system' ? ` (решение: ${a.verdict_by})` : null),
      el('p', { class: 'resident-text full' }, a.text || ''),
      answerFiles(a.files || []),
      (a.verdict_reasons || []).length ? el('ul', { class: 'reasons' }, a.verdict_reasons.map((r) => el('li', {}, r))) : null);
  })));
}

// Файлы ответа исполнителя: ссылки на 15 минут (только http(s)), имя — текстом.
function answerFiles(files) {
  const links = files.filter((f) => /^https?:\/\//i.test(String(f.url || '')));
  if (!links.length) return null;
  return el('ul', { class: 'answer-files' }, links.map((f) => el('li', {},
    el('a', { href: f.url, target: '_blank', rel: 'noopener' }, `Файл: ${f.name || 'без имени'}`))));
}

function timelineSection(c, ref) {
  const status = (id) => (id ? nameOf(ref.statuses, id) : '—');
  const events = [...(c.timeline || [])].sort((x, y) => new Date(x.at) - new Date(y.at));
  return section('История и аудит', table('Все события обращения', ['Когда', 'Событие', 'Кто', 'Статус', 'Причина', 'Жителю'],
    events.map((e) => row(time(e.at), KINDS[e.kind] || e.kind, actorName(e.actor, ref),
      e.to_status ? `${status(e.from_status)} → ${status(e.to_status)}` : '', el('span', { class: 'note' }, e.reason || ''),
      e.public ? 'видно' : 'нет'))));
}

function deliveriesSection(c, ref, ctx, reload) {
  const deliveries = c.deliveries || [];
  if (!deliveries.length) return section('Доставки вебхуков', el('p', { class: 'muted' }, 'Вебхуков по обращению не было.'));
  return section('Доставки вебхуков', deliveries.map((d) => el('div', { class: 'delivery' },
    el('p', {}, el('code', {}, d.webhook_id), ' · ', eventTypeName(d.event_type), ' → ', executorName(d.executor_id, ref),
      ' · ', statusBadge(d.status, d.status_label || d.status),
      d.next_attempt_at ? [' · следующая попытка ', time(d.next_attempt_at)] : null,
      canReplay(ctx.user) && ['parked', 'disabled'].includes(d.status) ? [' ', replayButton(d.webhook_id, reload)] : null),
    table(`Попытки доставки ${d.webhook_id}`, ['Когда', 'HTTP', 'Задержка, мс', 'Ошибка'],
      (d.attempts || []).map((a) => row(time(a.at), a.status ?? '—', a.latency_ms ?? '—', a.error || ''))))));
}

export function replayButton(webhookId, done) {
  const button = el('button', { type: 'button', class: 'button button-small' }, 'Повторить доставку');
  button.setAttribute('aria-label', `Повторить доставку ${webhookId}`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await post(`/v1/admin/deliveries/${encodeURIComponent(webhookId)}/replay`);
      announce(`Доставка ${webhookId} поставлена в очередь повторно.`);
      await done();
    } catch (err) {
      announce(err.message, 'error');
      button.disabled = false;
    }
  });
  return button;
}

function actionsSection(c, ref, update) {
  const path = (action) => `/v1/admin/cases/${encodeURIComponent(c.id)}/${action}`;
  const run = async (action, body) => update(await post(path(action), body));
  const forms = [];
  if (c.status === 'moderation') forms.push(moderationActions(c, ref, update));
  if (c.status === 'linked' && !c.duplicate_confirmed) forms.push(duplicateActions(c, update));
  if (['answered', 'returned'].includes(c.status)) {
    forms.push(actionForm({ label: 'Опубликовать ответ', fields: [], onSubmit: () => run('publish') }));
  }
  if (INTERIM_OPEN.includes(c.status)) {
    (c.answers || []).filter((a) => a.kind === 'interim' && a.verdict === 'formal').forEach((a) => {
      forms.push(actionForm({ label: 'Опубликовать промежуточный ответ', primary: false, fields: [],
        onSubmit: () => run(`answers/${encodeURIComponent(a.id)}/publish`) }));
    });
  }
  if (c.status === 'answered') {
    forms.push(actionForm({ label: 'Вернуть ответ исполнителю', primary: false,
      fields: [{ name: 'reason', label: 'Что доработать', kind: 'textarea', required: true }],
      onSubmit: (v) => run('return', { reason: v.reason }) }));
  }
  if (REASSIGNABLE.includes(c.status)) {
    forms.push(actionForm({ label: 'Переназначить', primary: false,
      fields: [
        { name: 'executor_id', label: 'Новый исполнитель', kind: 'select',
          options: [option('', 'Подобрать по правилам маршрутизации'), ...ref.executors
            .filter((x) => !c.executor || x.id !== c.executor.id).map((x) => option(x.id, x.name))] },
        { name: 'reason', label: 'Причина переназначения', kind: 'textarea', required: true }],
      onSubmit: (v) => run('reassign', { executor_id: v.executor_id || null, reason: v.reason }) }));
  }
  if (c.status === 'published') {
    forms.push(actionForm({ label: 'Закрыть обращение', primary: false,
      fields: [{ name: 'reason', label: 'Причина закрытия', kind: 'textarea', required: true }],
      onSubmit: (v) => run('close', { reason: v.reason }) }));
  }
  const current = c.executor ? nameOf(ref.executors, c.executor.id) : null;
  return section('Действия', current ? el('p', { class: 'muted' }, `Сейчас у исполнителя: ${current}.`) : null,
    forms.length ? forms : el('p', { class: 'muted' }, 'В этом статусе действий нет.'));
}
