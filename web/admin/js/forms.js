// Формы действий: поля с местом для ошибки, общий блок ошибки, кнопка; ошибки API — у своих полей.
import { ApiError } from './api.js';
import { el, option } from './dom.js';

let formCount = 0;

function control(spec, id) {
  const common = { id, name: spec.name, required: Boolean(spec.required), 'aria-required': spec.required ? 'true' : null };
  if (spec.kind === 'textarea') return el('textarea', { ...common, rows: spec.rows || 3, maxlength: spec.maxlength || 2000 });
  if (spec.kind === 'select') {
    return el('select', common, (spec.options || []).map((o) => (o instanceof Node ? o : option(o[0], o[1], o[0] === spec.value))));
  }
  return el('input', { ...common, type: spec.type || 'text', autocomplete: spec.autocomplete || 'off', value: spec.value ?? null });
}

/**
 * spec: {label (кнопка), fields: [{name, label, kind, options, required, type}], onSubmit(values) → Promise,
 *        className, intro, primary: false — второстепенная кнопка}
 */
export function actionForm(spec) {
  const prefix = `af${++formCount}`;
  const general = el('div', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true });
  const fields = {};
  const rows = spec.fields.map((f) => {
    const id = `${prefix}-${f.name}`;
    const input = control(f, id);
    const error = el('p', { class: 'field-error', id: `${id}-error`, hidden: true });
    fields[f.name] = { input, error, spec: f };
    return el('div', { class: 'field' }, el('label', { for: id }, f.label), input, error);
  });
  const button = el('button', { type: 'submit', class: `button ${spec.primary === false ? '' : 'button-primary'}` }, spec.label);
  const form = el('form', { class: `action-form ${spec.className || ''}`, novalidate: true, 'aria-label': spec.ariaLabel || spec.label },
    spec.intro || null, general, ...rows, el('div', { class: 'form-actions' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(general, fields);
    const values = Object.fromEntries(Object.entries(fields).map(([name, f]) => [name, f.input.value.trim()]));
    const missing = Object.entries(fields).filter(([name, f]) => f.spec.required && !values[name]);
    if (missing.length) return place(general, fields, missing.map(([name]) => ({ field: name, message: 'Заполните это поле.' })), '');
    button.disabled = true;
    try {
      await spec.onSubmit(values);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      place(general, fields, err.fields, err.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function clear(general, fields) {
  general.hidden = true;
  general.replaceChildren();
  for (const f of Object.values(fields)) {
    f.error.hidden = true;
    f.error.textContent = '';
    f.input.removeAttribute('aria-invalid');
    f.input.removeAttribute('aria-describedby');
  }
}

function place(general, fields, errors, message) {
  const unplaced = [];
  for (const { field, message: text } of errors || []) {
    const f = fields[String(field || '').split('.')[0]];
    if (!f) { unplaced.push(String(text || '')); continue; }
    f.error.textContent = String(text || 'Проверьте поле.');
    f.error.hidden = false;
    f.input.setAttribute('aria-invalid', 'true');
    f.input.setAttribute('aria-describedby', f.error.id);
  }
  // Общее сообщение нужно, только если какую-то ошибку не к чему привязать.
  const placed = (errors || []).length - unplaced.length;
  const lines = [placed && !unplaced.length ? '' : message, ...unplaced].filter(Boolean);
  if (lines.length) {
    general.replaceChildren(...lines.map((line) => el('p', {}, line)));
    general.hidden = false;
  }
  const first = Object.values(fields).find((f) => f.input.getAttribute('aria-invalid'));
  (first ? first.input : general).focus();
}

// Ошибки API у полей формы фильтров (карта, поиск): «Начало периода позже конца» — под полем «С даты».
export function showFilterErrors(form, err) {
  for (const old of form.parentNode.querySelectorAll('.filter-error, .field-error')) old.remove();
  const unplaced = [];
  for (const { field, message } of err.fields) {
    const control = form.elements[String(field || '')];
    if (!control || !control.id) { unplaced.push(String(message || '')); continue; }
    const error = el('p', { class: 'field-error', id: `${control.id}-error` }, String(message || 'Проверьте поле.'));
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', error.id);
    control.after(error);
  }
  // Фокус остаётся на заголовке раздела, как после любого перехода; role=alert зачитывает ошибку.
  form.before(el('p', { class: 'notice notice-error filter-error', role: 'alert' }, [err.message, ...unplaced].join(' ')));
}
