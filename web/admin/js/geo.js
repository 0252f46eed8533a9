// Районы на SVG без картографических подложек: пути уже спроецированы сервером (GET /v1/districts),
// точка ставится по той же линейной формуле: x = (lon − lon0)·kx, y = (lat0 − lat)·ky.
import { svg } from './dom.js';

export function projectPoint(map, lat, lon) {
  const p = map.projection;
  return [((Number(lon) - p.lon0) * p.kx).toFixed(1), ((p.lat0 - Number(lat)) * p.ky).toFixed(1)];
}

/**
 * map: ответ GET /v1/districts. options: {label, fill(district) → цвет, title(district) → подсказка,
 *   point: {lat, lon}, className, focusable: районы получают фокус с клавиатуры (подсказка — их название)}
 */
export function districtMap(map, options) {
  const root = svg('svg', { viewBox: `0 0 ${map.width} ${map.height}`, role: 'img', 'aria-label': options.label,
    class: `district-map ${options.className || ''}`, preserveAspectRatio: 'xMidYMid meet' });
  for (const district of map.districts || []) {
    const title = options.title ? options.title(district) : district.name;
    root.append(svg('path', { d: district.path, fill: options.fill ? options.fill(district) : '#e3e8ee',
      class: 'district', 'data-district': district.id, tabindex: options.focusable ? '0' : null,
      'aria-label': options.focusable ? title : null }, svg('title', {}, title)));
  }
  if (options.point && options.point.lat != null && options.point.lon != null) {
    const [x, y] = projectPoint(map, options.point.lat, options.point.lon);
    root.append(svg('circle', { cx: x, cy: y, r: 9, class: 'map-point-halo' }),
      svg('circle', { cx: x, cy: y, r: 4.5, class: 'map-point' }, svg('title', {}, 'Место, указанное жителем')));
  }
  return root;
}
