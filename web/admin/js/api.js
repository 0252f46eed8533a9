// Запросы к API операторов: токен из sessionStorage, ошибки API — в ApiError с полями.
import { session } from './session.js';

const config = window.TSUR_CONFIG || {};
export const API = String(config.api || location.origin).replace(/\/+$/, '');

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message || 'Ошибка запроса');
    this.status = status;
    this.code = code;
    this.fields = Array.isArray(fields) ? fields : [];
  }
}

const listeners = { unauthorized: () => {} };

export function onUnauthorized(handler) {
  listeners.unauthorized = handler;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value !== '' && value != null && value !== false) search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export async function request(path, { method = 'GET', body, auth = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const token = session.token();
  if (auth && token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(API + path, { method, headers, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'network', 'Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.');
  }
  const data = await response.json().catch(() => ({}));
  if (response.ok) return data;
  if (response.status === 401 && auth) listeners.unauthorized();
  throw new ApiError(response.status, data.error, messageFor(response.status, data), data.fields);
}

function messageFor(status, data) {
  if (data.message) return String(data.message);
  if (status === 403) return 'Это действие недоступно для вашей роли.';
  if (status === 404) return 'Не найдено или недоступно для вашей роли.';
  if (status === 409) return 'Сейчас это сделать нельзя: обращение изменилось. Обновите страницу.';
  return status >= 500 ? 'Сервис временно недоступен.' : `Ошибка запроса (код ${status}).`;
}

export const post = (path, body = {}) => request(path, { method: 'POST', body });
