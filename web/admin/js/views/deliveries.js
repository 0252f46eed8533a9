// Доставки вебхуков (отложенные, отключённые, запланированные) и очереди недоставленных сообщений (DLQ).
import { post, request } from '../api.js';
import { announce, el, row, select, statusBadge, table, time } from '../dom.js';
import { eventTypeName, executorName, queueName } from '../labels.js';
import { reference } from '../reference.js';
import { replayButton } from './case.js';

const STATUSES = [['parked', 'Отложенные (ждут повтора)'], ['disabled', 'Удержанные: адрес отключён'],
  ['scheduled', 'Запланированные попытки']];

export async function deliveriesView(root, ctx) {
  const status = ctx.query.status || 'parked';
  const [list, dlq, ref] = await Promise.all([request(`/v1/admin/deliveries?status=${encodeURIComponent(status)}`),
    request('/v1/admin/dlq'), reference()]);
  const picker = el('form', { class: 'filters filters-wide', 'aria-label': 'Какие доставки показать' },
    select('status', 'Доставки', STATUSES, status),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button button-primary' }, 'Показать')));
  picker.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go('deliveries', { status: picker.elements.status.value });
  });
  const reload = () => ctx.reload();
  root.replaceChildren(el('h1', { tabindex: '-1' }, 'Доставки и очереди недоставленных'),
    el('section', { class: 'panel', 'aria-labelledby': 'd-h' }, el('h2', { id: 'd-h' }, 'Вебхуки исполнителям'), picker,
      table('Доставки', ['Вебхук', 'Обращение', 'Исполнитель', 'Событие', 'Статус', 'Попыток, ответ',
        'Ошибка, следующая попытка', ''], list.deliveries.map((d) => row(el('code', {}, d.webhook_id),
        el('a', { href: `#/case/${encodeURIComponent(d.case_id)}` }, d.case_id), executorName(d.executor_id, ref),
        eventTypeName(d.event_type), statusBadge(d.status, d.status_label || d.status),
        attemptsText(d),
        el('span', {}, d.last_error || '', d.next_attempt_at ? [el('br'), 'далее: ', time(d.next_attempt_at)] : null),
        d.status === 'scheduled' ? '' : replayButton(d.webhook_id, reload))),
        ['12em', '10.5em', '11em', '8em', '10em', '7em', null, '10.5em'])),
    dlqSection(dlq.queues, reload));
}

// «2, HTTP 500»: сколько попыток и что ответил адрес в последней.
function attemptsText(d) {
  const attempts = d.attempts || [];
  const last = d.last_status ?? (attempts.length ? attempts[attempts.length - 1].status : null);
  return `${d.attempt_count ?? 0}${last != null ? `, HTTP ${last}` : ''}`;
}

// Сколько сообщений ждёт в DLQ: поле count по договору, parked — как его называет API сейчас.
const parked = (q) => q.count ?? q.parked ?? 0;

function dlqSection(queues, reload) {
  const details = el('div');
  return el('section', { class: 'panel', 'aria-labelledby': 'q-h' }, el('h2', { id: 'q-h' }, 'Очереди недоставленных (DLQ)'),
    table('Очереди', ['Очередь', 'Сообщений', ''], queues.map((q) => row(queueName(q.queue), parked(q),
      parked(q) ? el('span', { class: 'row-actions' }, showButton(q.queue, details, reload), redriveButton(q.queue, null, reload)) : ''))),
    details);
}

function showButton(queue, target, reload) {
  const button = el('button', { type: 'button', class: 'button button-small', 'aria-label': `Показать сообщения очереди «${queueName(queue)}»` },
    'Показать');
  button.addEventListener('click', () => showQueue(queue, target, reload));
  return button;
}

async function showQueue(queue, target, reload) {
  try {
    const data = await request(`/v1/admin/dlq/${encodeURIComponent(queue)}`);
    const heading = el('h3', { tabindex: '-1' }, `Недоставленные сообщения очереди «${queueName(queue)}»`);
    target.replaceChildren(heading, table(`Сообщения очереди «${queueName(queue)}»`, ['Сообщение', 'Обращение', 'Отправлено', 'Получений',
      'Содержимое', ''], data.messages.map((m) => row(el('code', {}, m.message_id),
      m.case_id ? el('a', { href: `#/case/${encodeURIComponent(m.case_id)}` }, m.case_id) : '—', time(m.sent_at), m.receive_count,
        el('details', {}, el('summary', {}, 'Показать'), el('pre', { class: 'body' }, String(m.body ?? ''))),
        redriveButton(queue, m.message_id, reload)))));
    heading.focus();
  } catch (err) {
    announce(err.message, 'error');
  }
}

function redriveButton(queue, messageId, reload) {
  const label = messageId ? 'Вернуть в очередь' : 'Вернуть все в очередь';
  const button = el('button', { type: 'button', class: 'button button-small',
    'aria-label': messageId ? `Вернуть ${messageId} в очередь «${queueName(queue)}»`
      : `Вернуть все сообщения в очередь «${queueName(queue)}»` }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await post(`/v1/admin/dlq/${encodeURIComponent(queue)}/redrive`, messageId ? { message_ids: [messageId] } : {});
      const name = `«${queueName(queue)}»`;
      announce(messageId ? `Сообщение ${messageId} возвращено в очередь ${name}.` : `Сообщения возвращены в очередь ${name}.`);
      await reload();
    } catch (err) {
      announce(err.message, 'error');
      button.disabled = false;
    }
  });
  return button;
}
