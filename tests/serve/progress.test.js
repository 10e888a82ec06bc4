// progress.test.js -- the progress page of `greenmine serve --db` in Debian's
// headless Chromium: the province and the eight zones with the registry's
// figures (as `progress --json` gives them), the table, the CSV download
// (equal to `progress --csv`), a zone's own URL, the chart, the parcels on
// the map by completion year.
// Usage: node progress.test.js URL EXPECTED.json OUTDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { check, launch, finish } = require('./browser');

const [URL, EXP, OUT] = process.argv.slice(2);
const exp = JSON.parse(fs.readFileSync(EXP, 'utf8'));
(async () => {
  const { browser, context } = await launch({ width: 1400, height: 900 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(URL + '/progress');
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  const series = exp.json.series;
  const last = series.map((s) => s.as_of).sort().pop();
  const latest = series.filter((s) => s.as_of === last);
  const blocks = await page.$$eval('.area', (as) => as.map((a) => ({
    zone: a.dataset.zone,
    done: [...a.querySelectorAll('.bar')].map((b) => Number(b.dataset.done)),
  })));
  check(blocks.length === 9 && latest.length === 9, `province + eight zones: ${blocks.length} blocks, ${latest.length} rows`);
  latest.forEach((s, i) => {
    const b = blocks[i] || { zone: '?', done: [] };
    check(b.zone === (s.zone || '') && b.done[0] === s.restoration_done_ha && b.done[1] === s.reclamation_done_ha,
      `block ${i}: ${JSON.stringify(b)} vs ${s.zone} ${s.restoration_done_ha} ${s.reclamation_done_ha}`);
  });
  const province = latest.find((s) => s.zone === null);
  const txt = await page.textContent('#bars');
  check(txt.includes('/ 2,000.0 ha') && txt.includes('/ 500.0 ha') &&
    txt.includes(`(${province.restoration_pct_of_target.toFixed(1)} %)`),
  'the province against the 2,000 ha and 500 ha targets');
  check((await page.$$('#table tbody tr')).length === series.length, 'one table row per snapshot and area');
  check((await page.$$eval('svg.chart polyline.series', (ps) => ps.map((p) => p.getAttribute('points').split(' ').length)))
    .every((n) => n === exp.snapshots), 'the chart has a point per snapshot');
  const csv = await page.evaluate(() => fetch(document.querySelector('#csv').href).then((r) => r.text()));
  check(csv === exp.csv, 'CSV download equals progress --csv');
  // The parcels on the map, coloured by completion year: every parcel of the
  // view drawn, one colour per year, the legend counting what is drawn.
  const nParcels = Number(await page.getAttribute('body', 'data-parcels'));
  const drawn = await page.$$eval('path.parcel', (ps) => ps.map((p) => ({
    year: [...p.classList].find((c) => /^(y\d{4}|open)$/.test(c)), colour: p.getAttribute('stroke'),
  })));
  check(nParcels > 0 && drawn.length === nParcels, `parcels drawn: ${drawn.length} of ${nParcels}`);
  const colours = {};
  drawn.forEach((d) => { (colours[d.year] = colours[d.year] || new Set()).add(d.colour); });
  const years = Object.keys(colours).filter((y) => y !== 'open');
  check(years.length >= 3 && Object.values(colours).every((c) => c.size === 1) &&
    new Set(Object.values(colours).map((c) => [...c][0])).size === Object.keys(colours).length,
  `one colour per completion year: ${JSON.stringify(Object.fromEntries(Object.entries(colours).map(([k, v]) => [k, [...v]])))}`);
  const legend = await page.textContent('#parcel-legend');
  years.forEach((y) => {
    const n = drawn.filter((d) => d.year === y).length;
    check(legend.includes(`${y.slice(1)}: ${n}`), `legend counts ${y}: ${n} in ${legend}`);
  });
  await page.screenshot({ path: path.join(OUT, 'serve-progress.png') });

  // A zone's own page, reached by its link.
  const zone = latest.find((s) => s.zone !== null);
  await page.click(`.area[data-zone="${zone.zone}"] h3 a`);
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  check(decodeURIComponent(new globalThis.URL(page.url()).pathname) === '/progress/' + zone.zone, `zone URL ${page.url()}`);
  const zb = await page.$$eval('.area', (as) => as.map((a) => a.dataset.zone));
  check(zb.length === 1 && zb[0] === zone.zone, `zone page shows only ${zone.zone}: ${zb}`);
  const zcsv = await page.evaluate(() => fetch(document.querySelector('#csv').href).then((r) => r.text()));
  check(zcsv === exp.zone_csv, 'zone CSV equals progress --zone --csv');
  check(errors.length === 0, `page errors: ${errors}`);
  await browser.close();
  finish('serve progress page');
})().catch((e) => { console.error(e); process.exit(1); });
