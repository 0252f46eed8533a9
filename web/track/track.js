/*
 * ЦУР — страница отслеживания обращения жителем.
 * Ссылка: /track/?id=<номер>&token=<код доступа>[&api=<адрес API>]
 * Все данные из API вставляются только как текст (textContent).
 *
 * Оценка ответа и повторное открытие обращения появятся в одной из следующих задач;
 * до тех пор кнопок для них на странице нет.
 */
(function () {
  'use strict';

  const POLL_MS = 3000;
  const MAX_FAILURES = 5;
  const ACTIVE = new Set(['received', 'moderation', 'assigned', 'in_progress']);
  const NOT_FOUND = 'Обращение не найдено или ссылка неверна.';

  const params = new URLSearchParams(location.search);
  const state = { id: params.get('id'), token: params.get('token'), api: apiBase(), last: null, status: null, failures: 0 };
  const $ = (id) => document.getElementById(id);

  function apiBase() {
    const given = params.get('api');
    if (given && /^https?:\/\//i.test(given)) return given.replace(/\/+$/, '');
    return location.origin;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    for (const child of children) {
      if (child != null) node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  const pad = (n) => String(n).padStart(2, '0');

  // ISO 8601 → «дд.мм.гггг чч:мм» в часовом поясе браузера.
  function formatDate(iso) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return iso ? String(iso) : '';
    return `${pad(d.getDate())}.${pad(d.getMonth() + 1)}.${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }

  function timeNode(iso) {
    return iso ? el('time', { datetime: String(iso) }, formatDate(iso)) : null;
  }

  // ---------- Отрисовка ----------

  function row(term, value, fallback) {
    const empty = value == null || value === '';
    const shown = empty ? fallback : value instanceof Node ? value : String(value);
    return [el('dt', {}, term), el('dd', empty ? { class: 'tr-muted' } : {}, shown)];
  }

  function details(data) {
    const executor = data.executor && data.executor.name;
    return el('dl', { class: 'tr-details' },
      ...row('Сфера', data.sector_name, 'определяется'),
      ...row('Категория', data.category_name, 'определяется'),
      ...row('Район', data.municipality_name, 'не указан'),
      ...row('Исполнитель', executor, 'ещё не назначен'),
      ...row('Срок исполнения', timeNode(data.deadline), 'ещё не установлен'),
      ...row('Подано', timeNode(data.created_at), '—'));
  }

  function timeline(items) {
    const sorted = [...items].sort((a, b) => new Date(a.at) - new Date(b.at));
    const list = el('ol', { class: 'tr-timeline' });
    for (const item of sorted) {
      list.append(el('li', {},
        el('span', { class: 'tr-when' }, timeNode(item.at)),
        el('span', { class: 'tr-what' }, String(item.status_label || item.status || '')),
        item.note ? el('p', { class: 'tr-note' }, String(item.note)) : null));
    }
    return el('section', { 'aria-labelledby': 'tr-h-history' },
      el('h2', { id: 'tr-h-history' }, 'История'),
      sorted.length ? list : el('p', { class: 'tr-muted' }, 'Пока нет событий.'));
  }

  function answer(data) {
    if (!data.answer || !data.answer.text) return null;
    return el('section', { class: 'tr-answer', 'aria-labelledby': 'tr-h-answer' },
      el('h2', { id: 'tr-h-answer' }, 'Ответ на обращение'),
      el('p', { class: 'tr-answer-text' }, String(data.answer.text)),
      data.answer.published_at ? el('p', { class: 'tr-muted' }, 'Опубликован ', timeNode(data.answer.published_at)) : null);
  }

  function statusLabel(data) {
    return String(data.status_label || data.status || 'неизвестен');
  }

  function render(data) {
    const active = ACTIVE.has(data.status);
    $('tr-title').textContent = `Обращение № ${data.id || state.id}`;
    const parts = [
      el('p', { class: 'tr-status-line' }, 'Статус: ',
        el('strong', { class: `tr-status tr-status-${String(data.status).replace(/[^a-z_]/g, '')}` }, statusLabel(data))),
      active ? el('p', { class: 'tr-muted' }, 'Страница обновляется автоматически.') : null,
      answer(data),
      details(data),
      timeline(Array.isArray(data.timeline) ? data.timeline : []),
    ];
    $('tr-case').replaceChildren(...parts.filter(Boolean));
    $('tr-case').hidden = false;
  }

  // ---------- Загрузка и опрос ----------

  function showMessage(text, withRetry) {
    const box = $('tr-message');
    box.replaceChildren(el('p', {}, text));
    if (withRetry) {
      const button = el('button', { type: 'button', class: 'tr-button' }, 'Повторить');
      button.addEventListener('click', () => { state.failures = 0; box.hidden = true; load(); });
      box.append(button);
    }
    box.hidden = false;
  }

  function announceStatus(data) {
    if (state.status && state.status !== data.status) $('tr-live').textContent = `Статус изменился: ${statusLabel(data)}`;
    state.status = data.status;
  }

  function onData(data) {
    state.failures = 0;
    $('tr-message').hidden = true;
    const json = JSON.stringify(data);
    if (json !== state.last) {
      state.last = json;
      announceStatus(data);
      render(data);
    }
    if (ACTIVE.has(data.status)) setTimeout(load, POLL_MS);
  }

  function onFailure(text) {
    state.failures += 1;
    if (state.failures >= MAX_FAILURES) return showMessage(`${text} Попробуйте обновить страницу позже.`, true);
    showMessage(`${text} Повторим попытку через несколько секунд…`, false);
    setTimeout(load, POLL_MS);
  }

  async function load() {
    let response;
    try {
      response = await fetch(`${state.api}/v1/appeals/${encodeURIComponent(state.id)}`, {
        headers: { 'X-Tracking-Token': state.token, Accept: 'application/json' },
        cache: 'no-store',
      });
    } catch (err) {
      return onFailure('Нет связи с сервером.');
    } finally {
      $('tr-loading').hidden = true;
    }
    if ([401, 403, 404].includes(response.status)) {
      $('tr-case').hidden = true;
      return showMessage(NOT_FOUND, false);
    }
    if (!response.ok) return onFailure('Сервис временно недоступен.');
    const data = await response.json().catch(() => null);
    if (!data) return onFailure('Сервер вернул непонятный ответ.');
    onData(data);
  }

  if (!state.id || !state.token) {
    $('tr-loading').hidden = true;
    showMessage('В ссылке не хватает номера обращения или кода доступа. Откройте ссылку, полученную после подачи обращения, целиком.', false);
  } else {
    load();
  }
})();
