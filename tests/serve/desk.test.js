// desk.test.js -- the management desk of `greenmine serve --db` in Debian's
// headless Chromium (playwright-core, pointed at /usr/bin/chromium): an
// agency signs in and records a verification; the province lists the mine;
// the mine is on the public list; a county user trying another county's mine
// gets 403 on the page, next to the form; a wrong password is refused;
// markup in the data stays text; no request leaves the server.
// Usage: node desk.test.js URL SETUP.json OUTDIR
// SETUP.json (test_desk_pages.py): the licences, users and passwords.
'use strict';
const fs = require('fs');
const { execFileSync } = require('child_process');
const path = require('path');
const { check, launch, finish } = require('./browser');

const [URL, SETUP, OUT] = process.argv.slice(2);
const S = JSON.parse(fs.readFileSync(SETUP, 'utf8'));

async function signIn(page, name, password) {
  await page.goto(URL + '/signin');
  await page.waitForSelector('body[data-ready="1"]');
  await page.fill('#signin-name', name);
  await page.fill('#signin-password', password);
  await page.click('#signin-form button[type=submit]');
}

async function record(page, fields) {
  await page.selectOption('#record-kind', fields.kind);
  for (const [k, v] of Object.entries(fields)) {
    if (k === 'kind') continue;
    const sel = `#record-form [name="${k}"]`;
    if ((await page.$eval(sel, (e) => e.tagName)) === 'SELECT') await page.selectOption(sel, v);
    else await page.fill(sel, String(v));
  }
  await page.evaluate(() => {
    document.getElementById('record-ok').textContent = '';
    document.querySelectorAll('#record-form .error').forEach((p) => { p.textContent = ''; });
  });
  await page.click('#record-form button[type=submit]');
  await page.waitForFunction(() => document.getElementById('record-ok').textContent ||
    [...document.querySelectorAll('#record-form .error')].some((p) => p.textContent), null,
  { timeout: 30000 });
}

async function errors(page) {
  return page.$$eval('#record-form .error', (ps) => ps.filter((p) => p.textContent)
    .map((p) => ({ field: p.dataset.for, text: p.textContent })));
}

(async () => {
  const { browser } = await launch({ width: 1280, height: 900 });
  const external = [];
  const pageErrors = [];
  async function freshPage() { // one browser profile per user: its own cookie
    const ctx = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('dialog', (d) => { pageErrors.push('dialog: ' + d.message()); d.dismiss(); });
    page.on('request', (r) => { if (!r.url().startsWith(URL)) external.push(r.url()); });
    return page;
  }

  // 0. a wrong password: the message next to the password, no session
  let page = await freshPage();
  await signIn(page, S.agency.name, 'not-the-password');
  await page.waitForSelector('#signin-form .error[data-for="password"]:not(:empty)');
  check((await page.textContent('#signin-form .error[data-for="password"]')).includes('用户名或密码错误'),
    'a wrong password is refused on the page');
  check(!(await page.isVisible('#signout')), 'no session after a wrong password');
  await page.screenshot({ path: path.join(OUT, 'desk-signin.png') });

  // 1. the agency signs in and records a verification of the licence L1
  await signIn(page, S.agency.name, S.agency.password);
  await page.waitForURL(URL + '/mines');
  await page.waitForSelector('#mines-table tbody tr');
  check((await page.textContent('#who-name')).includes(S.agency.scope), 'the agency is signed in');
  await page.click(`a[href="/mines/${S.L1}"]`);
  await page.waitForSelector('#record:not([hidden]) #record-kind option', { state: 'attached' });
  const kinds = await page.$$eval('#record-kind option', (os) => os.map((o) => o.value));
  check(JSON.stringify(kinds) === '["verification"]', `an agency is offered verifications only: ${kinds}`);
  check((await page.inputValue('#record-form [name=agency]')) === S.agency.scope, 'its agency filled in');
  await record(page, { kind: 'verification', event_date: '2019-04-01', result: 'pass', score: '91' });
  check((await page.textContent('#record-ok')).includes('已记录'), `verification recorded: ${JSON.stringify(await errors(page))}`);
  check((await page.getAttribute('#mine-standing', 'data-standing')) === 'verified',
    'the mine now stands verified');
  check((await page.textContent('#mine-events')).includes(S.agency.scope), 'the verification in the history');
  await page.screenshot({ path: path.join(OUT, 'desk-mine.png'), fullPage: true });

  // 2. the province lists it; a listing breaking a rule shows the rule next to its field
  page = await freshPage();
  await signIn(page, S.province.name, S.province.password);
  await page.waitForURL(URL + '/mines');
  await page.goto(URL + '/mines/' + S.L3);
  await page.waitForSelector('#record:not([hidden]) #record-kind option', { state: 'attached' });
  await record(page, { kind: 'listing', event_date: '2019-05-01', batch: '2019-1' });
  let errs = await errors(page);
  check(errs.length === 1 && errs[0].field === 'kind' && errs[0].text.includes('listing_needs_verification'),
    `the event API's rule, next to the kind: ${JSON.stringify(errs)}`);
  await page.goto(URL + '/mines/' + S.L1);
  await page.waitForSelector('#record:not([hidden]) #record-kind option', { state: 'attached' });
  check((await page.$$eval('#record-kind option', (os) => os.length)) === 8, 'the province may record every kind');
  await record(page, { kind: 'listing', event_date: '2019-05-01', batch: '2019-1' });
  check((await page.textContent('#record-ok')).includes('已记录'), `listing recorded: ${JSON.stringify(await errors(page))}`);
  check((await page.getAttribute('#mine-standing', 'data-standing')) === 'listed', 'the mine now stands listed');

  // 3. the public list, signed out: the mine, its batch and date; markup stays text
  page = await freshPage();
  await page.goto(URL + '/list?as_of=2019-06-30');
  await page.waitForSelector('body[data-ready="1"]');
  const rows = await page.$$eval('#list-table tbody tr', (trs) => trs.map((tr) =>
    [...tr.cells].map((c) => c.textContent)));
  check(rows.length === 1 && rows[0][0] === S.L1 && rows[0][1] === S.L1_enterprise &&
    rows[0][6] === '2019-05-01' && rows[0][7] === '2019-1', `the public list: ${JSON.stringify(rows)}`);
  check(!(await page.evaluate(() => window.__pwned)) &&
    (await page.$$('#list-table img')).length === 0, 'the enterprise name with markup is shown as text');
  check(await page.isVisible('#signin-link'), 'the public list needs no sign-in');
  await page.screenshot({ path: path.join(OUT, 'desk-list.png') });
  await page.goto(URL + '/list?as_of=2019-04-30');
  await page.waitForSelector('body[data-ready="1"]');
  check((await page.$$('#list-table tbody tr')).length === 0, 'not on the list before its listing');

  // the mine's status on an earlier date: verified, not yet listed
  await page.goto(URL + '/mines/' + S.L1);
  await page.waitForSelector('#mine-standing[data-standing="listed"]');
  await page.fill('#mine-date', '2019-04-15');
  await page.click('#mine-date-form button');
  await page.waitForSelector('#mine-standing[data-standing="verified"]');
  check(page.url().endsWith('?as_of=2019-04-15') &&
    (await page.textContent('#mine-as-of')).includes('2019-04-15'), 'the mine as of 2019-04-15: verified');

  // 3b. a draw among the listed mines (greenmine draw), on the open /draws page
  execFileSync(S.draw[0], S.draw.slice(1));
  await page.goto(URL + '/draws');
  await page.waitForSelector('body[data-ready="1"]');
  const picks = await page.$$eval('#draws tbody tr', (trs) => trs.map((tr) =>
    [...tr.cells].map((c) => c.textContent)));
  check(picks.length === 1 && picks[0][1] === S.L1 && picks[0][4].startsWith('I-001') &&
    picks[0][5].includes('pending'), `the draw on /draws: ${JSON.stringify(picks)}`);
  check((await page.textContent('#draws h3')).includes('<b>种子</b>') &&
    (await page.$$('#draws h3 b')).length === 0, 'the seed with markup shown as text');

  // 4. a county user trying another county's mine: 403 on the page, nothing written
  page = await freshPage();
  await signIn(page, S.county.name, S.county.password);
  await page.waitForURL(URL + '/mines');
  await page.goto(URL + '/mines/' + S.L2);
  await page.waitForSelector('#record:not([hidden]) #record-kind option', { state: 'attached' });
  const before = await page.$$eval('#mine-events tbody tr', (t) => t.length);
  await record(page, { kind: 'self_assessment', event_date: '2019-03-01', score: '70' });
  errs = await errors(page);
  check(errs.length === 1 && errs[0].text.startsWith('403') && errs[0].text.includes(S.county.scope),
    `another county's mine: 403 on the page: ${JSON.stringify(errs)}`);
  await page.screenshot({ path: path.join(OUT, 'desk-403.png'), fullPage: true });
  await page.reload();
  await page.waitForSelector('body[data-ready="1"]');
  check((await page.$$eval('#mine-events tbody tr', (t) => t.length)) === before, 'and nothing was written');
  // its own county's mine: recorded
  await page.goto(URL + '/mines/' + S.L3);
  await page.waitForSelector('#record:not([hidden]) #record-kind option', { state: 'attached' });
  await record(page, { kind: 'self_assessment', event_date: '2019-03-05', score: '75', document: '浏自评〔2019〕3号' });
  check((await page.textContent('#record-ok')).includes('已记录'), 'its own county\'s self-assessment is recorded');
  // signing out ends it: the form goes
  await page.click('#signout');
  await page.waitForSelector('#signin-link:not([hidden])');
  await page.waitForSelector('body[data-ready="1"]');
  check(await page.isHidden('#record'), 'signed out: no form');

  check(external.length === 0, `no request leaves the server: ${external.slice(0, 3)}`);
  check(pageErrors.length === 0, `no page errors: ${pageErrors}`);
  await browser.close();
  finish('desk pages');
})().catch((e) => { console.log('FAIL:', e); process.exit(1); });
