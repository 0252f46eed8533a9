// Построение DOM без innerHTML: строки всегда становятся текстовыми узлами.

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG_NS, tag);
  setAttrs(node, attrs);
  append(node, children);
  return node;
}

function setAttrs(node, attrs) {
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value == null) continue;
    if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

const pad = (n) => String(n).padStart(2, '0');

// ISO 8601 → «дд.мм.гггг чч:мм» в часовом поясе браузера.
export function formatDate(iso, withTime = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const day = `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()}`;
  return withTime ? `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}` : day;
}

export function time(iso) {
  return iso ? el('time', { datetime: iso }, formatDate(iso)) : el('span', { class: 'muted' }, '—');
}

export function isoDay(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function number(value, digits = 0) {
  if (value == null || Number.isNaN(Number(value))) return '—';
  return Number(value).toLocaleString('ru-RU', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

// Таблица в прокручиваемой обёртке: на узком экране она листается вбок, а не ломает страницу.
// widths: ширины колонок (['10em', …, null — остаток]) — тогда таблица с фиксированной разметкой (.table-fixed).
export function table(caption, headers, rows, widths) {
  return el('div', { class: 'table-wrap', role: 'region', 'aria-label': caption, tabindex: '0' },
    el('table', { class: widths ? 'table-fixed' : null },
      el('caption', {}, caption),
      widths ? el('colgroup', {}, widths.map((w) => el('col', { style: w ? `width: ${w}` : null }))) : null,
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, rows.length ? rows : el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'Нет данных')))));
}

export function row(...cells) {
  return el('tr', {}, cells.map((c) => el('td', {}, c)));
}

export function option(value, label, selected) {
  return el('option', { value, selected: Boolean(selected) }, label);
}

export function select(name, label, options, value) {
  const id = `f-${name}`;
  return el('div', { class: 'field' },
    el('label', { for: id }, label),
    el('select', { id, name }, options.map(([v, l]) => option(v, l, String(v) === String(value ?? '')))));
}

export function input(name, label, attrs = {}) {
  const id = attrs.id || `f-${name}`;
  return el('div', { class: 'field' }, el('label', { for: id }, label), el('input', { id, name, ...attrs }));
}

// «0,05», «15», «2,5»: не больше двух знаков после запятой, без лишних нулей.
export function decimal(value) {
  if (value == null || Number.isNaN(Number(value))) return '—';
  return Number(value).toLocaleString('ru-RU', { maximumFractionDigits: 2 });
}

// «2026-11-23» → «23.11.2026» без перевода в часовой пояс браузера.
export function day(iso) {
  return /^\d{4}-\d{2}-\d{2}$/.test(String(iso)) ? String(iso).split('-').reverse().join('.') : String(iso || '');
}

export function badge(text, kind) {
  return el('span', { class: `badge badge-${kind || 'plain'}` }, text);
}

export function statusBadge(status, label) {
  return el('span', { class: `badge status-${String(status || '').replace(/[^a-z_]/g, '')}` }, label || status || '—');
}

// Сообщение для экранных дикторов и зрячих: одна строка в общей области состояния.
export function announce(text, kind = 'ok') {
  const box = document.getElementById('notice');
  box.className = `notice notice-${kind}`;
  box.replaceChildren(el('p', {}, text));
  box.hidden = false;
}

export function clearNotice() {
  const box = document.getElementById('notice');
  box.hidden = true;
  box.replaceChildren();
}
