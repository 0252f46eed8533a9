/*
 * ЦУР — виджет приёма обращений жителей.
 *
 * Встраивание на сайт ведомства (один тег script и контейнер):
 *   <div id="tsur-appeal"></div>
 *   <script src="https://<сайт ЦУР>/widget/tsur-widget.js" data-target="#tsur-appeal"></script>
 * Необязательные атрибуты: data-api — адрес API (по умолчанию тот, что вписал шаг развёртывания,
 * а без него — origin самого скрипта), data-track-url — страница отслеживания (<origin скрипта>/track/).
 * Сайт ведомства должен быть в списке разрешённых origin (параметр стека WidgetOrigins).
 *
 * Всё, что пришло от жителя или от API, вставляется только как текст (textContent).
 *
 * Фото и видео загружаются прямо в хранилище (S3) по presigned POST, полученному от POST /v1/uploads;
 * в обращение уходят только ключи загруженных файлов ("attachments").
 */
(function () {
  'use strict';

  // Адрес API по умолчанию. `tsur deploy pages` переписывает эту строку адресом API стека.
  const DEPLOYED = {"api": ""};
  const script = document.currentScript;
  if (!script) return;
  const scriptUrl = new URL(script.src, location.href);
  const config = {
    api: (script.dataset.api || DEPLOYED.api || scriptUrl.origin).replace(/\/+$/, ''),
    trackUrl: script.dataset.trackUrl || scriptUrl.origin + '/track/',
    target: script.dataset.target || '#tsur-appeal',
    css: new URL('tsur-widget.css', scriptUrl).href,
  };
  const MAX_TEXT = 5000;
  const MAX_FILES = 5;
  // Браузер не всегда знает тип файла (HEIC, MOV): тогда берём его по расширению.
  const TYPES_BY_EXTENSION = {
    jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', webp: 'image/webp', heic: 'image/heic',
    mp4: 'video/mp4', mov: 'video/quicktime',
  };
  let instanceCount = 0;

  // Маленький помощник: el('p', {class: 'x'}, 'текст', otherNode). Строки → текстовые узлы.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === false || value == null) continue;
      node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) {
      if (child == null) continue;
      node.append(typeof child === 'string' ? document.createTextNode(child) : child);
    }
    return node;
  }

  function uuid4() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function loadCss() {
    if (document.querySelector('link[data-tsur-widget]')) return;
    document.head.append(el('link', { rel: 'stylesheet', href: config.css, 'data-tsur-widget': '' }));
  }

  // ---------- Построение формы ----------

  // Поле: метка, элемент ввода, необязательная подсказка и место для ошибки.
  function field(ui, name, label, control, hint) {
    const id = `${ui.prefix}-${name.replace('.', '-')}`;
    control.id = id;
    control.classList.add('tsur-input');
    const errorId = `${id}-error`;
    const describedBy = [];
    let hintNode = null;
    if (hint) {
      hintNode = el('p', { class: 'tsur-hint', id: `${id}-hint` }, hint);
      describedBy.push(hintNode.id);
    }
    const error = el('p', { class: 'tsur-error', id: errorId, hidden: true });
    ui.fields[name] = { control, error, describedBy };
    if (describedBy.length) control.setAttribute('aria-describedby', describedBy.join(' '));
    return el('div', { class: `tsur-field tsur-field-${name.replace('.', '-')}` },
      el('label', { class: 'tsur-label', for: id }, label), control, hintNode, error);
  }

  function select(emptyLabel) {
    return el('select', {}, el('option', { value: '' }, emptyLabel));
  }

  function buildForm(ui) {
    const text = el('textarea', { rows: 6, maxlength: MAX_TEXT, required: true, 'aria-required': 'true' });
    ui.counter = el('p', { class: 'tsur-counter', id: `${ui.prefix}-text-counter` }, `0 / ${MAX_TEXT}`);
    const textField = field(ui, 'text', 'Текст обращения *', text,
      'Опишите проблему: что случилось и где. Например: «Глубокая яма у дома 5».');
    ui.fields.text.describedBy.push(ui.counter.id);
    text.setAttribute('aria-describedby', ui.fields.text.describedBy.join(' '));
    textField.insertBefore(ui.counter, ui.fields.text.error);
    text.addEventListener('input', () => updateCounter(ui));

    ui.general = el('div', { class: 'tsur-alert', role: 'alert', tabindex: '-1', hidden: true });
    ui.submit = el('button', { type: 'submit', class: 'tsur-button tsur-button-primary' }, 'Отправить обращение');

    ui.form = el('form', { class: 'tsur-form', novalidate: true, 'aria-label': 'Подать обращение' },
      ui.general,
      el('p', { class: 'tsur-note' }, 'Поля, отмеченные *, обязательны.'),
      field(ui, 'sector', 'Сфера', select('Не знаю / определите сами')),
      textField,
      field(ui, 'address', 'Адрес', el('input', { type: 'text', autocomplete: 'street-address' }),
        'Улица, дом, ориентир'),
      buildAttachments(ui),
      field(ui, 'municipality', 'Район / муниципальное образование', select('Не указан')),
      buildCoords(ui),
      buildContacts(ui),
      buildConsent(ui),
      el('div', { class: 'tsur-actions' }, ui.submit));
    ui.form.addEventListener('submit', (event) => { event.preventDefault(); submit(ui); });
    return ui.form;
  }

  function coordInput(min, max) {
    return el('input', { type: 'number', step: 'any', min, max, inputmode: 'decimal' });
  }

  function buildCoords(ui) {
    const hint = el('p', { class: 'tsur-hint', id: `${ui.prefix}-map-hint` },
      'Нажмите на карту там, где проблема. С клавиатуры: стрелки двигают перекрестие (с Shift — быстрее), Enter ставит точку.');
    ui.mapStatus = el('p', { class: 'tsur-hint tsur-map-status', id: `${ui.prefix}-map-status`, role: 'status' });
    ui.mapBox = el('div', { class: 'tsur-map', 'aria-label': 'Карта районов: выбор места',
      'aria-describedby': `${hint.id} ${ui.mapStatus.id}` }, el('p', { class: 'tsur-hint' }, 'Загружаем карту…'));
    const box = el('fieldset', { class: 'tsur-fieldset' },
      el('legend', { class: 'tsur-legend' }, 'Место на карте (необязательно)'),
      hint, ui.mapBox, ui.mapStatus,
      el('div', { class: 'tsur-row' },
        field(ui, 'lat', 'Широта', coordInput(-90, 90)),
        field(ui, 'lon', 'Долгота', coordInput(-180, 180))));
    for (const name of ['lat', 'lon']) ui.fields[name].control.addEventListener('input', () => showTypedPoint(ui));
    if ('geolocation' in navigator) {
      const button = el('button', { type: 'button', class: 'tsur-button' }, 'Моё местоположение');
      ui.geoStatus = el('p', { class: 'tsur-hint', role: 'status' });
      button.addEventListener('click', () => locate(ui));
      box.append(el('div', { class: 'tsur-geo' }, button, ui.geoStatus));
    }
    return box;
  }

  // ---------- Карта: выбор точки без подложек (районы — SVG-пути из GET /v1/districts) ----------

  const SVG_NS = 'http://www.w3.org/2000/svg';
  const KEYS = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

  function svgEl(tag, attrs) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    return node;
  }

  async function loadMap(ui) {
    try {
      const response = await fetch(`${config.api}/v1/districts`);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      drawMap(ui, await response.json());
    } catch (err) {
      console.warn('tsur-widget: карта районов недоступна', err);
      ui.mapBox.replaceChildren(el('p', { class: 'tsur-hint' }, 'Карта недоступна: укажите адрес или координаты.'));
    }
  }

  function drawMap(ui, data) {
    const [x, y] = data.start || [data.width / 2, data.height / 2];
    const map = { data, cursor: { x, y }, paths: [],
      svg: svgEl('svg', { viewBox: `0 0 ${data.width} ${data.height}`, class: 'tsur-map-svg', 'aria-hidden': 'true' }) };
    for (const district of data.districts || []) {
      const path = svgEl('path', { d: district.path, class: 'tsur-district', 'data-district': district.id });
      map.paths.push({ path, district });
      map.svg.append(path);
    }
    map.pin = svgEl('circle', { r: 8, class: 'tsur-pin', visibility: 'hidden' });
    map.cross = svgEl('g', { class: 'tsur-cross', visibility: 'hidden' });
    map.cross.append(svgEl('line', { x1: -14, x2: 14, y1: 0, y2: 0 }), svgEl('line', { x1: 0, x2: 0, y1: -14, y2: 14 }),
      svgEl('circle', { r: 6 }));
    map.svg.append(map.pin, map.cross);
    ui.map = map;
    ui.mapBox.replaceChildren(map.svg);
    ui.mapBox.setAttribute('tabindex', '0');
    ui.mapBox.setAttribute('role', 'application');
    map.svg.addEventListener('click', (event) => {
      const point = new DOMPoint(event.clientX, event.clientY).matrixTransform(map.svg.getScreenCTM().inverse());
      pick(ui, point.x, point.y);
    });
    ui.mapBox.addEventListener('keydown', (event) => onMapKey(ui, event));
    ui.mapBox.addEventListener('focus', () => moveCross(map, map.cursor.x, map.cursor.y));
    ui.mapBox.addEventListener('blur', () => map.cross.setAttribute('visibility', 'hidden'));
    showTypedPoint(ui);
  }

  function moveCross(map, x, y) {
    map.cursor = { x: Math.min(Math.max(x, 0), map.data.width), y: Math.min(Math.max(y, 0), map.data.height) };
    map.cross.setAttribute('transform', `translate(${map.cursor.x} ${map.cursor.y})`);
    map.cross.setAttribute('visibility', 'visible');
  }

  function districtAt(map, x, y) {
    const hit = map.paths.find(({ path }) => path.isPointInFill && path.isPointInFill(new DOMPoint(x, y)));
    return hit ? hit.district : null;
  }

  function onMapKey(ui, event) {
    const map = ui.map;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pick(ui, map.cursor.x, map.cursor.y);
      return;
    }
    const step = KEYS[event.key];
    if (!step) return;
    event.preventDefault();
    const size = map.data.width / (event.shiftKey ? 12 : 60);
    moveCross(map, map.cursor.x + step[0] * size, map.cursor.y + step[1] * size);
    const district = districtAt(map, map.cursor.x, map.cursor.y);
    ui.mapStatus.textContent = `Перекрестие: ${district ? `${district.name} район` : 'вне районов'}. Enter — поставить точку.`;
  }

  // Клик или Enter: координаты точки — в поля широты и долготы (по той же формуле, что у сервера).
  function pick(ui, x, y) {
    const map = ui.map;
    const p = map.data.projection;
    moveCross(map, x, y);
    ui.fields.lat.control.value = (p.lat0 - map.cursor.y / p.ky).toFixed(6);
    ui.fields.lon.control.value = (p.lon0 + map.cursor.x / p.kx).toFixed(6);
    showPoint(ui, map.cursor.x, map.cursor.y);
  }

  // Точка, введённая вручную или найденная геолокацией, тоже видна на карте.
  function showTypedPoint(ui) {
    const [lat, lon] = ['lat', 'lon'].map((name) => value(ui, name));
    if (!ui.map || !lat || !lon || !Number.isFinite(Number(lat)) || !Number.isFinite(Number(lon))) return;
    const p = ui.map.data.projection;
    showPoint(ui, (Number(lon) - p.lon0) * p.kx, (p.lat0 - Number(lat)) * p.ky);
  }

  function showPoint(ui, x, y) {
    const map = ui.map;
    const district = districtAt(map, x, y);
    map.pin.setAttribute('cx', x);
    map.pin.setAttribute('cy', y);
    map.pin.setAttribute('visibility', 'visible');
    for (const { path, district: d } of map.paths) path.classList.toggle('tsur-district-picked', d === district);
    const where = `${value(ui, 'lat')}, ${value(ui, 'lon')}`;
    ui.mapStatus.textContent = district ? `Место отмечено: ${district.name} район (${where}).`
      : `Точка вне районов региона (${where}): проверьте место или укажите адрес.`;
    const municipality = ui.fields.municipality.control;
    if (district && [...municipality.options].some((o) => o.value === district.id)) municipality.value = district.id;
  }

  function clearPoint(ui) {
    ui.mapStatus.textContent = '';
    if (!ui.map) return;
    ui.map.pin.setAttribute('visibility', 'hidden');
    for (const { path } of ui.map.paths) path.classList.remove('tsur-district-picked');
  }

  function buildContacts(ui) {
    return el('fieldset', { class: 'tsur-fieldset' },
      el('legend', { class: 'tsur-legend' }, 'Контакты для ответа (необязательно)'),
      el('div', { class: 'tsur-row' },
        field(ui, 'contact.name', 'Имя', el('input', { type: 'text', autocomplete: 'name' })),
        field(ui, 'contact.email', 'Электронная почта', el('input', { type: 'email', autocomplete: 'email' })),
        field(ui, 'contact.phone', 'Телефон', el('input', { type: 'tel', autocomplete: 'tel' }))));
  }

  function buildConsent(ui) {
    const box = el('input', { type: 'checkbox', class: 'tsur-checkbox' });
    box.id = `${ui.prefix}-consent`;
    const error = el('p', { class: 'tsur-error', id: `${box.id}-error`, hidden: true });
    const hint = el('p', { class: 'tsur-hint', id: `${box.id}-hint` },
      'Обязательно, если вы указали имя, почту или телефон.');
    box.setAttribute('aria-describedby', hint.id);
    ui.fields.consent = { control: box, error, describedBy: [hint.id] };
    return el('div', { class: 'tsur-field tsur-consent' },
      el('div', { class: 'tsur-check' }, box,
        el('label', { for: box.id }, 'Согласен(на) на обработку персональных данных (152-ФЗ)')),
      hint, error);
  }

  // ---------- Фото и видео ----------

  function buildAttachments(ui) {
    const input = el('input', { type: 'file', multiple: true, accept: 'image/*,video/*', class: 'tsur-file-input' });
    ui.uploads = [];
    ui.fileList = el('ul', { class: 'tsur-files' });
    input.addEventListener('change', () => {
      addFiles(ui, Array.from(input.files || []));
      input.value = '';
    });
    const box = field(ui, 'attachments', 'Фото или видео (необязательно)', input,
      `До ${MAX_FILES} файлов: фото JPEG, PNG, WebP, HEIC до 10 МБ, видео MP4 и MOV до 50 МБ.`);
    // Своя кнопка вместо системной («Choose Files» на языке браузера); само поле остаётся в фокусе клавиатуры.
    input.after(el('label', { for: input.id, class: 'tsur-button tsur-file-button', 'aria-hidden': 'true' },
      'Выбрать фото или видео'));
    box.insertBefore(ui.fileList, ui.fields.attachments.error);
    return box;
  }

  function addFiles(ui, files) {
    const f = ui.fields.attachments;
    f.error.hidden = true;
    const room = MAX_FILES - ui.uploads.length;
    if (files.length > room) {
      f.error.textContent = `Можно приложить не больше ${MAX_FILES} файлов — лишние не добавлены.`;
      f.error.hidden = false;
    }
    for (const file of files.slice(0, Math.max(room, 0))) {
      const entry = uploadRow(ui, file);
      ui.uploads.push(entry);
      ui.fileList.append(entry.row);
      upload(entry);
    }
  }

  function uploadRow(ui, file) {
    const entry = { file, key: null, state: 'uploading', xhr: null };
    entry.progress = el('progress', { max: '1', value: '0', 'aria-label': `Загрузка файла ${file.name}` });
    entry.status = el('span', { class: 'tsur-file-status', role: 'status' });
    const remove = el('button', { type: 'button', class: 'tsur-button tsur-button-small',
      'aria-label': `Удалить файл ${file.name}` }, 'Удалить');
    remove.addEventListener('click', () => removeUpload(ui, entry));
    entry.row = el('li', { class: 'tsur-file' },
      el('span', { class: 'tsur-file-name' }, file.name), el('span', { class: 'tsur-hint' }, formatSize(file.size)),
      entry.progress, entry.status, remove);
    return entry;
  }

  function removeUpload(ui, entry) {
    if (entry.xhr) entry.xhr.abort();
    entry.state = 'removed';
    ui.uploads = ui.uploads.filter((e) => e !== entry);
    entry.row.remove();
    ui.fields.attachments.control.focus();
  }

  function formatSize(bytes) {
    return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} МБ` : `${Math.max(1, Math.round(bytes / 1024))} КБ`;
  }

  function contentType(file) {
    const extension = (file.name.split('.').pop() || '').toLowerCase();
    return file.type || TYPES_BY_EXTENSION[extension] || 'application/octet-stream';
  }

  function setUpload(entry, state, message) {
    if (entry.state === 'removed') return;
    entry.state = state;
    entry.status.textContent = message;
    entry.row.classList.toggle('tsur-file-failed', state === 'failed');
    if (state === 'done') entry.progress.value = 1;
  }

  class UploadError extends Error {}

  async function upload(entry) {
    setUpload(entry, 'uploading', 'Загружается…');
    try {
      const target = await requestUpload(entry.file);
      await postToStorage(target, entry);
      entry.key = target.key;
      setUpload(entry, 'done', 'Загружено');
    } catch (err) {
      setUpload(entry, 'failed', err instanceof UploadError ? err.message
        : 'Не удалось загрузить файл: нет связи с сервером. Удалите его и попробуйте ещё раз.');
    }
  }

  async function requestUpload(file) {
    const response = await fetch(`${config.api}/v1/uploads`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: file.name.slice(-200) || 'file', content_type: contentType(file), size: file.size }),
    });
    const data = await response.json().catch(() => ({}));
    if (response.ok && data.url) return data;
    const reasons = (Array.isArray(data.fields) ? data.fields : []).map((f) => String(f.message || ''));
    throw new UploadError(reasons.filter(Boolean).join(' ') || String(data.message || 'Файл не принят.'));
  }

  // XMLHttpRequest, а не fetch: только он сообщает о ходе отправки файла.
  function postToStorage(target, entry) {
    return new Promise((resolve, reject) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(target.fields || {})) form.append(name, value);
      form.append('file', entry.file);
      const xhr = new XMLHttpRequest();
      entry.xhr = xhr;
      xhr.open('POST', target.url);
      xhr.upload.addEventListener('progress', (event) => {
        if (event.lengthComputable) entry.progress.value = event.loaded / event.total;
      });
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) return resolve();
        reject(new UploadError(/EntityTooLarge/.test(xhr.responseText)
          ? 'Файл слишком большой.' : `Хранилище не приняло файл (код ${xhr.status}). Попробуйте ещё раз.`));
      });
      xhr.addEventListener('error', () => reject(new UploadError('Хранилище файлов недоступно. Попробуйте ещё раз.')));
      xhr.send(form);
    });
  }

  function updateCounter(ui) {
    const length = ui.fields.text.control.value.length;
    ui.counter.textContent = `${length} / ${MAX_TEXT}`;
    ui.counter.classList.toggle('tsur-counter-near', length > MAX_TEXT * 0.9);
  }

  async function fillSelect(ui, name, path, key) {
    try {
      const response = await fetch(config.api + path);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const items = (await response.json())[key] || [];
      for (const item of items) ui.fields[name].control.append(el('option', { value: item.id }, item.name));
    } catch (err) {
      console.warn(`tsur-widget: не удалось загрузить ${path}`, err);
    }
  }

  function locate(ui) {
    ui.geoStatus.textContent = 'Определяем местоположение…';
    navigator.geolocation.getCurrentPosition((pos) => {
      ui.fields.lat.control.value = pos.coords.latitude.toFixed(6);
      ui.fields.lon.control.value = pos.coords.longitude.toFixed(6);
      ui.geoStatus.textContent = 'Координаты заполнены.';
      showTypedPoint(ui);
    }, (err) => {
      ui.geoStatus.textContent = err.code === err.PERMISSION_DENIED
        ? 'Доступ к местоположению запрещён. Введите адрес или координаты вручную.'
        : 'Не удалось определить местоположение. Введите адрес вручную.';
    }, { enableHighAccuracy: true, timeout: 15000 });
  }

  // ---------- Сбор данных и проверка ----------

  function value(ui, name) {
    return ui.fields[name].control.value.trim();
  }

  function collect(ui) {
    const body = { text: value(ui, 'text') };
    for (const name of ['sector', 'address', 'municipality']) {
      if (value(ui, name)) body[name] = value(ui, name);
    }
    for (const name of ['lat', 'lon']) {
      if (value(ui, name)) body[name] = Number(value(ui, name));
    }
    const contact = {};
    for (const name of ['name', 'email', 'phone']) {
      if (value(ui, `contact.${name}`)) contact[name] = value(ui, `contact.${name}`);
    }
    if (Object.keys(contact).length) body.contact = contact;
    if (ui.fields.consent.control.checked) body.consent = true;
    body.source = 'widget';
    body.attachments = ui.uploads.filter((e) => e.state === 'done').map((e) => e.key);
    return body;
  }

  function validate(ui, body) {
    const errors = [];
    const add = (field, message) => errors.push({ field, message });
    if (!body.text) add('text', 'Напишите текст обращения.');
    if (body.text.length > MAX_TEXT) add('text', `Текст не длиннее ${MAX_TEXT} символов.`);
    let badNumber = false;
    for (const [name, limit] of [['lat', 90], ['lon', 180]]) {
      const input = ui.fields[name].control;
      if (input.validity.badInput) {
        badNumber = true;
        add(name, 'Введите число, например 59.9386.');
      } else if (name in body && Math.abs(body[name]) > limit) add(name, `Значение от −${limit} до ${limit}.`);
    }
    if (!badNumber && ('lat' in body) !== ('lon' in body)) {
      add('lat' in body ? 'lon' : 'lat', 'Укажите обе координаты или ни одной.');
    }
    if (ui.fields['contact.email'].control.validity.typeMismatch) add('contact.email', 'Проверьте адрес почты.');
    if (ui.uploads.some((e) => e.state === 'uploading')) add('attachments', 'Дождитесь окончания загрузки файлов.');
    if (ui.uploads.some((e) => e.state === 'failed')) {
      add('attachments', 'Удалите файлы, которые не удалось загрузить, или загрузите их заново.');
    }
    if (body.contact && !ui.fields.consent.control.checked) {
      add('consent', 'Чтобы оставить контакты, подтвердите согласие на обработку персональных данных.');
    }
    return errors;
  }

  // ---------- Показ ошибок ----------

  function clearErrors(ui) {
    ui.general.hidden = true;
    ui.general.replaceChildren();
    for (const f of Object.values(ui.fields)) {
      f.error.hidden = true;
      f.error.textContent = '';
      f.control.removeAttribute('aria-invalid');
      if (f.describedBy.length) f.control.setAttribute('aria-describedby', f.describedBy.join(' '));
      else f.control.removeAttribute('aria-describedby');
    }
  }

  function showGeneral(ui, message, extra) {
    ui.general.replaceChildren(el('p', {}, message));
    if (extra && extra.length) ui.general.append(el('ul', {}, ...extra.map((m) => el('li', {}, m))));
    ui.general.hidden = false;
  }

  function fieldFor(ui, name) {
    const key = String(name || '');
    if (ui.fields[key]) return ui.fields[key];
    if (key === 'contact') return ui.fields['contact.name'];
    if (key.startsWith('attachments')) return ui.fields.attachments;
    return null;
  }

  // Возвращает true, если хоть одна ошибка привязана к полю.
  function showErrors(ui, errors, generalMessage) {
    const unplaced = [];
    for (const { field: name, message } of errors) {
      const f = fieldFor(ui, name);
      if (!f) { unplaced.push(String(message || 'Ошибка в данных')); continue; }
      f.error.textContent = [f.error.textContent, String(message || 'Проверьте поле')].filter(Boolean).join(' ');
      f.error.hidden = false;
      f.control.setAttribute('aria-invalid', 'true');
      f.control.setAttribute('aria-describedby', [...f.describedBy, f.error.id].join(' '));
    }
    if (generalMessage || unplaced.length) showGeneral(ui, generalMessage || 'Проверьте поля обращения.', unplaced);
    (ui.form.querySelector('[aria-invalid="true"]') || ui.general).focus();
  }

  // ---------- Отправка ----------

  // Ключ идемпотентности живёт, пока содержимое формы не меняется:
  // повторная отправка того же обращения (например, после обрыва сети) идёт с тем же ключом.
  function idempotencyKey(ui, payload) {
    if (ui.lastPayload !== payload) {
      ui.lastPayload = payload;
      ui.key = uuid4();
    }
    return ui.key;
  }

  function setBusy(ui, busy) {
    ui.submit.disabled = busy;
    ui.form.setAttribute('aria-busy', String(busy));
    ui.submit.textContent = busy ? 'Отправляем…' : 'Отправить обращение';
  }

  async function submit(ui) {
    if (ui.busy) return;
    clearErrors(ui);
    const body = collect(ui);
    const errors = validate(ui, body);
    if (errors.length) return showErrors(ui, errors, 'Проверьте поля обращения.');
    const payload = JSON.stringify(body);
    ui.busy = true;
    setBusy(ui, true);
    try {
      const response = await fetch(`${config.api}/v1/appeals`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey(ui, payload) },
        body: payload,
      });
      await handleResponse(ui, response);
    } catch (err) {
      console.warn('tsur-widget: сеть недоступна', err);
      showErrors(ui, [], 'Не удалось связаться с сервером. Проверьте подключение к интернету и попробуйте ещё раз — введённые данные сохранены.');
    } finally {
      ui.busy = false;
      setBusy(ui, false);
    }
  }

  async function handleResponse(ui, response) {
    const data = await response.json().catch(() => ({}));
    if (response.ok && data.id) return showSuccess(ui, data);
    if (response.status >= 400 && response.status < 500) {
      const fields = Array.isArray(data.fields) ? data.fields : [];
      return showErrors(ui, fields, data.message ? String(data.message) : 'Проверьте поля обращения.');
    }
    showErrors(ui, [], 'Сервис временно недоступен. Попробуйте отправить обращение чуть позже — введённые данные сохранены.');
  }

  // ---------- Успех ----------

  function trackingLink(data) {
    const url = new URL(config.trackUrl, location.href);
    url.searchParams.set('id', data.id);
    url.searchParams.set('token', data.token);
    return url.href;  // страница отслеживания знает свой API сама (track/config.js): адрес API в ссылку не кладём
  }

  function showSuccess(ui, data) {
    const link = trackingLink(data);
    const status = el('p', { class: 'tsur-hint', role: 'status' });
    const copy = el('button', { type: 'button', class: 'tsur-button' }, 'Скопировать ссылку');
    copy.addEventListener('click', () => copyText(link, status));
    const again = el('button', { type: 'button', class: 'tsur-button' }, 'Подать ещё одно обращение');
    again.addEventListener('click', () => reset(ui));
    const heading = el('h3', { class: 'tsur-success-title', tabindex: '-1' }, 'Обращение принято');
    ui.success.replaceChildren(heading,
      el('p', {}, 'Номер обращения: ', el('strong', { class: 'tsur-case' }, String(data.id))),
      el('p', {}, 'Сохраните ссылку — по ней можно следить за ходом рассмотрения:'),
      el('p', { class: 'tsur-link' }, el('a', { href: link }, link)),
      el('div', { class: 'tsur-actions' }, copy, again),
      status);
    ui.form.hidden = true;
    ui.success.hidden = false;
    heading.focus();
  }

  async function copyText(text, status) {
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Ссылка скопирована.';
    } catch (err) {
      status.textContent = 'Не удалось скопировать автоматически — выделите ссылку и скопируйте её вручную.';
    }
  }

  function reset(ui) {
    ui.form.reset();
    clearErrors(ui);
    updateCounter(ui);
    ui.lastPayload = null;
    for (const entry of [...ui.uploads]) removeUpload(ui, entry);
    if (ui.geoStatus) ui.geoStatus.textContent = '';
    clearPoint(ui);
    ui.success.hidden = true;
    ui.form.hidden = false;
    ui.fields.text.control.focus();
  }

  // ---------- Запуск ----------

  function mount() {
    const container = document.querySelector(config.target);
    if (!container) {
      console.error(`tsur-widget: контейнер ${config.target} не найден`);
      return;
    }
    loadCss();
    const ui = { prefix: `tsur-${++instanceCount}`, fields: {} };
    ui.success = el('div', { class: 'tsur-success', hidden: true });
    container.replaceChildren(el('section', { class: 'tsur-widget', lang: 'ru' },
      el('h2', { class: 'tsur-title' }, 'Сообщить о проблеме'),
      buildForm(ui), ui.success));
    fillSelect(ui, 'sector', '/v1/sectors', 'sectors');
    fillSelect(ui, 'municipality', '/v1/municipalities', 'municipalities');
    loadMap(ui);
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();
