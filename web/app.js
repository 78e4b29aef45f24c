// app.js — the 驿站地图 page: public map, rider flow, planner view.
//
// No framework: one module over Leaflet (vendor/leaflet, loaded before this
// deferred module) and yizhan's own API and tiles (SPEC §4).  State is a few
// module variables; every server answer goes through api(), which turns the
// API's error body {"error":{"code","message"}} into a Chinese message.
import { handoffLinks } from './nav.js';

const L = window.L;
const $ = (id) => document.getElementById(id);

// ---- vocabulary -------------------------------------------------------------

// SPEC §1's service names → [label, one-glyph icon, icon colour].
const SERVICES = {
  water: ['饮用水', '水', '#1f6fb2'],
  hot_water: ['热水', '热', '#b4361c'],
  charging: ['充电', '电', '#1b7a3a'],
  microwave: ['微波炉', '微', '#8a4b08'],
  toilet: ['卫生间', '厕', '#4b5b6b'],
  wifi: ['无线网络', '网', '#2d52c9'],
  first_aid: ['急救药箱', '医', '#c0262d'],
  umbrella: ['借伞', '伞', '#6f42c1'],
  seating: ['休息座椅', '座', '#5a6b2f'],
  heating: ['取暖', '暖', '#c2410c'],
  cooling: ['纳凉', '凉', '#0e7490'],
  repair: ['维修工具', '修', '#57534e'],
  reading: ['图书阅读', '书', '#7c3aed'],
  legal_aid: ['法律援助', '法', '#1e3a8a'],
};
const MODE_LABEL = { ebike: '电动车', walk: '步行', car: '驾车' };
const DAYS = { Mo: '周一', Tu: '周二', We: '周三', Th: '周四', Fr: '周五', Sa: '周六', Su: '周日' };

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** OSM opening_hours in Chinese for the common forms; anything else as given. */
function hoursText(h) {
  if (!h) return '未提供';
  if (h.trim() === '24/7') return '全天 24 小时';
  if (!/^[A-Za-z0-9:,;\- ]+$/.test(h)) return h;
  return h.split(';').map((rule) => rule.trim()
    .replace(/\b(Mo|Tu|We|Th|Fr|Sa|Su)-(Mo|Tu|We|Th|Fr|Sa|Su)\b/g, (_, a, b) => `${DAYS[a]}至${DAYS[b]}`)
    .replace(/\b(Mo|Tu|We|Th|Fr|Sa|Su)\b/g, (d) => DAYS[d])
    .replace(/,/g, '、')
    .replace(/\boff\b/g, '休息')).join('；');
}

function openText(o) {
  if (o === true) return '<span class="open">营业中</span>';
  if (o === false) return '<span class="closed">已打烊</span>';
  return '<span class="unknown">营业时间未知</span>';
}
function minutesText(s) {
  return s < 60 ? '不到 1 分钟' : `约 ${Math.round(s / 60)} 分钟`;
}
function distText(m) {
  return m < 1000 ? `${Math.round(m)} 米` : `${(m / 1000).toFixed(1)} 公里`;
}
function km(m) {
  return (m / 1000).toFixed(1);
}
function pct(r) {
  return `${(r * 100).toFixed(1)}%`;
}

// ---- the API ----------------------------------------------------------------

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path) {
  let r;
  try {
    r = await fetch(path, { headers: { Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'network', '');
  }
  if (!r.ok) {
    let code = 'http';
    let message = '';
    try {
      const b = await r.json();
      if (b && b.error) ({ code, message } = b.error);
    } catch { /* not the API's JSON error body */ }
    throw new ApiError(r.status, code, message);
  }
  return r.json();
}

function errText(e, what) {
  if (!(e instanceof ApiError)) return `${what}失败：${e.message || e}`;
  if (e.status === 0) return `${what}失败：无法连接服务器，请检查网络后重试。`;
  const why = {
    400: '请求参数有误',
    404: '服务器上还没有这项功能',
    413: '请求太大',
    414: '请求太长',
    422: e.code === 'snap' ? '附近没有可通行的道路（可能在数据范围之外）' : '无法完成这次查询',
    429: '请求太频繁，请稍后再试',
    503: '服务器繁忙，请稍后再试',
  }[e.status] || '服务器出错';
  return `${what}失败：${why}（${e.status}${e.code ? ' ' + e.code : ''}）。` +
    (e.message ? `服务器说明：${e.message}` : '');
}

function showMsg(text, kind = 'error') {
  const m = $('msg');
  m.textContent = text;
  m.className = kind === 'info' ? 'msg info' : 'msg';
  m.hidden = false;
}
function clearMsg() {
  $('msg').hidden = true;
}

// ---- map ----------------------------------------------------------------------

const map = L.map('map', { minZoom: 3, maxZoom: 19, zoomSnap: 1 }).setView([31.23, 121.47], 12);
map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
// stations=0: the page draws its own markers (clustered, clickable) over the map
const baseLayer = L.tileLayer('/tiles/map/{z}/{x}/{y}{r}.png?stations=0', {
  maxZoom: 20,
  attribution: '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
}).addTo(map);
baseLayer.on('tileerror', once(() => showMsg('部分底图瓦片加载失败，请稍后刷新页面。')));
map.createPane('coverage').style.zIndex = 250; // above the base map, below vectors

function once(f) {
  let done = false;
  return (...a) => { if (!done) { done = true; f(...a); } };
}

const stationLayer = L.layerGroup().addTo(map);
const riderLayer = L.layerGroup().addTo(map);
const planLayer = L.layerGroup();
const gapRenderer = L.canvas({ padding: 0.2 });

// ---- stations + grid clustering ----------------------------------------------------

let stations = [];             // {id, name, …, lon, lat} from /api/stations
let selectedId = null;

function fromFeature(f) {
  return { ...f.properties, id: f.properties.id ?? f.id, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1] };
}

function stationIcon(s) {
  const cls = `yz-st${s.open_now === false ? ' closed-st' : ''}${s.id === selectedId ? ' sel' : ''}`;
  return L.divIcon({ className: '', html: `<div class="${cls}"></div>`, iconSize: [26, 26], iconAnchor: [13, 30] });
}

// Stations are grouped by a 64 px grid in world pixel coordinates at the
// current zoom (so panning never regroups); a cell with one station shows the
// station, more show a count that zooms in on click.  From zoom 16 on every
// station stands alone.  A province's ~5 000 stations take ~1 ms.
const CELL_PX = 64;
const CLUSTER_BELOW_ZOOM = 16;

function drawStations() {
  stationLayer.clearLayers();
  const z = map.getZoom();
  const cells = new Map();
  for (const s of stations) {
    let key = s.id;
    if (z < CLUSTER_BELOW_ZOOM) {
      const p = map.project([s.lat, s.lon], z);
      key = `${Math.floor(p.x / CELL_PX)}:${Math.floor(p.y / CELL_PX)}`;
    }
    if (!cells.has(key)) cells.set(key, []);
    cells.get(key).push(s);
  }
  for (const members of cells.values()) {
    if (members.length === 1) {
      const s = members[0];
      L.marker([s.lat, s.lon], { icon: stationIcon(s), title: s.name, alt: s.name, riseOnHover: true })
        .on('click', () => selectStation(s))
        .addTo(stationLayer);
    } else {
      const lat = members.reduce((a, s) => a + s.lat, 0) / members.length;
      const lon = members.reduce((a, s) => a + s.lon, 0) / members.length;
      const bounds = L.latLngBounds(members.map((s) => [s.lat, s.lon]));
      L.marker([lat, lon], {
        icon: L.divIcon({ className: '', html: `<div class="yz-cl">${members.length}</div>`, iconSize: [38, 38], iconAnchor: [19, 19] }),
        title: `${members.length} 个驿站，点击放大`,
        keyboard: true,
      }).on('click', () => {
        if (bounds.getNorthEast().equals(bounds.getSouthWest())) map.setView(bounds.getCenter(), Math.min(z + 2, 19));
        else map.fitBounds(bounds, { padding: [40, 40], maxZoom: 19 });
      }).addTo(stationLayer);
    }
  }
}
map.on('zoomend', drawStations);

function selectStation(s, extra = null) {
  selectedId = s.id;
  drawStations();
  showCard(s, extra);
}

// ---- the station card ------------------------------------------------------------

function servicesHtml(list) {
  if (!list || !list.length) return '<p class="hint">未登记服务</p>';
  return '<ul class="svcs">' + list.map((k) => {
    const [label, glyph, color] = SERVICES[k] || [k, '·', '#4b5b6b'];
    return `<li><span class="ico" style="background:${color}" aria-hidden="true">${glyph}</span>${esc(label)}</li>`;
  }).join('') + '</ul>';
}

function showCard(s, trip) {
  const card = $('card');
  const phone = (s.phone || '').replace(/\s+/g, '');
  const mode = currentMode();
  const links = handoffLinks({ lon: s.lon, lat: s.lat, name: s.name },
    origin ? { lon: origin.lon, lat: origin.lat, name: '我的位置' } : null, mode);
  card.innerHTML = `
    <button type="button" class="close" aria-label="关闭">×</button>
    <h2 id="card-name">${esc(s.name)}</h2>
    <p class="kind">${esc(s.kind || '驿站')} · ${openText(s.open_now)}</p>
    <dl>
      <dt>地址</dt><dd>${esc(s.address || '未提供')}</dd>
      <dt>电话</dt><dd>${phone ? `<a href="tel:${esc(phone)}">${esc(s.phone)}</a>` : '未提供'}</dd>
      <dt>时间</dt><dd>${esc(hoursText(s.hours))}</dd>
      ${trip ? `<dt>行程</dt><dd>${MODE_LABEL[mode]} ${minutesText(trip.duration_s)} · ${distText(trip.distance_m)}</dd>` : ''}
    </dl>
    ${servicesHtml(s.services)}
    <p class="hint">导航到这里（打开地图应用）：</p>
    <div class="nav">${links.map((l) =>
      `<a class="${l.app}" data-app="${l.app}" href="${esc(l.href)}" target="_blank" rel="noopener">${l.label}</a>`).join('')}</div>`;
  card.hidden = false;
  card.querySelector('.close').addEventListener('click', () => {
    card.hidden = true;
    selectedId = null;
    drawStations();
  });
  card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
}

// ---- search ---------------------------------------------------------------------------

$('search').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const q = $('q').value.trim();
  const ul = $('results');
  if (!q) { ul.hidden = true; return; }
  clearMsg();
  try {
    const fc = await api(`/api/stations?q=${encodeURIComponent(q)}`);
    const found = fc.features.map(fromFeature);
    ul.innerHTML = found.length ? '' : `<li class="hint">没有找到名称或地址包含“${esc(q)}”的驿站。</li>`;
    for (const s of found) {
      const li = document.createElement('li');
      li.innerHTML = `<button type="button"><span class="name">${esc(s.name)}</span>` +
        `<span class="meta">${esc(s.address)} · ${openText(s.open_now)}</span></button>`;
      li.querySelector('button').addEventListener('click', () => {
        ul.hidden = true; // the card takes the list's place; searching again brings it back
        map.setView([s.lat, s.lon], Math.max(map.getZoom(), 16));
        selectStation(s);
      });
      ul.append(li);
    }
    ul.hidden = false;
  } catch (e) {
    showMsg(errText(e, '搜索'));
  }
});

// ---- rider flow ----------------------------------------------------------------------

let origin = null;      // {lon, lat} in WGS84
let nearest = [];       // the last /api/nearest results
let riderSeq = 0;       // answers of superseded queries are dropped

function currentMode() {
  return document.querySelector('input[name="mode"]:checked').value;
}

for (const [key, [label]] of Object.entries(SERVICES)) {
  const l = document.createElement('label');
  l.className = 'chk';
  l.innerHTML = `<input type="checkbox" name="service" value="${key}"> ${label}`;
  $('services').append(l);
}

function startPicking(text) {
  showMsg(text, 'info');
  map.getContainer().style.cursor = 'crosshair';
  map.once('click', (e) => {
    map.getContainer().style.cursor = '';
    clearMsg();
    setOrigin(e.latlng.lng, e.latlng.lat);
  });
}

$('pick').addEventListener('click', () => startPicking('请在地图上点一下你的位置。'));

$('locate').addEventListener('click', () => {
  clearMsg();
  if (!('geolocation' in navigator)) {
    startPicking('这个浏览器不支持定位：请在地图上点一下你的位置。');
    return;
  }
  const b = $('locate');
  b.disabled = true;
  b.textContent = '定位中…';
  navigator.geolocation.getCurrentPosition((pos) => {
    b.disabled = false;
    b.textContent = '定位';
    setOrigin(pos.coords.longitude, pos.coords.latitude);
  }, (err) => {
    b.disabled = false;
    b.textContent = '定位';
    startPicking(err.code === 1
      ? '未获得定位权限：请在地图上点一下你的位置。'
      : '暂时无法获取位置：请在地图上点一下你的位置。');
  }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
});

for (const el of document.querySelectorAll('input[name="mode"], input[name="service"], #open-now'))
  el.addEventListener('change', () => { if (origin) runNearest(); });

let originMarker = null;
function setOrigin(lon, lat) {
  origin = { lon, lat };
  if (!originMarker) {
    originMarker = L.circleMarker([lat, lon], { radius: 8, color: '#fff', weight: 3, fillColor: '#1a73e8', fillOpacity: 1, className: 'yz-me' })
      .bindTooltip('我的位置');
  }
  originMarker.setLatLng([lat, lon]).addTo(map);
  map.setView([lat, lon], Math.max(map.getZoom(), 15));
  runNearest();
}

async function runNearest() {
  const seq = ++riderSeq;
  const mode = currentMode();
  const services = [...document.querySelectorAll('input[name="service"]:checked')].map((i) => i.value);
  const params = new URLSearchParams({ lon: origin.lon.toFixed(7), lat: origin.lat.toFixed(7), mode, k: '3' });
  if (services.length) params.set('service', services.join(','));
  if ($('open-now').checked) params.set('open_now', '1');
  const ol = $('nearest');
  $('where').textContent = `正在按${MODE_LABEL[mode]}查找最近的驿站…`;
  riderLayer.clearLayers();
  if (selectedId !== null) { // its trip and hand-off links were for the old point or mode
    $('card').hidden = true;
    selectedId = null;
    drawStations();
  }
  try {
    const r = await api(`/api/nearest?${params}`);
    if (seq !== riderSeq) return;
    nearest = r.results;
    clearMsg();
    $('where').textContent = nearest.length
      ? `按${MODE_LABEL[mode]}行程时间，离你最近的 ${nearest.length} 个驿站（点选查看路线）：`
      : '没有符合条件的驿站：可以减少筛选条件，或换一种出行方式。';
    ol.innerHTML = '';
    nearest.forEach((s, i) => {
      const li = document.createElement('li');
      li.innerHTML = `<button type="button" aria-pressed="false"><span class="name"><span class="rank">${i + 1}</span>${esc(s.name)}</span>` +
        `<span class="meta">${minutesText(s.duration_s)} · ${distText(s.distance_m)} · ${openText(s.open_now)}</span></button>`;
      li.querySelector('button').addEventListener('click', () => chooseNearest(i));
      ol.append(li);
    });
    ol.hidden = !nearest.length;
  } catch (e) {
    if (seq !== riderSeq) return;
    ol.hidden = true;
    $('where').textContent = '';
    showMsg(errText(e, '查找最近驿站'));
  }
}

async function chooseNearest(i) {
  const s = nearest[i];
  const seq = ++riderSeq;
  const mode = currentMode();
  $('nearest').querySelectorAll('button').forEach((b, j) => b.setAttribute('aria-pressed', String(j === i)));
  riderLayer.clearLayers();
  const line = s.route.coordinates.map(([x, y]) => [y, x]);
  L.polyline(line, { color: '#ffffff', weight: 9, opacity: 0.9, className: 'yz-route-casing', interactive: false }).addTo(riderLayer);
  const route = L.polyline(line, { color: '#e36209', weight: 5, className: 'yz-route', interactive: false }).addTo(riderLayer);
  map.fitBounds(route.getBounds().extend([s.lat, s.lon]), { padding: [40, 40], maxZoom: 17 });
  selectStation(s, s);
  try {
    const params = new URLSearchParams({ lon: s.lon.toFixed(7), lat: s.lat.toFixed(7), mode, minutes: '15', direction: 'to' });
    const fc = await api(`/api/isochrone?${params}`);
    if (seq !== riderSeq) return;
    L.geoJSON(fc, {
      filter: (f) => f.properties.kind !== 'network',
      style: { color: '#0b5f56', weight: 2, dashArray: '6 4', fillColor: '#0b5f56', fillOpacity: 0.1, className: 'yz-iso' },
      interactive: false,
    }).addTo(riderLayer);
    route.bringToFront();
  } catch (e) {
    if (seq === riderSeq) showMsg(errText(e, '读取 15 分钟服务圈'));
  }
}

// ---- tabs -------------------------------------------------------------------------------

const tabs = [$('tab-map'), $('tab-plan')];
let planOpened = false;
function selectTab(t) {
  for (const x of tabs) {
    const on = x === t;
    x.setAttribute('aria-selected', String(on));
    x.tabIndex = on ? 0 : -1;
    $(x.getAttribute('aria-controls')).hidden = !on;
  }
  clearMsg();
  const planning = t.id === 'tab-plan';
  if (planning) {
    planLayer.addTo(map);
    riderLayer.remove();
    if (!planOpened) { planOpened = true; runCoverage(); }
  } else {
    planLayer.remove();
    riderLayer.addTo(map);
  }
  if (coverageLayer) (planning ? coverageLayer.addTo(map) : coverageLayer.remove());
}
tabs.forEach((t, i) => {
  t.addEventListener('click', () => selectTab(t));
  t.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const n = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    n.focus();
    selectTab(n);
  });
});

// ---- planner ---------------------------------------------------------------------------

let coverageLayer = null;
let communities = null;      // id → GeoJSON Feature
let commHighlight = null;

function planParams() {
  return { mode: $('plan-mode').value, minutes: $('plan-minutes').value, k: String(Math.min(20, Math.max(1, parseInt($('plan-k').value, 10) || 5))) };
}

function updateExports() {
  const { mode, minutes, k } = planParams();
  $('x-cov-csv').href = `/api/coverage?${new URLSearchParams({ mode, minutes, format: 'csv' })}`;
  $('x-sug-geojson').href = `/api/suggest?${new URLSearchParams({ mode, minutes, k, format: 'geojson' })}`;
  $('x-sug-csv').href = `/api/suggest?${new URLSearchParams({ mode, minutes, k, format: 'csv' })}`;
}
for (const id of ['plan-mode', 'plan-minutes', 'plan-k']) $(id).addEventListener('change', updateExports);

$('plan-form').addEventListener('submit', (e) => { e.preventDefault(); runCoverage(); });

async function loadCommunities() {
  if (communities) return communities;
  const fc = await api('/api/communities');
  communities = new Map(fc.features.map((f) => [String(f.properties.id ?? f.id), f]));
  return communities;
}

async function runCoverage() {
  const { mode, minutes } = planParams();
  updateExports();
  clearMsg();
  planLayer.clearLayers();
  $('suggestions').hidden = true;
  if (coverageLayer) coverageLayer.remove();
  coverageLayer = null;
  const btn = document.querySelector('#plan-form button');
  btn.disabled = true;
  try {
    const [cov] = await Promise.all([api(`/api/coverage?${new URLSearchParams({ mode, minutes })}`), loadCommunities().catch(() => null)]);
    renderCoverage(cov);
    // The overlay only once the analysis exists: a server without coverage
    // would otherwise answer every tile with an error.
    coverageLayer = L.tileLayer(`/tiles/coverage/{z}/{x}/{y}{r}.png?${new URLSearchParams({ mode, minutes })}`, {
      pane: 'coverage', maxZoom: 20, opacity: 0.8,
    });
    coverageLayer.on('tileerror', once(() => showMsg('覆盖图层暂时无法显示（服务器没有返回覆盖瓦片）。')));
    if ($('tab-plan').getAttribute('aria-selected') === 'true') coverageLayer.addTo(map);
  } catch (e) {
    $('plan-table').hidden = true;
    $('plan-total').hidden = true;
    showMsg(errText(e, '覆盖分析'));
  } finally {
    btn.disabled = false;
  }
}

function renderCoverage(cov) {
  const t = cov.total;
  $('plan-total').textContent = `${MODE_LABEL[cov.mode] || cov.mode} ${cov.minutes} 分钟：道路 ${km(t.road_m)} 公里，` +
    `已覆盖 ${km(t.covered_m)} 公里（${pct(t.ratio)}）`;
  $('plan-total').hidden = false;
  // Lowest coverage first; communities without any road of this mode (outside
  // the road data) have no meaningful ratio and go last.
  const rows = [...cov.communities].sort((a, b) => (a.road_m > 0 ? 0 : 1) - (b.road_m > 0 ? 0 : 1) ||
    a.ratio - b.ratio || a.name.localeCompare(b.name, 'zh-CN'));
  const withPop = rows.some((c) => c.population != null);
  const head = $('plan-table').tHead.rows[0];
  if (withPop && head.cells.length === 4) head.insertAdjacentHTML('beforeend', '<th scope="col">人口覆盖</th>');
  if (!withPop && head.cells.length === 5) head.deleteCell(4);
  const tb = $('plan-table').tBodies[0];
  tb.innerHTML = '';
  for (const c of rows) {
    const tr = document.createElement('tr');
    tr.dataset.id = c.id;
    tr.innerHTML = `<td><button type="button">${esc(c.name)}</button></td><td>${km(c.road_m)} km</td><td>${km(c.covered_m)} km</td>` +
      (c.road_m > 0 ? `<td><span class="bar" style="width:${Math.round(c.ratio * 40)}px"></span>${pct(c.ratio)}</td>`
        : '<td title="数据范围内没有这种出行方式可用的道路">无道路</td>') +
      (withPop ? `<td>${c.population ? pct((c.covered_population ?? 0) / c.population) : '—'}</td>` : '');
    tr.querySelector('button').addEventListener('click', () => zoomToCommunity(c.id, tr));
    tb.append(tr);
  }
  $('plan-table').hidden = false;
  if (cov.gaps && cov.gaps.coordinates && cov.gaps.coordinates.length)
    L.geoJSON(cov.gaps, { style: { color: '#d0021b', weight: 2.5, opacity: 0.85 }, renderer: gapRenderer, interactive: false }).addTo(planLayer);
}

async function zoomToCommunity(id, tr) {
  try {
    const cs = await loadCommunities();
    const f = cs.get(String(id));
    if (!f) { showMsg(`没有找到社区 ${id} 的边界。`); return; }
    if (commHighlight) commHighlight.remove();
    commHighlight = L.geoJSON(f, { style: { color: '#1f3a93', weight: 3, fill: false, className: 'yz-comm' }, interactive: false }).addTo(planLayer);
    map.fitBounds(commHighlight.getBounds(), { padding: [20, 20] });
    tr.parentNode.querySelectorAll('tr').forEach((r) => r.classList.toggle('sel', r === tr));
  } catch (e) {
    showMsg(errText(e, '读取社区边界'));
  }
}

let sugLayer = null;
$('suggest').addEventListener('click', async () => {
  const { mode, minutes, k } = planParams();
  updateExports();
  clearMsg();
  const b = $('suggest');
  b.disabled = true;
  try {
    const r = await api(`/api/suggest?${new URLSearchParams({ mode, minutes, k })}`);
    if (sugLayer) sugLayer.remove();
    sugLayer = L.layerGroup().addTo(planLayer);
    const ol = $('suggestions');
    ol.innerHTML = '';
    r.sites.forEach((s, i) => {
      L.marker([s.lat, s.lon], {
        icon: L.divIcon({ className: '', html: `<div class="yz-sug">${i + 1}</div>`, iconSize: [28, 28], iconAnchor: [14, 14] }),
        title: `建议站点 ${i + 1}`,
      }).addTo(sugLayer);
      const li = document.createElement('li');
      li.innerHTML = `<button type="button"><span class="name"><span class="rank">${i + 1}</span>建议新站点</span>` +
        `<span class="meta">新增覆盖 ${km(s.gain_m)} 公里 · 累计覆盖 ${km(s.covered_m_after)} 公里</span></button>`;
      li.querySelector('button').addEventListener('click', () => map.setView([s.lat, s.lon], 16));
      ol.append(li);
    });
    if (!r.sites.length) ol.innerHTML = '<li class="hint">没有能再增加覆盖的站点。</li>';
    ol.hidden = false;
    if (r.sites.length) map.fitBounds(L.latLngBounds(r.sites.map((s) => [s.lat, s.lon])), { padding: [40, 40], maxZoom: 15 });
  } catch (e) {
    showMsg(errText(e, '建议新站点'));
  } finally {
    b.disabled = false;
  }
});

// ---- start ---------------------------------------------------------------------------------

async function start() {
  try {
    const h = await api('/health');
    const d = h.dataset;
    document.title = `驿站地图 · ${d.name}`;
    if (d.demo) {
      // The server's notice is Chinese then English; the page shows the
      // Chinese sentence and keeps the whole text as the tooltip.
      const full = d.notice || '演示数据：驿站信息为虚构。';
      $('notice').textContent = full.includes('。') ? full.slice(0, full.indexOf('。') + 1) : full;
      $('notice').title = full;
      $('notice').hidden = false;
    }
  } catch (e) {
    showMsg(errText(e, '读取数据集信息'));
  }
  try {
    const fc = await api('/api/stations');
    stations = fc.features.map(fromFeature);
    if (stations.length) map.fitBounds(L.latLngBounds(stations.map((s) => [s.lat, s.lon])), { padding: [20, 20] });
    drawStations();
    document.body.dataset.ready = '1';
  } catch (e) {
    showMsg(errText(e, '读取驿站'));
  }
}
start();
