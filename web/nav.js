// nav.js — coordinate conversions and navigation hand-off links for the
// 驿站地图 page.  Pure functions, no DOM: the page imports them, and
// tests/browser/nav.test.mjs checks them under node against the server's own
// C implementation (data/crs.c, tests/unit/check_crs.c).
//
// yizhan works in WGS84.  Chinese map apps want their own systems:
//   GCJ-02 (高德 Amap, 腾讯 Tencent): WGS84 plus the published obfuscation
//     polynomial on the Krasovsky ellipsoid; inside mainland China's box only,
//     outside it GCJ-02 equals WGS84.
//   BD-09 (百度 Baidu): GCJ-02 plus Baidu's published rotation/shift.
// The constants are the published ones, digit for digit, as in data/crs.c.

const PI = 3.1415926535897932384626;
const GCJ_A = 6378245.0;
const GCJ_EE = 0.00669342162296594323;
const BD_X_PI = (PI * 3000.0) / 180.0;

/** The published mainland-China test (the same box as data/crs.c). */
export function outOfChina(lon, lat) {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function gcjDlat(x, y) {
  let r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(y * PI) + 40.0 * Math.sin((y / 3.0) * PI)) * 2.0) / 3.0;
  r += ((160.0 * Math.sin((y / 12.0) * PI) + 320.0 * Math.sin((y * PI) / 30.0)) * 2.0) / 3.0;
  return r;
}

function gcjDlon(x, y) {
  let r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0) / 3.0;
  r += ((20.0 * Math.sin(x * PI) + 40.0 * Math.sin((x / 3.0) * PI)) * 2.0) / 3.0;
  r += ((150.0 * Math.sin((x / 12.0) * PI) + 300.0 * Math.sin((x / 30.0) * PI)) * 2.0) / 3.0;
  return r;
}

/** WGS84 → GCJ-02, [lon, lat].  Identity outside China. */
export function wgs84ToGcj02(lon, lat) {
  if (outOfChina(lon, lat)) return [lon, lat];
  let dlat = gcjDlat(lon - 105.0, lat - 35.0);
  let dlon = gcjDlon(lon - 105.0, lat - 35.0);
  const radlat = (lat / 180.0) * PI;
  let magic = Math.sin(radlat);
  magic = 1 - GCJ_EE * magic * magic;
  const sqrtmagic = Math.sqrt(magic);
  dlat = (dlat * 180.0) / (((GCJ_A * (1 - GCJ_EE)) / (magic * sqrtmagic)) * PI);
  dlon = (dlon * 180.0) / ((GCJ_A / sqrtmagic) * Math.cos(radlat) * PI);
  return [lon + dlon, lat + dlat];
}

/** GCJ-02 → BD-09, [lon, lat] (Baidu's published forward formula). */
export function gcj02ToBd09(lon, lat) {
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * BD_X_PI);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * BD_X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** WGS84 → BD-09, [lon, lat].  Like the published code (and data/crs.c),
 * Baidu's own shift applies everywhere; only the GCJ-02 step is China-only.
 * The hand-off links below never send BD-09 outside China (they send WGS84
 * with coord_type=wgs84 there). */
export function wgs84ToBd09(lon, lat) {
  const [glon, glat] = wgs84ToGcj02(lon, lat);
  return gcj02ToBd09(glon, glat);
}

// ---- hand-off links ------------------------------------------------------
//
// Each builder takes the destination {lon, lat, name} in WGS84, an optional
// origin {lon, lat, name} in WGS84 (the rider's position; without it the app
// starts from the phone's own location), and yizhan's mode (ebike, walk, car).
// Coordinates go out with 6 decimals (≈ 0.1 m), the precision the apps' own
// documentation uses.

const SRC = 'yizhan';

function fmt(v) {
  return v.toFixed(6);
}

// The apps' documented examples write `,` `:` `|` literally inside values
// (to=lon,lat,name; latlng:lat,lng|name:…), so those stay readable; all else
// is percent-encoded.  A name's own `,` `|` `;` would split those lists and
// become their full-width forms.
function query(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%7C/g, '|')}`)
    .join('&');
}

function safeName(name) {
  return String(name || '').replace(/,/g, '，').replace(/\|/g, '｜').replace(/;/g, '；').trim();
}

/* 高德 Amap, URI API 路径规划 (https://lbs.amap.com/api/uri-api/guide/travel/route):
 *   https://uri.amap.com/navigation?from=lon,lat[,name]&to=lon,lat[,name]
 *     &mode=car|bus|walk|ride&policy=0&src=…&coordinate=gaode|wgs84&callnative=1
 * An empty `from` means the phone's current position (mobile only); ride
 * (骑行) is the e-bike's closest mode.  Coordinates are GCJ-02 (coordinate=gaode). */
const AMAP_MODE = { ebike: 'ride', walk: 'walk', car: 'car' };

export function amapUrl(dest, origin, mode = 'ebike') {
  const point = (p) => {
    const [x, y] = wgs84ToGcj02(p.lon, p.lat);
    return `${fmt(x)},${fmt(y)}${p.name ? ',' + safeName(p.name) : ''}`;
  };
  return (
    'https://uri.amap.com/navigation?' +
    query({
      from: origin ? point(origin) : '',
      to: point(dest),
      mode: AMAP_MODE[mode] || 'ride',
      policy: 0,
      src: SRC,
      coordinate: 'gaode',
      callnative: 1,
    })
  );
}

/* 百度 Baidu, URI API (https://lbsyun.baidu.com/index.php?title=uri/api/web and
 * …title=uri/api/android|ios):
 *   web:  https://api.map.baidu.com/direction?origin=latlng:lat,lng|name:…
 *           &destination=latlng:lat,lng|name:…&mode=riding|walking|driving
 *           &coord_type=bd09ll|gcj02|wgs84&output=html&src=…
 *   app:  baidumap://map/direction?destination=latlng:lat,lng|name:…
 *           &coord_type=…&mode=…&src=…   (no origin: the phone's position)
 * The web form needs an origin, so without one the app form is used.  Note
 * the latitude-first order.  Inside China we send BD-09 (coord_type=bd09ll);
 * outside China Baidu itself uses WGS84, so we send that (coord_type=wgs84). */
const BAIDU_MODE = { ebike: 'riding', walk: 'walking', car: 'driving' };

export function baiduUrl(dest, origin, mode = 'ebike') {
  const china = !outOfChina(dest.lon, dest.lat);
  const point = (p) => {
    const [x, y] = china ? wgs84ToBd09(p.lon, p.lat) : [p.lon, p.lat];
    return `latlng:${fmt(y)},${fmt(x)}${p.name ? '|name:' + safeName(p.name) : ''}`;
  };
  const params = {
    origin: origin ? point(origin) : '',
    destination: point(dest),
    mode: BAIDU_MODE[mode] || 'riding',
    coord_type: china ? 'bd09ll' : 'wgs84',
  };
  if (origin)
    return (
      'https://api.map.baidu.com/direction?' +
      query({ ...params, output: 'html', src: 'webapp.yizhan.map' })
    );
  return 'baidumap://map/direction?' + query({ ...params, src: 'webapp.yizhan.map' });
}

/* 腾讯 Tencent, URI API 路线规划 (https://lbs.qq.com/webApi/uriV1/uriGuide/uriWebRoute,
 * app: …/uriMobileRoute):
 *   https://apis.map.qq.com/uri/v1/routeplan?type=bus|drive|walk|bike
 *     &from=…&fromcoord=lat,lng&to=…&tocoord=lat,lng&referer=…
 * Coordinates GCJ-02 (腾讯坐标, coord_type=2, the default), latitude first.
 * Without an origin, fromcoord=CurrentLocation (the app's own position). */
const QQ_MODE = { ebike: 'bike', walk: 'walk', car: 'drive' };

export function tencentUrl(dest, origin, mode = 'ebike') {
  const coord = (p) => {
    const [x, y] = wgs84ToGcj02(p.lon, p.lat);
    return `${fmt(y)},${fmt(x)}`;
  };
  return (
    'https://apis.map.qq.com/uri/v1/routeplan?' +
    query({
      type: QQ_MODE[mode] || 'bike',
      from: origin ? safeName(origin.name) || '我的位置' : '',
      fromcoord: origin ? coord(origin) : 'CurrentLocation',
      to: safeName(dest.name) || '驿站',
      tocoord: coord(dest),
      referer: SRC,
    })
  );
}

/** All three, in the order the page shows them. */
export function handoffLinks(dest, origin, mode) {
  return [
    { app: 'amap', label: '高德地图', href: amapUrl(dest, origin, mode) },
    { app: 'baidu', label: '百度地图', href: baiduUrl(dest, origin, mode) },
    { app: 'tencent', label: '腾讯地图', href: tencentUrl(dest, origin, mode) },
  ];
}
