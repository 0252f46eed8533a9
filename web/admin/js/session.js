// Сессия оператора живёт в sessionStorage вкладки: закрыли вкладку — вышли.
const KEY = 'tsur-admin-session';

function read() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (saved && saved.token && (!saved.expires_at || new Date(saved.expires_at) > new Date())) return saved;
  } catch (err) { /* испорченная запись — считаем, что входа не было */ }
  return null;
}

export const session = {
  token: () => (read() || {}).token || null,
  user: () => (read() || {}).user || null,
  save(token, expiresAt, user) {
    sessionStorage.setItem(KEY, JSON.stringify({ token, expires_at: expiresAt || null, user: user || null }));
  },
  setUser(user) {
    const saved = read();
    if (saved) this.save(saved.token, saved.expires_at, user);
  },
  clear: () => sessionStorage.removeItem(KEY),
};
