// Поиск обращений: фильтры живут в адресе (#/cases?status=…), список листается по next_cursor.
import { ApiError, query, request } from '../api.js';
import { showFilterErrors } from '../forms.js';
import { badge, el, input, row, select, statusBadge, table, time } from '../dom.js';
import { options, reference, sourceName, SOURCES } from '../reference.js';
const FILTERS = ['status', 'sector', 'category', 'executor', 'municipality', 'overdue', 'from', 'to', 'source'];
const PAGE = 50;

export async function casesView(root, ctx) {
  const ref = await reference();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, ctx.query[k] || '']));
  const body = el('tbody');
  const more = el('button', { type: 'button', class: 'button', hidden: true }, 'Показать ещё');
  const count = el('p', { class: 'muted', role: 'status' });
  const form = filterForm(ref, filters, ctx);
  root.replaceChildren(el('h1', { tabindex: '-1' }, 'Обращения'), form,
    count, casesTable(body), el('div', { class: 'form-actions' }, more));
  let cursor = null;
  let shown = 0;
  const load = async () => {
    more.disabled = true;
    const data = await request(`/v1/admin/cases${query({ ...filters, limit: PAGE, cursor })}`);
    for (const item of data.cases) body.append(caseRow(item));
    shown += data.cases.length;
    cursor = data.next_cursor || null;
    more.hidden = !cursor;
    more.disabled = false;
    count.textContent = shown ? `Показано обращений: ${shown}${cursor ? ' (есть ещё)' : ''}.` : 'По этим условиям обращений нет.';
  };
  more.addEventListener('click', load);
  try {
    await load();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    showFilterErrors(form, err);
  }
}

function filterForm(ref, f, ctx) {
  const categories = ref.categories.filter((c) => !f.sector || c.sector === f.sector);
  const form = el('form', { class: 'filters', 'aria-label': 'Фильтры обращений' },
    select('status', 'Статус', options(ref.statuses, 'Любой'), f.status),
    select('sector', 'Сфера', options(ref.sectors, 'Любая'), f.sector),
    select('category', 'Категория', options(categories, 'Любая'), f.category),
    // Свой район у оператора муниципалитета и свои обращения у исполнителя API подставляет само.
    ctx.user.role === 'executor' ? null : select('executor', 'Исполнитель', options(ref.executors, 'Любой'), f.executor),
    ctx.user.role === 'municipal_operator' ? null
      : select('municipality', 'Район', options(ref.municipalities, 'Любой'), f.municipality),
    select('overdue', 'Просрочка', [['', 'Неважно'], ['true', 'Только просроченные'], ['false', 'Без просрочки']], f.overdue),
    input('from', 'С даты', { type: 'date', value: f.from }),
    input('to', 'По дату', { type: 'date', value: f.to }),
    select('source', 'Источник', [['', 'Любой'], ...SOURCES], f.source),
    el('div', { class: 'form-actions' },
      el('button', { type: 'submit', class: 'button button-primary' }, 'Найти'),
      el('a', { class: 'button', href: '#/cases' }, 'Сбросить')));
  // Сфера сужает список категорий: выбранная категория чужой сферы сбрасывается.
  form.elements.sector.addEventListener('change', () => {
    form.elements.category.value = '';
    ctx.go('cases', { ...Object.fromEntries(new FormData(form)), category: '' });
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go('cases', Object.fromEntries(new FormData(form)));
  });
  return form;
}

function casesTable(body) {
  const wrap = table('Найденные обращения', ['№', 'Создано', 'Статус', 'Сфера / категория', 'Район', 'Исполнитель',
    'Срок', 'Источник', 'Текст'], [], ['10em', '7.5em', '9.5em', '12em', '9em', '11.5em', '7.5em', '6em', null]);
  wrap.querySelector('tbody').replaceWith(body);
  return wrap;
}

function caseRow(item) {
  return row(
    el('a', { href: `#/case/${encodeURIComponent(item.id)}` }, item.id),
    time(item.created_at),
    statusBadge(item.status, item.status_label),
    el('span', {}, item.sector_name || '—', el('br'), el('span', { class: 'muted' }, item.category_name || '')),
    item.municipality_name || '—',
    item.executor ? item.executor.name : el('span', { class: 'muted' }, 'не назначен'),
    el('span', {}, time(item.deadline), item.overdue ? [' ', badge('просрочено', 'danger')] : null),
    sourceName(item.source),
    el('span', { class: 'preview clamped', title: item.text_preview || '' }, item.text_preview || ''));
}
