// page.test.mjs — the 驿站地图 page in a real browser: headless Chromium
// (Debian's /usr/bin/chromium) driven by playwright-core, against a real
// `./yizhan serve` that tests/browser/run.sh starts (YZ_URL).  Every answer
// the page shows is compared with the API's own answer fetched directly.
// No timings are asserted.  Screenshots go to YZ_BROWSER_OUT (build/browser/).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { wgs84ToGcj02, wgs84ToBd09 } from '../../web/nav.js';

const BASE = process.env.YZ_URL;
const OUT = process.env.YZ_BROWSER_OUT || 'build/browser';
const CHROMIUM = process.env.YZ_CHROMIUM || '/usr/bin/chromium';
// The median station position of data/shanghai (lon 121.4621736, lat 31.2365411).
const HERE = { longitude: 121.4621736, latitude: 31.2365411 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1366, height: 800 } };

const skip = BASE ? false : 'YZ_URL not set: run through `make test-browser`';
let browser;

before(async () => {
  if (skip) return;
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM });
});
after(async () => {
  if (browser) await browser.close();
});

async function getJson(path) {
  const r = await fetch(new URL(path, BASE));
  return { status: r.status, body: await r.json() };
}

/** A fresh context and page with the console watched; waits for the stations. */
async function open(options, { allowFailedUrl = null } = {}) {
  const ctx = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  const page = await ctx.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const url = m.location().url || '';
    if (allowFailedUrl && allowFailedUrl.test(url)) return;
    errors.push(`${m.text()} ${url}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  await page.goto(BASE);
  await page.waitForSelector('body[data-ready="1"]');
  return { ctx, page, errors };
}

async function tilesLoaded(page, paneSel) {
  // after any zoom animation, every tile image of the pane has finished
  await page.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim'));
  await page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll(`${sel} img.leaflet-tile`)];
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, paneSel);
  return page.$$eval(`${paneSel} img.leaflet-tile`, (imgs) => imgs.map((i) => ({ src: i.src, w: i.naturalWidth })));
}

function shot(page, name) {
  return page.screenshot({ path: `${OUT}/${name}.png`, fullPage: true, scale: 'css' });
}

function metres(aLon, aLat, bLon, bLat) {
  const k = Math.PI / 180;
  return Math.hypot((bLon - aLon) * k * Math.cos(aLat * k), (bLat - aLat) * k) * 6371008.8;
}

test('the page loads without console errors: base-map tiles, all stations (clustered), demo notice, attribution', { skip }, async (t) => {
  const { ctx, page, errors } = await open(PHONE);
  const tiles = await tilesLoaded(page, '.leaflet-tile-pane');
  assert.ok(tiles.length > 0);
  for (const t of tiles) {
    assert.ok(t.w > 0, `tile not drawn: ${t.src}`);
    // @2x on a 2x phone; stations=0: the page draws its own markers over the map
    assert.match(t.src, /\/tiles\/map\/\d+\/\d+\/\d+@2x\.png\?stations=0$/, 'a 2x phone gets @2x tiles without station dots');
  }
  const { body: fc } = await getJson('/api/stations');
  const shown = await page.$$eval('.leaflet-marker-pane .leaflet-marker-icon', (els) => els.reduce((n, e) => {
    const c = e.querySelector('.yz-cl');
    return n + (c ? Number(c.textContent) : 1);
  }, 0));
  assert.equal(shown, fc.features.length, 'every station is on the map, alone or in a cluster');
  assert.ok(await page.$('.yz-cl'), 'zoomed out, stations are clustered');
  const { body: health } = await getJson('/health');
  if (health.dataset.demo) {
    assert.ok(await page.isVisible('#notice'));
    assert.match(await page.textContent('#notice'), /演示数据/);
  }
  assert.match(await page.textContent('.leaflet-control-attribution'), /© OpenStreetMap contributors/);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  // What a phone downloads for the first view (reported, not asserted).
  const w = await page.evaluate(() => {
    const out = { html: performance.getEntriesByType('navigation')[0].transferSize, code: 0, api: 0, tiles: 0, n: 0 };
    for (const e of performance.getEntriesByType('resource')) {
      if (e.name.includes('/tiles/')) { out.tiles += e.transferSize; out.n++; }
      else if (e.name.includes('/api/') || e.name.endsWith('/health')) out.api += e.transferSize;
      else out.code += e.transferSize;
    }
    return out;
  });
  t.diagnostic(`first view on a phone: html ${w.html} B, js+css ${w.code} B, API ${w.api} B, ${w.n} tiles ${w.tiles} B (bytes on the wire)`);
  await shot(page, 'phone-map');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('a cluster zooms in on click; search by name opens the station card', { skip }, async () => {
  const { ctx, page, errors } = await open(DESKTOP);
  const before = await page.$$eval('.yz-cl', (e) => e.length);
  await page.click('.yz-cl');
  await page.waitForFunction((n) => document.querySelectorAll('.yz-st').length > 0 &&
    document.querySelectorAll('.yz-cl').length !== n, before);

  const { body: fc } = await getJson('/api/stations');
  const s = fc.features[7].properties;
  const q = s.name.slice(0, 4);
  const { body: hits } = await getJson(`/api/stations?q=${encodeURIComponent(q)}`);
  await page.fill('#q', q);
  await page.press('#q', 'Enter');
  await page.waitForSelector('#results li button');
  const names = await page.$$eval('#results .name', (e) => e.map((x) => x.textContent));
  assert.deepEqual(names, hits.features.map((f) => f.properties.name));
  await page.click(`#results li:nth-child(${names.indexOf(s.name) + 1}) button`);
  await page.waitForSelector('#card:not([hidden])');
  assert.equal(await page.textContent('#card h2'), s.name);
  const card = await page.textContent('#card');
  assert.ok(card.includes(s.address));
  assert.match(card, /营业中|已打烊|营业时间未知/);
  assert.equal(await page.getAttribute('#card a[href^="tel:"]', 'href'), `tel:${s.phone.replace(/\s+/g, '')}`);
  assert.equal(await page.$$eval('#card .svcs li', (e) => e.length), s.services.length);

  await page.fill('#q', '没有这个驿站名字');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => /没有找到/.test(document.querySelector('#results').textContent));
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('定位 with geolocation granted: nearest three as the API ranks them, route + 15-minute circle, hand-off links in GCJ-02 / BD-09', { skip }, async () => {
  for (const [name, options] of [['phone', PHONE], ['desktop', DESKTOP]]) {
    const { ctx, page, errors } = await open({ ...options, geolocation: HERE, permissions: ['geolocation'] });
    await page.click('#locate');
    await page.waitForSelector('#nearest li button');
    const { body: want } = await getJson(`/api/nearest?lon=${HERE.longitude}&lat=${HERE.latitude}&mode=ebike&k=3`);
    assert.ok(want.results.length > 0);
    const names = await page.$$eval('#nearest .name', (e) => e.map((x) => x.textContent.replace(/^\d+/, '')));
    assert.deepEqual(names, want.results.map((r) => r.name));
    const top = want.results[0];
    assert.ok((await page.textContent('#nearest li:first-child')).includes(top.name));

    await page.click('#nearest li:first-child button');
    await page.waitForSelector('.leaflet-overlay-pane path.yz-route');
    await page.waitForSelector('.leaflet-overlay-pane path.yz-iso');
    const d = await page.getAttribute('.leaflet-overlay-pane path.yz-route', 'd');
    assert.ok(d && d.length > 10, 'the route is drawn');
    assert.equal(await page.textContent('#card h2'), top.name);

    const links = Object.fromEntries(await page.$$eval('#card .nav a', (as) => as.map((a) => [a.dataset.app, a.href])));
    const p = (u) => new URL(u).searchParams;
    const [glon, glat] = wgs84ToGcj02(top.lon, top.lat);
    const [blon, blat] = wgs84ToBd09(top.lon, top.lat);
    const [alon, alat] = p(links.amap).get('to').split(',').map(Number);
    assert.ok(Math.abs(alon - glon) < 1e-6 && Math.abs(alat - glat) < 1e-6, `amap to=${alon},${alat}`);
    assert.ok(metres(top.lon, top.lat, alon, alat) > 300, 'amap gets GCJ-02, not WGS84');
    assert.equal(p(links.amap).get('mode'), 'ride');
    const bd = p(links.baidu).get('destination').match(/^latlng:([\d.]+),([\d.]+)\|name:(.*)$/);
    assert.ok(bd, links.baidu);
    assert.ok(Math.abs(Number(bd[1]) - blat) < 1e-6 && Math.abs(Number(bd[2]) - blon) < 1e-6, `baidu ${bd[1]},${bd[2]}`);
    assert.equal(bd[3], top.name);
    assert.equal(p(links.baidu).get('coord_type'), 'bd09ll');
    const [tlat, tlon] = p(links.tencent).get('tocoord').split(',').map(Number);
    assert.ok(Math.abs(tlon - glon) < 1e-6 && Math.abs(tlat - glat) < 1e-6, `tencent tocoord=${tlat},${tlon}`);
    assert.equal(p(links.tencent).get('type'), 'bike');
    const [olat, olon] = p(links.tencent).get('fromcoord').split(',').map(Number);
    const [ogx, ogy] = wgs84ToGcj02(HERE.longitude, HERE.latitude);
    assert.ok(Math.abs(olon - ogx) < 1e-6 && Math.abs(olat - ogy) < 1e-6, 'the origin is converted too');

    await tilesLoaded(page, '.leaflet-tile-pane');
    await shot(page, `${name}-rider`);

    if (name === 'desktop') {
      // Another mode and the open-now filter ask the server again.
      await page.click('label:has(input[value="walk"])');
      const { body: walk } = await getJson(`/api/nearest?lon=${HERE.longitude}&lat=${HERE.latitude}&mode=walk&k=3`);
      // "正在按步行查找…" shows while the old list is still up: wait for the
      // answer's own line, then the list must be the API's.
      await page.waitForFunction(() => /按步行行程时间/.test(document.querySelector('#where').textContent));
      assert.deepEqual(await page.$$eval('#nearest .name', (e) => e.map((x) => x.textContent.replace(/^\d+/, ''))),
        walk.results.map((r) => r.name));
      await page.click('.filters summary');
      await page.check('input[name="service"][value="toilet"]');
      const { body: wc } = await getJson(`/api/nearest?lon=${HERE.longitude}&lat=${HERE.latitude}&mode=walk&k=3&service=toilet`);
      await page.waitForFunction((n) => {
        const got = [...document.querySelectorAll('#nearest .name')].map((x) => x.textContent.replace(/^\d+/, ''));
        return JSON.stringify(got) === JSON.stringify(n);
      }, wc.results.map((r) => r.name));
    }
    assert.deepEqual(errors, []);
    await ctx.close();
  }
});

test('location refused: the page says so in Chinese and a tap on the map sets the point', { skip }, async () => {
  const { ctx, page, errors } = await open({ ...PHONE, permissions: [] });
  await page.click('#locate');
  await page.waitForSelector('#msg:not([hidden])');
  assert.match(await page.textContent('#msg'), /在地图上点一下/);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('#nearest li button');
  assert.ok(await page.$('.leaflet-overlay-pane path.yz-me'), 'the chosen point is marked');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('360 px wide: nothing scrolls sideways, in either view', { skip }, async () => {
  const { ctx, page, errors } = await open({ ...PHONE, viewport: { width: 360, height: 740 }, geolocation: HERE, permissions: ['geolocation'] },
    { allowFailedUrl: /\/api\/(coverage|suggest)\b/ });
  await page.click('#locate');
  await page.waitForSelector('#nearest li button');
  await page.click('#nearest li:first-child button');
  await page.waitForSelector('#card:not([hidden])');
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(await width() <= 360, `map view is ${await width()} px wide`);
  await page.click('#tab-plan');
  await page.waitForFunction(() => !document.querySelector('#plan-table').hidden || !document.querySelector('#msg').hidden);
  assert.ok(await width() <= 360, `planner view is ${await width()} px wide`);
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('keyboard: tabs reach the buttons, focus is visible, Enter on 定位 runs it', { skip }, async () => {
  const { ctx, page, errors } = await open({ ...DESKTOP, geolocation: HERE, permissions: ['geolocation'] });
  let id = '';
  for (let i = 0; i < 40 && id !== 'locate'; i++) {
    await page.keyboard.press('Tab');
    id = await page.evaluate(() => document.activeElement && document.activeElement.id);
  }
  assert.equal(id, 'locate');
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.notEqual(outline, 'none');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#nearest li button');
  assert.deepEqual(errors, []);
  await ctx.close();
});

test('planner view: coverage table, gaps, community zoom, suggestions, exports (or a Chinese error while the API is absent)', { skip }, async (t) => {
  const cov = await getJson('/api/coverage?mode=ebike&minutes=15');
  const absent = cov.status === 404;
  const { ctx, page, errors } = await open(DESKTOP, { allowFailedUrl: absent ? /\/api\/(coverage|suggest)\b/ : null });
  await page.click('#tab-plan');
  if (absent) {
    t.diagnostic('/api/coverage answers 404 on this server: checked the error message only');
    await page.waitForSelector('#msg:not([hidden])');
    assert.match(await page.textContent('#msg'), /覆盖分析失败.*404/);
    await page.click('#suggest');
    await page.waitForFunction(() => /建议新站点失败/.test(document.querySelector('#msg').textContent));
    await shot(page, 'desktop-planner');
    assert.deepEqual(errors, []);
    await ctx.close();
    return;
  }
  assert.equal(cov.status, 200, JSON.stringify(cov.body));

  // The table as the API ranks it, for the default (电动车 15 分钟) and then
  // for 步行 5 分钟, which leaves gaps on the bundled data.
  async function checkTable(body) {
    await page.waitForFunction((want) => {
      const t = document.querySelector('#plan-total');
      return !t.hidden && t.textContent.includes(want);
    }, `${body.minutes} 分钟`);
    const rows = await page.$$eval('#plan-table tbody tr', (trs) => trs.map((tr) => ({
      id: tr.dataset.id, name: tr.cells[0].textContent, ratio: parseFloat(tr.cells[3].textContent),
    })));
    assert.equal(rows.length, body.communities.length);
    const byId = new Map(body.communities.map((c) => [String(c.id), c]));
    let prev = null;
    for (const row of rows) {
      const c = byId.get(row.id);
      assert.ok(c, row.id);
      assert.equal(row.name, c.name);
      if (c.road_m > 0) {
        assert.ok(Math.abs(row.ratio - c.ratio * 100) < 0.06, `${c.name}: ${row.ratio} vs ${c.ratio}`);
        assert.ok(!prev || (prev.road_m > 0 && c.ratio >= prev.ratio), `sorted by coverage ratio at ${c.name}`);
      } else {
        assert.ok(Number.isNaN(row.ratio), 'no roads: no ratio');
      }
      prev = c;
    }
  }
  await page.waitForSelector('#plan-table:not([hidden]) tbody tr');
  await checkTable(cov.body);
  const covTiles = await tilesLoaded(page, '.leaflet-coverage-pane');
  for (const tile of covTiles) assert.ok(tile.w > 0, `coverage tile not drawn: ${tile.src}`);
  assert.match(covTiles[0].src, /\/tiles\/coverage\/.*mode=ebike&minutes=15/);

  await page.selectOption('#plan-mode', 'walk');
  await page.selectOption('#plan-minutes', '5');
  await page.click('#plan-form button[type="submit"]');
  const walk = await getJson('/api/coverage?mode=walk&minutes=5');
  assert.equal(walk.status, 200);
  await checkTable(walk.body);
  if (walk.body.gaps.coordinates.length)
    await page.waitForSelector('.leaflet-overlay-pane canvas'); // the gaps, in red
  await tilesLoaded(page, '.leaflet-coverage-pane');

  await page.click('#plan-table tbody tr:first-child button');
  await page.waitForSelector('.leaflet-overlay-pane path.yz-comm');

  await page.fill('#plan-k', '3');
  await page.click('#suggest');
  const sug = await getJson('/api/suggest?mode=walk&minutes=5&k=3');
  assert.equal(sug.status, 200, JSON.stringify(sug.body));
  await page.waitForSelector('#suggestions:not([hidden]) li');
  assert.equal(await page.$$eval('#suggestions li', (e) => e.length), Math.max(1, sug.body.sites.length));
  assert.equal(await page.$$eval('.yz-sug', (e) => e.length), sug.body.sites.length);
  if (sug.body.sites.length)
    assert.ok((await page.textContent('#suggestions li:first-child')).includes(`${(sug.body.sites[0].gain_m / 1000).toFixed(1)} 公里`));
  for (const [id, re] of [['#x-cov-csv', /\/api\/coverage\?mode=walk&minutes=5&format=csv$/],
    ['#x-sug-geojson', /\/api\/suggest\?mode=walk&minutes=5&k=3&format=geojson$/],
    ['#x-sug-csv', /\/api\/suggest\?mode=walk&minutes=5&k=3&format=csv$/]]) {
    const href = await page.getAttribute(id, 'href');
    assert.match(href, re);
    const r = await fetch(new URL(href, BASE));
    assert.equal(r.status, 200, `${href}: ${r.status}`);
  }
  await shot(page, 'desktop-planner');
  assert.deepEqual(errors, []);
  await ctx.close();
});
