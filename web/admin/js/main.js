// Страница операторов: вход, разделы по роли, маршруты в адресе после # (#/cases?status=…, #/case/<id>).
import { ApiError, onUnauthorized } from './api.js';
import { currentUser, signInView, signOut, takeTokenFromUrl } from './auth.js';
import { clearNotice, el } from './dom.js';
import { reference } from './reference.js';
import { scopeText, viewsFor } from './roles.js';
import { session } from './session.js';
import { boardView } from './views/board.js';
import { caseView } from './views/case.js';
import { casesView } from './views/cases.js';
import { deliveriesView } from './views/deliveries.js';
import { heatmapView } from './views/heatmap.js';
import { moderationView } from './views/moderation.js';

const RENDER = { moderation: moderationView, cases: casesView, case: caseView, board: boardView,
  heatmap: heatmapView, deliveries: deliveriesView };
const $ = (id) => document.getElementById(id);
const state = { user: null, started: false };
const EXPIRED = 'tsur-admin-expired';

function parseHash() {
  const [path, search] = location.hash.replace(/^#\/?/, '').split('?');
  const [view, ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { view, args, query: Object.fromEntries(new URLSearchParams(search || '')) };
}

export function go(view, query) {
  const search = new URLSearchParams(Object.entries(query || {}).filter(([, v]) => v !== '' && v != null));
  location.hash = `#/${view}${search.toString() ? `?${search}` : ''}`;
}

function allowed(view) {
  const ids = viewsFor(state.user).map((v) => v.id);
  return view === 'case' ? ids.includes('cases') : ids.includes(view);
}

async function route() {
  const { view, args, query } = parseHash();
  if (!view || !allowed(view)) {
    const first = viewsFor(state.user)[0];
    if (first && view !== first.id) return go(first.id);
    return;
  }
  for (const link of $('nav').querySelectorAll('a')) {
    const current = link.dataset.view === view || (view === 'case' && link.dataset.view === 'cases');
    if (current) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }
  // Каждый переход рисует в новый узел: запоздавший ответ прежнего раздела пишет в уже убранный узел.
  const root = el('div', { class: `view view-${view}` }, el('p', { class: 'muted' }, 'Загрузка…'));
  $('view').replaceChildren(root);
  try {
    await RENDER[view](root, { user: state.user, args, query, go, reload: route });
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    root.replaceChildren(el('h1', {}, 'Не удалось загрузить'), el('p', { class: 'notice notice-error', role: 'alert' }, err.message));
  }
  if (state.started) (root.querySelector('h1') || root).focus({ preventScroll: false });
  state.started = true;
}

function chrome(user) {
  const out = el('button', { type: 'button', class: 'button button-small' }, 'Выйти');
  out.addEventListener('click', signOut);
  const scope = el('span', { class: 'who-scope' }, scopeText(user));
  $('who').replaceChildren(el('span', { class: 'who-name' }, user.name || user.username), scope, out);
  reference().then((ref) => { scope.textContent = scopeText(user, ref); }).catch(() => {});
  $('nav').replaceChildren(el('ul', {}, viewsFor(user).map((v) => el('li', {},
    el('a', { href: `#/${v.id}`, 'data-view': v.id }, v.title)))));
  $('nav').hidden = false;
}

function start(user) {
  state.user = user;
  chrome(user);
  window.addEventListener('hashchange', () => { clearNotice(); route(); });
  route();
}

function showSignIn(message) {
  session.clear();
  $('nav').hidden = true;
  $('who').replaceChildren();
  if (state.user) {  // сессия кончилась посреди работы: начинаем страницу заново, с объяснением
    sessionStorage.setItem(EXPIRED, message || '');
    return location.reload();
  }
  const view = signInView((user) => start(user), message);
  $('view').replaceChildren(view);
  const first = view.querySelector('input, a.button');
  if (first) first.focus();
}

async function boot() {
  takeTokenFromUrl();
  onUnauthorized(() => showSignIn('Сессия истекла. Войдите снова.'));
  const expired = sessionStorage.getItem(EXPIRED);
  sessionStorage.removeItem(EXPIRED);
  let user = null;
  try {
    user = await currentUser();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;  // onUnauthorized уже показал вход
    $('view').replaceChildren(el('p', { class: 'notice notice-error', role: 'alert' }, err.message));
    return;
  }
  if (user) start(user); else showSignIn(expired || undefined);
}

boot();
