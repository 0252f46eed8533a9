// Районы из GeoJSON → SVG без картографических подложек: равнопромежуточная проекция с поправкой на широту.
import { svg } from './dom.js';

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return geometry.coordinates;
  if (geometry.type === 'MultiPolygon') return geometry.coordinates.flat();
  return [];
}

function projection(features, width) {
  let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const f of features) {
    for (const ring of rings(f.geometry)) {
      for (const [lon, lat] of ring) {
        minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
        minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
      }
    }
  }
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const scale = width / Math.max((maxLon - minLon) * k, 1e-9);
  return {
    width,
    height: Math.round((maxLat - minLat) * scale),
    project: ([lon, lat]) => [((lon - minLon) * k * scale).toFixed(1), ((maxLat - lat) * scale).toFixed(1)],
  };
}

function pathData(geometry, project) {
  return rings(geometry).map((ring) => `M${ring.map((p) => project(p).join(' ')).join('L')}Z`).join('');
}

/**
 * options: {width, label, fill(feature) → цвет, title(feature) → подсказка, point: {lat, lon}, className,
 *           focusable: районы получают фокус с клавиатуры (подсказка читается как их название)}
 */
export function districtMap(geojson, options) {
  const features = (geojson && geojson.features) || [];
  const { width, height, project } = projection(features, options.width || 600);
  const map = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': options.label,
    class: `district-map ${options.className || ''}`, preserveAspectRatio: 'xMidYMid meet' });
  for (const feature of features) {
    const props = feature.properties || {};
    const title = options.title ? options.title(feature) : props.name;
    map.append(svg('path', { d: pathData(feature.geometry, project), fill: options.fill ? options.fill(feature) : '#e3e8ee',
      class: 'district', 'data-district': props.id, tabindex: options.focusable ? '0' : null,
      'aria-label': options.focusable ? title : null }, svg('title', {}, title)));
  }
  if (options.point && options.point.lat != null && options.point.lon != null) {
    const [x, y] = project([Number(options.point.lon), Number(options.point.lat)]);
    map.append(svg('circle', { cx: x, cy: y, r: 9, class: 'map-point-halo' }),
      svg('circle', { cx: x, cy: y, r: 4.5, class: 'map-point' }, svg('title', {}, 'Место, указанное жителем')));
  }
  return map;
}
