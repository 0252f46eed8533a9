// Вход: локально — имя и пароль (POST /v1/auth/login), в AWS — Cognito Hosted UI (implicit flow, ID-токен).
import { request } from './api.js';
import { el } from './dom.js';
import { actionForm } from './forms.js';
import { session } from './session.js';

const config = window.TSUR_CONFIG || {};
const cognito = config.auth === 'cognito';
// Выход стека даёт домен без схемы («….auth.<регион>.amazoncognito.com»).
const cognitoBase = /^https?:\/\//i.test(config.cognito_domain || '') ? config.cognito_domain : `https://${config.cognito_domain}`;
const returnUrl = () => config.redirect_uri || `${location.origin}${location.pathname}`;

// После входа через Cognito токен приходит во фрагменте адреса: забираем его и убираем из адреса.
export function takeTokenFromUrl() {
  if (!cognito || !location.hash.includes('id_token=')) return;
  const params = new URLSearchParams(location.hash.slice(1));
  const seconds = Number(params.get('expires_in') || 3600);
  session.save(params.get('id_token'), new Date(Date.now() + seconds * 1000).toISOString(), null);
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
}

export function signInView(onSignedIn, message) {
  const heading = el('h1', { tabindex: '-1' }, 'Вход для операторов');
  const note = message ? el('p', { class: 'notice notice-warn', role: 'alert' }, message) : null;
  const body = cognito ? cognitoButton() : localForm(onSignedIn);
  const view = el('section', { class: 'sign-in', 'aria-labelledby': 'sign-in-h' }, heading, note, body);
  heading.id = 'sign-in-h';
  return view;
}

function localForm(onSignedIn) {
  return actionForm({
    label: 'Войти',
    ariaLabel: 'Вход',
    fields: [
      { name: 'username', label: 'Имя пользователя', required: true, autocomplete: 'username' },
      { name: 'password', label: 'Пароль', type: 'password', required: true, autocomplete: 'current-password' },
    ],
    onSubmit: async (values) => {
      const data = await request('/v1/auth/login', { method: 'POST', body: values, auth: false });
      session.save(data.token, data.expires_at, data.user);
      onSignedIn(data.user);
    },
  });
}

function cognitoButton() {
  const url = new URL('/oauth2/authorize', cognitoBase);
  url.searchParams.set('response_type', 'token');
  url.searchParams.set('client_id', config.client_id);
  url.searchParams.set('redirect_uri', returnUrl());
  url.searchParams.set('scope', 'openid email profile');
  return el('p', {}, el('a', { class: 'button button-primary', href: url.href }, 'Войти через единую учётную запись'));
}

export function signOut() {
  session.clear();
  if (!cognito) return location.reload();
  const url = new URL('/logout', cognitoBase);
  url.searchParams.set('client_id', config.client_id);
  url.searchParams.set('logout_uri', returnUrl());
  location.assign(url.href);
}

export async function currentUser() {
  if (!session.token()) return null;
  const user = await request('/v1/admin/me');
  session.setUser(user);
  return user;
}
