/*
 * ЦУР — страница документации HTTP API для людей.
 * Загружает документ OpenAPI (GET /openapi.json) и показывает операции по разделам (тегам) и адресам:
 * метод, назначение, доступ, параметры, поля тела запроса с типами и ограничениями, ответы.
 * Всё из документа вставляется только как текст (построение DOM в ../admin/js/dom.js, без innerHTML).
 */
import { el, row, table } from '../admin/js/dom.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const WHERE = { path: 'путь', query: 'строка запроса', header: 'заголовок' };
const TYPES = { string: 'строка', integer: 'целое число', number: 'число', boolean: 'да/нет', object: 'объект', array: 'список' };
const MAX_DEPTH = 2; // вложенные объекты (contact.email) раскрываются на два уровня

function apiBase() {
  const given = window.TSUR_CONFIG && window.TSUR_CONFIG.api;
  return given && /^https?:\/\//i.test(given) ? given.replace(/\/+$/, '') : location.origin;
}

const refName = (ref) => String(ref).split('/').pop();

function resolve(doc, schema) {
  return schema && schema.$ref ? (doc.components.schemas[refName(schema.$ref)] || {}) : (schema || {});
}

// Ветви anyOf без null: у необязательного поля одна такая ветвь.
function branches(schema) {
  return (schema.anyOf || [schema]).filter((s) => s.type !== 'null');
}

function typeName(schema) {
  if (schema.$ref) return `объект ${refName(schema.$ref)}`;
  if (schema.anyOf) {
    const names = branches(schema).map(typeName);
    return schema.anyOf.length > names.length ? `${names.join(' или ')} или null` : names.join(' или ');
  }
  if (schema.enum) return `одно из: ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.type === 'array') return `список (${typeName(schema.items || {})})`;
  const base = TYPES[schema.type] || schema.type || 'любое значение';
  return schema.format ? `${base} (${schema.format})` : base;
}

function limits(schema) {
  const found = [];
  for (const s of branches(schema)) {
    if (s.minLength != null && s.maxLength != null) found.push(`длина ${s.minLength}–${s.maxLength}`);
    else if (s.maxLength != null) found.push(`не длиннее ${s.maxLength}`);
    else if (s.minLength != null) found.push(`не короче ${s.minLength}`);
    if (s.minimum != null) found.push(`не меньше ${s.minimum}`);
    if (s.exclusiveMinimum != null) found.push(`больше ${s.exclusiveMinimum}`);
    if (s.maximum != null) found.push(`не больше ${s.maximum}`);
    if (s.exclusiveMaximum != null) found.push(`меньше ${s.exclusiveMaximum}`);
    if (s.maxItems != null) found.push(`до ${s.maxItems} элементов`);
    if (s.pattern) found.push(`шаблон ${s.pattern}`);
  }
  if (schema.default != null && !(Array.isArray(schema.default) && !schema.default.length)) {
    found.push(`по умолчанию ${JSON.stringify(schema.default)}`);
  }
  return found.join('; ') || '—';
}

// Поля тела запроса строками таблицы; вложенный объект даёт строки «contact.email».
function fieldRows(doc, schema, prefix = '', depth = 0) {
  const object = resolve(doc, schema);
  const required = new Set(object.required || []);
  return Object.entries(object.properties || {}).flatMap(([name, prop]) => {
    const full = prefix + name;
    const here = row(el('code', {}, full), typeName(prop), required.has(name) ? 'да' : 'нет', limits(prop));
    const nested = branches(prop).find((b) => b.$ref);
    return nested && depth < MAX_DEPTH ? [here, ...fieldRows(doc, nested, `${full}.`, depth + 1)] : [here];
  });
}

function access(doc, operation) {
  const names = (operation.security || []).flatMap((requirement) => Object.keys(requirement));
  if (!names.length) return 'без авторизации';
  return names.map((name) => {
    const scheme = doc.components.securitySchemes[name] || {};
    const how = scheme.type === 'apiKey' ? `заголовок ${scheme.name}` : 'Authorization: Bearer …';
    return `${scheme.description || name} (${how})`;
  }).join('; ');
}

function parametersTable(parameters) {
  return table('Параметры', ['Имя', 'Где', 'Обязательный', 'Тип', 'Ограничения'],
    parameters.map((p) => row(el('code', {}, p.name), WHERE[p.in] || p.in, p.required ? 'да' : 'нет',
      typeName(p.schema || {}), limits(p.schema || {}))));
}

function responsesList(doc, responses) {
  return el('ul', { class: 'responses' }, Object.entries(responses).map(([status, response]) => {
    const schema = Object.values(response.content || {}).map((c) => c.schema || {})[0];
    const shape = schema && schema.$ref ? ` — ${refName(schema.$ref)}` : '';
    return el('li', {}, el('code', {}, status), ` ${response.description || ''}${shape}`);
  }));
}

function operationBlock(doc, path, method, operation) {
  const body = operation.requestBody && operation.requestBody.content['application/json'];
  const bodySchema = body && body.schema;
  return el('section', { class: 'op', id: `op-${operation.operationId}`, 'data-path': path, 'data-method': method },
    el('h3', {}, el('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', el('code', {}, path)),
    el('p', {}, operation.summary || ''),
    el('p', {}, el('strong', {}, 'Доступ: '), access(doc, operation)),
    operation.parameters && operation.parameters.length ? parametersTable(operation.parameters) : null,
    bodySchema ? table(`Тело запроса (JSON${bodySchema.$ref ? `, ${refName(bodySchema.$ref)}` : ''})`,
      ['Поле', 'Тип', 'Обязательное', 'Ограничения'], fieldRows(doc, bodySchema)) : null,
    el('h4', {}, 'Ответы'),
    responsesList(doc, operation.responses || {}));
}

// Теги в порядке документа; операция без тега идёт в «Прочее».
function byTag(doc) {
  const groups = new Map((doc.tags || []).map((t) => [t.name, { tag: t, operations: [] }]));
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const method of METHODS.filter((m) => item[m])) {
      const name = (item[method].tags || ['Прочее'])[0];
      if (!groups.has(name)) groups.set(name, { tag: { name }, operations: [] });
      groups.get(name).operations.push([path, method, item[method]]);
    }
  }
  return [...groups.values()].filter((g) => g.operations.length);
}

function intro(doc) {
  const schemes = Object.values(doc.components.securitySchemes || {});
  return [
    el('p', { class: 'lead' }, doc.info.description || ''),
    el('p', { class: 'lead' }, 'Ошибка клиента всегда приходит одним видом: ', el('code', {}, '{"error", "message", "fields": [{"field", "message"}]}'),
      '. Сообщения — на русском, по одному на каждое неверное поле.'),
    el('h2', {}, 'Способы доступа'),
    el('ul', {}, schemes.map((s) => el('li', {}, s.description || s.type))),
  ];
}

function render(doc) {
  document.getElementById('title').textContent = doc.info.title || 'HTTP API';
  document.getElementById('status').textContent = `Версия ${doc.info.version}, OpenAPI ${doc.openapi}`;
  document.getElementById('intro').replaceChildren(...intro(doc));
  const groups = byTag(doc);
  document.getElementById('toc').replaceChildren(el('h2', {}, 'Разделы'), el('ul', {}, groups.map((g, n) =>
    el('li', {}, el('a', { href: `#tag-${n}` }, g.tag.name), ` (${g.operations.length})`))));
  document.getElementById('operations').replaceChildren(...groups.map((g, n) => el('section', { class: 'tag', id: `tag-${n}` },
    el('h2', {}, g.tag.name),
    g.tag.description ? el('p', { class: 'muted' }, g.tag.description) : null,
    g.operations.map(([path, method, operation]) => operationBlock(doc, path, method, operation)))));
}

async function load() {
  const url = `${apiBase()}/openapi.json`;
  document.getElementById('doc-link').href = url;
  try {
    const response = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  } catch (error) {
    const status = document.getElementById('status');
    status.className = 'error';
    status.textContent = `Не удалось загрузить описание API: ${error.message}`;
  }
}

load();
