/*
 * ЦУР — страница отслеживания обращения жителем.
 * Ссылка: /track/?id=<номер>&token=<код доступа>
 * Все данные из API вставляются только как текст (textContent).
 *
 * Когда ответ опубликован, житель оценивает его (1–5; оценка закрывает обращение) или открывает
 * обращение повторно (до срока reopen_until, и после закрытия тоже); когда у него запросили
 * уточнение, он видит вопрос и отвечает на него. Файлы ответа — ссылками (answer.attachments).
 */
(function () {
  'use strict';

  const POLL_MS = 3000;
  const MAX_FAILURES = 5;
  // Пока обращение в работе, страница сама опрашивает API; когда ход за жителем или всё решено — нет.
  const ACTIVE = new Set(['received', 'moderation', 'assigned', 'in_progress', 'answered', 'returned', 'reopened']);
  const NOT_FOUND = 'Обращение не найдено или ссылка неверна.';
  // Шаги без смены статуса — по-русски.
  const KINDS = {
    received: 'Принято', screened: 'Проверено', classified: 'Тема определена', delivered: 'Передано исполнителю',
    interim_answer: 'Промежуточный ответ', clarification: 'Ваше уточнение',
    rated: 'Ваша оценка', deadline_paused: 'Срок приостановлен', deadline_resumed: 'Срок продлён',
    duplicate_linked: 'Ещё один житель сообщил о проблеме',
  };
  // Кто просит уточнить: оператор ЦУР или исполнитель (поле by записи истории).
  const ASKED_BY = { operator: 'Оператор ЦУР просит уточнить обращение:', executor: 'Исполнитель просит уточнить обращение:' };

  const params = new URLSearchParams(location.search);
  const state = { id: params.get('id'), token: params.get('token'), api: apiBase(), last: null, status: null, failures: 0 };
  const $ = (id) => document.getElementById(id);

  // Адрес API: из config.js (его пишет шаг развёртывания), иначе origin самой страницы. Адрес из ссылки
  // (?api= старых ссылок) не принимается: иначе чужая ссылка отправила бы токен жителя на любой сервер.
  function apiBase() {
    const configured = window.TSUR_CONFIG && window.TSUR_CONFIG.api;
    if (configured && /^https?:\/\//i.test(configured)) return configured.replace(/\/+$/, '');
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
    // Текст опубликованного ответа показан выше («Ответ на обращение»), в истории его не повторяем.
    for (const item of sorted.filter((e) => e.kind !== 'answer_published')) {
      list.append(el('li', {},
        el('span', { class: 'tr-when' }, timeNode(item.at)),
        el('span', { class: 'tr-what' }, String(item.status_label || KINDS[item.kind] || '')),
        item.note ? el('p', { class: 'tr-note' }, String(item.note)) : null));
    }
    return el('section', { 'aria-labelledby': 'tr-h-history' },
      el('h2', { id: 'tr-h-history' }, 'История'),
      sorted.length ? list : el('p', { class: 'tr-muted' }, 'Пока нет событий.'));
  }

  function lastEvent(data, test) {
    const items = Array.isArray(data.timeline) ? data.timeline : [];
    return [...items].sort((a, b) => new Date(a.at) - new Date(b.at)).filter(test).pop() || null;
  }

  // Ответ, пока он в силе (API не отдаёт его после повторного открытия).
  function publishedAnswer(data) {
    if (!data.answer || !data.answer.text) return null;
    const files = Array.isArray(data.answer.attachments) ? data.answer.attachments : [];
    return { text: data.answer.text, at: data.answer.published_at, files };
  }

  // Файлы ответа: ссылки на короткое время (их адрес — только http(s), имя — текстом).
  function answerFiles(files) {
    const links = files.filter((f) => f && /^https?:\/\//i.test(String(f.url || '')));
    if (!links.length) return null;
    const list = el('ul', { class: 'tr-files' });
    for (const file of links) {
      list.append(el('li', {}, el('a', { href: String(file.url), target: '_blank', rel: 'noopener noreferrer' },
        String(file.name || 'файл'))));
    }
    return el('div', { class: 'tr-answer-files' },
      el('p', {}, 'Файлы к ответу (ссылки действуют 15 минут; чтобы получить новые, обновите страницу):'), list);
  }

  function answer(data) {
    const published = publishedAnswer(data);
    if (!published) return null;
    return el('section', { class: 'tr-answer', 'aria-labelledby': 'tr-h-answer' },
      el('h2', { id: 'tr-h-answer' }, 'Ответ на обращение'),
      el('p', { class: 'tr-answer-text' }, String(published.text)),
      answerFiles(published.files),
      published.at ? el('p', { class: 'tr-muted' }, 'Опубликован ', timeNode(published.at)) : null);
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
      ...actions(data),
      details(data),
      timeline(Array.isArray(data.timeline) ? data.timeline : []),
    ];
    $('tr-case').replaceChildren(...parts.filter(Boolean));
    $('tr-case').hidden = false;
  }

  // ---------- Действия жителя: оценка, повторное открытие, уточнение ----------

  // Своё обращение житель оценивает сам; объединённое с другим следует за чужим ответом.
  // Оценка закрывает обращение; открыть его повторно можно до срока reopen_until, даже закрытое.
  function actions(data) {
    if (data.linked_to) return [];
    if (data.status === 'clarification') return [clarificationForm(data)];
    const parts = [];
    const rated = lastEvent(data, (e) => e.kind === 'rated');
    if (data.can_rate) parts.push(ratingForm());
    else if (rated && publishedAnswer(data)) {
      parts.push(el('p', { class: 'tr-rated' }, 'Спасибо, оценка учтена. ', String(rated.note || '')));
    }
    if (data.reopen_until) parts.push(reopenForm(data.reopen_until));
    return parts;
  }

  function clarificationForm(data) {
    const asked = lastEvent(data, (e) => e.status === 'clarification');
    const form = actionForm('clarification', 'Ответить на вопрос', (fields) => ({ text: fields.text.value.trim() }));
    addTextarea(form, 'text', 'Ваше уточнение *', 5, true);
    return section('tr-h-clarify', 'Нужно уточнение', 'tr-action tr-clarify',
      el('p', {}, ASKED_BY[asked && asked.by] || 'Просим уточнить обращение:'),
      el('blockquote', { class: 'tr-question' }, String((asked && asked.note) || 'Вопрос не указан.')),
      form.node);
  }

  function ratingForm() {
    const form = actionForm('rating', 'Отправить оценку', (fields) => {
      const picked = form.node.querySelector('input[name="score"]:checked');
      const comment = fields.comment.value.trim();
      return { score: picked ? Number(picked.value) : null, ...(comment ? { comment } : {}) };
    });
    const choices = el('div', { class: 'tr-scores' });
    for (let score = 1; score <= 5; score += 1) {
      choices.append(el('label', { class: 'tr-score' },
        el('input', { type: 'radio', name: 'score', value: String(score) }), ` ${score}`));
    }
    const error = el('p', { class: 'tr-error', id: 'tr-rating-score-error', hidden: '' });
    form.fields.score = { control: choices.querySelector('input'), error };
    form.insert(el('fieldset', { class: 'tr-fieldset', 'aria-describedby': error.id },
      el('legend', {}, 'Оценка: 1 — очень плохо, 5 — отлично *'), choices, error));
    addTextarea(form, 'comment', 'Комментарий (необязательно)', 3, false);
    return section('tr-h-rate', 'Оцените ответ', 'tr-action', form.node);
  }

  function reopenForm(until) {
    const form = actionForm('reopen', 'Открыть повторно', (fields) => ({ reason: fields.reason.value.trim() }));
    addTextarea(form, 'reason', 'Почему ответ вас не устраивает *', 4, true);
    return el('details', { class: 'tr-action tr-reopen' },
      el('summary', {}, 'Проблема не решена? Открыть обращение повторно'),
      el('p', { class: 'tr-muted' }, 'Открыть повторно можно до ', timeNode(until)), form.node);
  }

  function section(headingId, title, className, ...children) {
    return el('section', { class: className, 'aria-labelledby': headingId }, el('h2', { id: headingId }, title), ...children);
  }

  // Форма действия: поля, общий блок ошибки и кнопка; ошибки API показываются у своих полей.
  function actionForm(action, buttonText, collect) {
    const general = el('div', { class: 'tr-message', role: 'alert', tabindex: '-1', hidden: '' });
    const button = el('button', { type: 'submit', class: 'tr-button tr-button-primary' }, buttonText);
    const node = el('form', { class: 'tr-form', novalidate: '', 'data-action': action }, general, button);
    const form = { node, fields: {}, general, insert: (child) => node.insertBefore(child, button) };
    node.addEventListener('submit', (event) => {
      event.preventDefault();
      const body = collect(Object.fromEntries(Object.entries(form.fields).map(([k, f]) => [k, f.control])));
      if (body.score === null) {
        clearFormErrors(form);
        return showFormErrors(form, [{ field: 'score', message: 'Выберите оценку от 1 до 5.' }], '');
      }
      send(form, action, button, body);
    });
    return form;
  }

  function addTextarea(form, name, label, rows, required) {
    const id = `tr-${form.node.dataset.action}-${name}`;
    const control = el('textarea', { id, name, rows: String(rows), maxlength: '2000', class: 'tr-input' });
    if (required) control.setAttribute('aria-required', 'true');
    const error = el('p', { class: 'tr-error', id: `${id}-error`, hidden: '' });
    form.fields[name] = { control, error };
    form.insert(el('div', { class: 'tr-field' }, el('label', { for: id }, label), control, error));
  }

  function clearFormErrors(form) {
    form.general.hidden = true;
    for (const f of Object.values(form.fields)) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.control.removeAttribute('aria-invalid');
      f.control.removeAttribute('aria-describedby');
    }
  }

  function showFormErrors(form, fields, message) {
    const unplaced = [];
    for (const { field: name, message: text } of fields) {
      const f = form.fields[String(name || '').split('.')[0]];
      if (!f) { unplaced.push(String(text || '')); continue; }
      f.error.textContent = String(text || 'Проверьте поле');
      f.error.hidden = false;
      f.control.setAttribute('aria-invalid', 'true');
      f.control.setAttribute('aria-describedby', f.error.id);
    }
    // Общее сообщение нужно, только если какую-то ошибку не к чему привязать.
    const placed = fields.length - unplaced.length;
    if (unplaced.length || (message && !placed)) {
      form.general.replaceChildren(el('p', {}, String(message || 'Проверьте поля.')),
        ...unplaced.filter(Boolean).map((m) => el('p', {}, m)));
      form.general.hidden = false;
    }
    (form.node.querySelector('[aria-invalid="true"]') || form.general).focus();
  }

  async function send(form, action, button, body) {
    clearFormErrors(form);
    button.disabled = true;
    let response;
    try {
      response = await fetch(`${state.api}/v1/appeals/${encodeURIComponent(state.id)}/${action}`, {
        method: 'POST',
        headers: { 'X-Tracking-Token': state.token, 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (err) {
      button.disabled = false;
      return showFormErrors(form, [], 'Нет связи с сервером. Попробуйте ещё раз — введённый текст сохранён.');
    }
    const data = await response.json().catch(() => ({}));
    button.disabled = false;
    if (response.ok) {
      $('tr-live').textContent = 'Готово: обращение обновлено.';
      return onData(data);
    }
    const fields = Array.isArray(data.fields) ? data.fields : [];
    showFormErrors(form, fields, data.message || (response.status >= 500 ? 'Сервис временно недоступен.' : 'Проверьте поля.'));
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
