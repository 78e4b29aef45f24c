// nav.test.mjs — web/nav.js under node: the GCJ-02 / BD-09 conversions against
// reference values, and the three hand-off URLs.  Run: node --test tests/browser/
//
// Reference values: the published vector of wandergis/coordtransform (the one
// tests/unit/check_crs.c checks data/crs.c against, to 1e-11°), and Shanghai
// points printed by data/crs.c itself (crs_wgs84_to_gcj02 / crs_wgs84_to_bd09,
// "%.17g") for stations of the bundled dataset.
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  outOfChina, wgs84ToGcj02, gcj02ToBd09, wgs84ToBd09,
  amapUrl, baiduUrl, tencentUrl, handoffLinks,
} from '../../web/nav.js';

const EPS = 1e-11; // degrees: the C and JS code run the same double arithmetic

const REF = [
  // [wgs lon, wgs lat, gcj lon, gcj lat, bd lon, bd lat]
  // published (check_crs.c PUB_*): Tiananmen
  [116.404, 39.915, 116.41024449916938, 39.91640428150164, 116.41662724378733, 39.922699552216216],
  // data/crs.c: the median station position of data/shanghai
  [121.4621736, 31.2365411, 121.46673284045504, 31.234631475070501, 121.47323569184229, 31.240698343847132],
  // data/crs.c: station SH-001 洛川中路东段爱心驿站
  [121.4516506, 31.2692831, 121.45624122670267, 31.26741179555933, 121.462672016691, 31.273650279462249],
  // data/crs.c: station SH-040 成都北路爱心驿站
  [121.4602341, 31.2395936, 121.46479918062833, 31.237690029537795, 121.47129179605056, 31.243792620495519],
];

function near(actual, expected, eps, what) {
  assert.ok(Math.abs(actual - expected) <= eps, `${what}: ${actual} vs ${expected}`);
}

test('WGS84 → GCJ-02 and → BD-09 equal the reference values', () => {
  for (const [lon, lat, glon, glat, blon, blat] of REF) {
    const [gx, gy] = wgs84ToGcj02(lon, lat);
    near(gx, glon, EPS, `gcj lon ${lon},${lat}`);
    near(gy, glat, EPS, `gcj lat ${lon},${lat}`);
    const [bx, by] = wgs84ToBd09(lon, lat);
    near(bx, blon, EPS, `bd lon ${lon},${lat}`);
    near(by, blat, EPS, `bd lat ${lon},${lat}`);
  }
});

test('GCJ-02 → BD-09 alone equals the published gcj02tobd09(116.404, 39.915)', () => {
  const [x, y] = gcj02ToBd09(116.404, 39.915);
  near(x, 116.41036949371029, EPS, 'lon');
  near(y, 39.92133699351021, EPS, 'lat');
});

test('outside China GCJ-02 is WGS84; BD-09 keeps Baidu\'s shift like the published code', () => {
  assert.equal(outOfChina(13.405, 52.52), true);
  assert.equal(outOfChina(121.46, 31.23), false);
  assert.deepEqual(wgs84ToGcj02(13.405, 52.52), [13.405, 52.52]);
  const [bx, by] = wgs84ToBd09(13.405, 52.52); // data/crs.c: 13.41153649601665 52.52597280909854
  near(bx, 13.41153649601665, EPS, 'lon');
  near(by, 52.52597280909854, EPS, 'lat');
});

test('the Shanghai offset is a few hundred metres (a conversion really happens)', () => {
  const [lon, lat] = [121.4621736, 31.2365411];
  const [gx, gy] = wgs84ToGcj02(lon, lat);
  const m = Math.hypot((gx - lon) * 111320 * Math.cos((lat * Math.PI) / 180), (gy - lat) * 110540);
  assert.ok(m > 300 && m < 800, `offset ${m} m`);
});

// ---- URLs -----------------------------------------------------------------

const DEST = { lon: 121.4602341, lat: 31.2395936, name: '成都北路爱心驿站' };
const ORIGIN = { lon: 121.4621736, lat: 31.2365411, name: '我的位置' };

function params(url) {
  const q = url.slice(url.indexOf('?') + 1);
  return Object.fromEntries(q.split('&').map((kv) => {
    const i = kv.indexOf('=');
    return [kv.slice(0, i), decodeURIComponent(kv.slice(i + 1))];
  }));
}

test('高德: uri.amap.com/navigation, lon,lat,name in GCJ-02, mode=ride', () => {
  const u = amapUrl(DEST, ORIGIN, 'ebike');
  assert.ok(u.startsWith('https://uri.amap.com/navigation?'), u);
  const p = params(u);
  assert.equal(p.to, '121.464799,31.237690,成都北路爱心驿站');
  assert.equal(p.from, '121.466733,31.234631,我的位置');
  assert.equal(p.mode, 'ride');
  assert.equal(p.coordinate, 'gaode');
  assert.equal(p.src, 'yizhan');
  assert.equal(params(amapUrl(DEST, null, 'walk')).mode, 'walk');
  assert.equal(params(amapUrl(DEST, null, 'car')).mode, 'car');
  assert.equal(params(amapUrl(DEST, null, 'car')).from, undefined); // from left out: current position
});

test('百度: web direction with origin, latlng lat,lng in BD-09, coord_type=bd09ll', () => {
  const u = baiduUrl(DEST, ORIGIN, 'ebike');
  assert.ok(u.startsWith('https://api.map.baidu.com/direction?'), u);
  const p = params(u);
  assert.equal(p.destination, 'latlng:31.243793,121.471292|name:成都北路爱心驿站');
  assert.equal(p.origin, 'latlng:31.240698,121.473236|name:我的位置');
  assert.equal(p.coord_type, 'bd09ll');
  assert.equal(p.mode, 'riding');
  assert.equal(p.output, 'html');
  assert.ok(p.src);
});

test('百度: without an origin the app URI (baidumap://), which starts from the phone\'s position', () => {
  const u = baiduUrl(DEST, null, 'walk');
  assert.ok(u.startsWith('baidumap://map/direction?'), u);
  const p = params(u);
  assert.equal(p.origin, undefined);
  assert.equal(p.mode, 'walking');
  assert.equal(p.destination, 'latlng:31.243793,121.471292|name:成都北路爱心驿站');
});

test('百度 outside China: WGS84 as it is, coord_type=wgs84', () => {
  const berlin = { lon: 13.405, lat: 52.52, name: 'Berlin' };
  const p = params(baiduUrl(berlin, { lon: 13.4, lat: 52.5 }, 'car'));
  assert.equal(p.coord_type, 'wgs84');
  assert.equal(p.destination, 'latlng:52.520000,13.405000|name:Berlin');
  assert.equal(p.mode, 'driving');
});

test('腾讯: routeplan, tocoord lat,lng in GCJ-02, type=bike', () => {
  const u = tencentUrl(DEST, ORIGIN, 'ebike');
  assert.ok(u.startsWith('https://apis.map.qq.com/uri/v1/routeplan?'), u);
  const p = params(u);
  assert.equal(p.type, 'bike');
  assert.equal(p.tocoord, '31.237690,121.464799');
  assert.equal(p.fromcoord, '31.234631,121.466733');
  assert.equal(p.to, '成都北路爱心驿站');
  assert.equal(p.referer, 'yizhan');
  assert.equal(params(tencentUrl(DEST, null, 'car')).fromcoord, 'CurrentLocation');
  assert.equal(params(tencentUrl(DEST, null, 'car')).type, 'drive');
  assert.equal(params(tencentUrl(DEST, null, 'walk')).type, 'walk');
});

test('names with URL metacharacters are encoded; list separators in names are made full-width', () => {
  const d = { ...DEST, name: 'A&B 驿站#1' };
  for (const l of handoffLinks(d, ORIGIN, 'ebike')) {
    assert.ok(!l.href.includes('A&B'), l.href);
    assert.ok(!l.href.includes('#'), l.href);
    assert.ok(l.href.includes(encodeURIComponent('A&B 驿站#1')), l.href);
  }
  const odd = { ...DEST, name: '甲,乙|丙' };
  assert.equal(params(amapUrl(odd, null)).to, '121.464799,31.237690,甲，乙｜丙');
  assert.equal(params(baiduUrl(odd, null)).destination, 'latlng:31.243793,121.471292|name:甲，乙｜丙');
  // the separators the apps document stay literal
  assert.ok(amapUrl(DEST, null).includes('to=121.464799,31.237690,'));
  assert.ok(baiduUrl(DEST, ORIGIN).includes('destination=latlng:31.243793,121.471292|name:'));
  assert.ok(tencentUrl(DEST, null).includes('tocoord=31.237690,121.464799'));
  assert.deepEqual(handoffLinks(DEST, null, 'ebike').map((l) => l.label), ['高德地图', '百度地图', '腾讯地图']);
});
