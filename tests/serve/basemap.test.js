// basemap.test.js -- `greenmine serve --basemap URL`: the check page draws the
// site's own XYZ tiles under the data (a tile server the test runs on
// loopback), and asks for nothing else outside the server.
// Usage: node basemap.test.js URL TILE_PREFIX
'use strict';
const { check, launch, finish } = require('./browser');

const [URL, TILES] = process.argv.slice(2);
(async () => {
  const { browser, context } = await launch({ width: 1000, height: 700 });
  const page = await context.newPage();
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(URL) && !r.url().startsWith(TILES)) elsewhere.push(r.url());
  });
  await page.goto(URL + '/');
  await page.waitForSelector('img.leaflet-tile-loaded', { timeout: 60000 });
  const tiles = await page.$$eval('img.leaflet-tile-loaded', (is) => is.map((i) => ({
    src: i.src, w: i.naturalWidth, shown: i.getBoundingClientRect().width,
  })));
  check(tiles.length > 0 && tiles.every((t) => /\/\d+\/\d+\/\d+\.png$/.test(t.src) && t.src.startsWith(TILES)),
    `tiles from the basemap: ${JSON.stringify(tiles.slice(0, 3))}`);
  check(tiles.every((t) => t.w === 256 && t.shown > 200), `tiles drawn 256 px: ${JSON.stringify(tiles.slice(0, 2))}`);
  // the data stays over the tiles: the red lines' pane above the tile pane
  const z = await page.evaluate(() => [getComputedStyle(document.querySelector('.leaflet-tile-pane')).zIndex,
    getComputedStyle(document.querySelector('.leaflet-overlay-pane')).zIndex].map(Number));
  check(z[0] < z[1], `tiles under the data: z-index ${z}`);
  check(elsewhere.length === 0, `requests elsewhere: ${elsewhere.slice(0, 3)}`);
  await browser.close();
  finish('serve basemap');
})().catch((e) => { console.error(e); process.exit(1); });
