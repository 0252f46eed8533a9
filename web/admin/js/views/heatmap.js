// Тепловая карта: обращения на 1000 жителей по районам за период и сферу; красная зона — от порога и выше.
// Рядом — тот же период прошлого года, раскрашенный по тому же порогу.
import { ApiError, query, request } from '../api.js';
import { day, decimal, el, input, isoDay, number, row, select, table } from '../dom.js';
import { showFilterErrors } from '../forms.js';
import { districtMap } from '../geo.js';
import { districtShapes, reference } from '../reference.js';

const RED = '#c62828';
const DEFAULT_THRESHOLD = 15;  // правило Самары: 15 обращений о дорогах на 1000 жителей

// Куратор видит только свои сферы; по умолчанию — первую из них, остальным — дороги.
const ownSectors = (ref, user) => ref.sectors.filter((x) => user.role !== 'sector_curator' || user.sectors.includes(x.id));

function defaults(user) {
  const to = new Date();
  const from = new Date(to);
  from.setDate(from.getDate() - 30);
  const sector = user.role === 'sector_curator' && user.sectors.length ? user.sectors[0] : 'roads';
  return { sector, from: isoDay(from), to: isoDay(to), threshold: String(DEFAULT_THRESHOLD) };
}

// От светлого к янтарному по мере приближения к порогу; выше порога — красный.
function colour(per1000, threshold, red) {
  if (red) return RED;
  const t = Math.max(0, Math.min(1, Number(per1000 || 0) / Math.max(Number(threshold) || 1, 1e-9)));
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(241, 245)}, ${mix(245, 158)}, ${mix(249, 11)})`;
}

export async function heatmapView(root, ctx) {
  const params = { ...defaults(ctx.user), ...Object.fromEntries(Object.entries(ctx.query).filter(([, v]) => v)) };
  const [ref, shapes] = await Promise.all([reference(), districtShapes()]);
  let data;
  try {
    data = await request(`/v1/admin/heatmap${query(params)}`);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const form = controls(ref, params, ctx);
    root.replaceChildren(el('h1', { tabindex: '-1' }, 'Тепловая карта обращений'), form);
    showFilterErrors(form, err);
    return;
  }
  const byId = Object.fromEntries(data.districts.map((d) => [d.id, d]));
  const threshold = Number(data.threshold);
  const title = (year) => (f) => {
    const d = byId[f.id];
    if (!d) return `${f.name}: нет данных`;
    const [count, per] = year === 'now' ? [d.count, d.per_1000] : [d.last_year_count, d.last_year_per_1000];
    return `${d.name}: ${number(count)} обращ., ${number(per, 2)} на 1000 жителей`;
  };
  const now = districtMap(shapes, { label: 'Обращения на 1000 жителей за выбранный период', focusable: true,
    title: title('now'), fill: (f) => { const d = byId[f.id]; return d ? colour(d.per_1000, threshold, d.red) : '#eee'; } });
  const before = districtMap(shapes, { label: 'Тот же период прошлого года',
    title: title('before'), fill: (f) => {
      const d = byId[f.id];
      const red = d && d.last_year_per_1000 != null && d.last_year_per_1000 >= threshold;
      return d ? colour(d.last_year_per_1000, threshold, red) : '#eee';
    } });
  const red = data.districts.filter((d) => d.red);
  root.replaceChildren(el('h1', { tabindex: '-1' }, 'Тепловая карта обращений'),
    controls(ref, params, ctx),
    el('p', { class: red.length ? 'notice notice-error' : 'notice notice-ok', 'data-red-count': red.length },
      red.length ? `Красная зона (от ${decimal(threshold)} на 1000 жителей): ${red.map((d) => d.name).join(', ')}.`
        : `Ни один район не достиг порога: ${decimal(threshold)} обращений на 1000 жителей.`),
    el('div', { class: 'maps' },
      el('figure', { class: 'map-figure' }, now, el('figcaption', {}, `${day(data.from)} — ${day(data.to)}`)),
      el('figure', { class: 'map-figure map-before' }, before, el('figcaption', {}, 'Тот же период прошлого года'))),
    legend(threshold),
    table('Районы', ['Район', 'Население', 'Обращений', 'На 1000 жителей', 'Год назад', 'Год назад на 1000', 'Зона'],
      [...data.districts].sort((a, b) => b.per_1000 - a.per_1000).map((d) => {
        const tr = row(d.name, number(d.population), number(d.count), number(d.per_1000, 2), number(d.last_year_count),
          number(d.last_year_per_1000, 2), d.red ? 'красная' : '');
        if (d.red) tr.classList.add('row-danger');
        return tr;
      })));
}

function controls(ref, params, ctx) {
  const form = el('form', { class: 'filters', 'aria-label': 'Параметры карты' },
    select('sector', 'Сфера', ownSectors(ref, ctx.user).map((x) => [x.id, x.name]), params.sector),
    input('from', 'С даты', { type: 'date', value: params.from, required: true }),
    input('to', 'По дату', { type: 'date', value: params.to, required: true }),
    input('threshold', 'Порог красной зоны, на 1000 жителей', { type: 'number', min: '0', step: 'any', value: params.threshold }),
    el('div', { class: 'form-actions' }, el('button', { type: 'submit', class: 'button button-primary' }, 'Показать')));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    ctx.go('heatmap', Object.fromEntries(new FormData(form)));
  });
  return form;
}

function legend(threshold) {
  const swatch = (fill, text) => el('li', {}, el('span', { class: 'swatch', style: `background:${fill}` }), text);
  return el('ul', { class: 'legend', 'aria-label': 'Легенда' },
    swatch(colour(0, threshold, false), '0'),
    swatch(colour(threshold / 2, threshold, false), `${decimal(threshold / 2)} на 1000`),
    swatch(colour(threshold * 0.99, threshold, false), `меньше ${decimal(threshold)}`),
    swatch(RED, `${decimal(threshold)} и больше: красная зона`));
}
