// indicators.test.js -- the management indicators on the progress page of
// `greenmine serve --db` in Debian's headless Chromium, on the management
// fixture's registry: the date picker set to a date, the table's rows equal
// the figures computed by hand in tests/management/test_management_figures.py
// (handed over in EXPECTED.json), the three-rate table by industry, the CSV
// download equals `progress --indicators --csv --as-of`.
// Usage: node indicators.test.js URL EXPECTED.json OUTDIR
'use strict';
const fs = require('fs');
const path = require('path');
const { check, launch, finish } = require('./browser');

const [URL, EXP, OUT] = process.argv.slice(2);
const exp = JSON.parse(fs.readFileSync(EXP, 'utf8'));
(async () => {
  const { browser, context } = await launch({ width: 1400, height: 1000 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(URL + '/progress');
  await page.waitForSelector('body[data-state="done"]', { timeout: 60000 });
  for (const [asOf, want] of Object.entries(exp.dates)) {
    await page.fill('#ind-date', asOf);
    await page.dispatchEvent('#ind-date', 'change');
    await page.waitForFunction((d) => document.body.dataset.indicators === d, asOf, { timeout: 30000 });
    const rows = await page.$$eval('#ind-table tbody tr', (trs) => trs.map((tr) => ({
      key: tr.dataset.level + '|' + tr.dataset.area,
      cells: [...tr.cells].map((c) => c.textContent),
    })));
    check(rows.length === Object.keys(want).length, `${asOf}: ${rows.length} area rows, want ${Object.keys(want).length}`);
    rows.forEach((r) => {
      const w = want[r.key];
      if (!check(w, `${asOf}: unexpected row ${r.key}`)) return;
      // mines, listed, existing (L/M/S), new built, three rates, checks (failed), blacklist
      const got = [r.cells[1], r.cells[2], r.cells[3], r.cells[4].split(' ')[0], r.cells[5].split(' ')[0], r.cells[6], r.cells[7]];
      check(JSON.stringify(got) === JSON.stringify(w), `${asOf} ${r.key}: ${JSON.stringify(got)} want ${JSON.stringify(w)}`);
    });
    const rates = await page.$$eval('#ind-rates tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.industry, tr.cells[1].textContent])));
    Object.entries(exp.rates[asOf] || {}).forEach(([k, v]) => check(rates[k] === v, `${asOf} rates ${k}: ${rates[k]} want ${v}`));
    const csv = await page.evaluate(() => fetch(document.querySelector('#ind-csv').href).then((r) => r.text()));
    check(csv === exp.csv[asOf], `${asOf}: the CSV download equals progress --indicators --csv`);
  }
  await page.screenshot({ path: path.join(OUT, 'serve-indicators.png'), fullPage: true });
  check(errors.length === 0, `page errors: ${errors}`);
  await browser.close();
  finish('serve indicators');
})().catch((e) => { console.error(e); process.exit(1); });
