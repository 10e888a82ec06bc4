// desk.js -- the management desk of greenmine serve: sign in, the public list,
// the mines, a mine's page with its events and the form to record one.
// Every value reaches the page through textContent, never as markup; every
// write carries the session's CSRF token (header X-CSRF-Token).
'use strict';

const KINDS = [
  ['self_assessment', '自评', 'Self-assessment'],
  ['verification', '第三方评估', 'Verification'],
  ['listing', '入选名录', 'Listing'],
  ['spot_check', '抽查', 'Spot check'],
  ['blacklisting', '列入黑名单', 'Blacklisting'],
  ['lifting', '移出黑名单', 'Lifting'],
  ['credit_rating', '信用评价', 'Credit rating'],
  ['three_rates', '三率', 'Three rates'],
];
// What each role may record (the server decides; this only trims the menu).
const ROLE_KINDS = {
  province: KINDS.map((k) => k[0]),
  county: ['self_assessment'],
  agency: ['verification'],
  inspector: ['spot_check'],
};
const ROLE_ZH = { province: '省级', county: '市县', agency: '第三方机构', inspector: '检查人员' };
const DETAIL_FIELDS = [
  ['score', '得分'], ['document', '文件'], ['agency', '机构'], ['result', '结果'],
  ['batch', '批次'], ['draw_id', '抽查'], ['inspectors', '检查人员'], ['findings', '发现'],
  ['reason', '理由'], ['year', '年度'], ['grade', '等级'], ['mining_recovery', '开采回采率'],
  ['beneficiation_recovery', '选矿回收率'], ['utilisation', '综合利用率'],
];

const $ = (id) => document.getElementById(id);
let session = { user: null, csrf: null };

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (cls) e.className = cls;
  return e;
}

function today() {
  return new Date().toISOString().slice(0, 10);
}

async function getJSON(url) {
  const r = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  if (!r.ok) throw Object.assign(new Error(body.error || r.statusText), { status: r.status, body });
  return body;
}

async function postJSON(url, data) {
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
  if (session.csrf) headers['X-CSRF-Token'] = session.csrf;
  const r = await fetch(url, {
    method: 'POST', headers, body: JSON.stringify(data), credentials: 'same-origin',
  });
  const body = await r.json().catch(() => ({ error: r.statusText }));
  return { status: r.status, body };
}

// An error next to its field (data-for=field), else in the form's general slot.
function showErrors(form, body, status) {
  form.querySelectorAll('.error').forEach((p) => { p.textContent = ''; });
  form.querySelectorAll('.invalid').forEach((x) => x.classList.remove('invalid'));
  if (!body) return;
  const field = body.field || '';
  let slot = form.querySelector(`.error[data-for="${CSS.escape(field)}"]`);
  if (!slot) slot = form.querySelector('.error[data-for=""]');
  const prefix = status === 403 ? '403 无权 Forbidden: ' : status === 401 ? '401 ' : '';
  slot.textContent = prefix + (body.error || 'error');
  const input = field && form.elements[field];
  if (input && input.classList) input.classList.add('invalid');
}

// ---- who is signed in ---------------------------------------------------------

function showWho() {
  const u = session.user;
  $('who-name').textContent = u
    ? `${u.name}（${ROLE_ZH[u.role] || u.role}${u.scope ? ' · ' + u.scope : ''}）`
    : '';
  $('signin-link').hidden = !!u;
  $('signout').hidden = !u;
}

async function loadSession() {
  try {
    session = await getJSON('/api/session');
  } catch (e) {
    session = { user: null, csrf: null };
  }
  showWho();
}

$('signout').addEventListener('click', async () => {
  await postJSON('/api/signout', { csrf: session.csrf });
  session = { user: null, csrf: null };
  showWho();
  setupRecord(); // the form goes at once, before the page is read again
  route();
});

$('signin-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  const { status, body } = await postJSON('/api/signin', {
    name: f.elements.name.value, password: f.elements.password.value,
  });
  if (status !== 200) {
    showErrors(f, body, status);
    return;
  }
  f.elements.password.value = '';
  session = body;
  showWho();
  const next = new URLSearchParams(location.search).get('next');
  history.pushState(null, '', next && next.startsWith('/') && !next.startsWith('//') ? next : '/mines');
  route();
});

// ---- the public list -------------------------------------------------------------

async function showList() {
  const d = new URLSearchParams(location.search).get('as_of') || today();
  $('list-date').value = d;
  const tb = $('list-table').tBodies[0];
  tb.replaceChildren();
  $('list-err').textContent = '';
  try {
    const r = await getJSON('/api/list?as_of=' + encodeURIComponent(d));
    for (const m of r.mines) {
      const tr = tb.insertRow();
      const a = el('a', m.licence_no);
      a.href = '/mines/' + encodeURIComponent(m.licence_no);
      tr.insertCell().append(a);
      for (const v of [m.enterprise, m.county, m.city,
        m.industry_zh ? `${m.industry_zh} ${m.industry}` : '',
        m.scale_zh ? `${m.scale_zh} ${m.scale}` : '', m.listed_on, m.batch]) {
        tr.insertCell().textContent = v || '';
      }
    }
    $('list-count').textContent = `${r.as_of}：名录内绿色矿山 ${r.mines.length} 座 `
      + `(${r.mines.length} listed green mines)`;
  } catch (e) {
    $('list-err').textContent = e.message;
  }
}

$('list-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  history.pushState(null, '', '/list?as_of=' + encodeURIComponent($('list-date').value));
  route();
});

// ---- the draws (双随机, the public record) ------------------------------------------------

async function showDraws() {
  const box = $('draws');
  box.replaceChildren();
  $('draws-err').textContent = '';
  try {
    const r = await getJSON('/api/draws');
    if (!r.draws.length) box.append(el('p', '尚无抽查 No draw recorded yet.'));
    for (const d of r.draws.slice().reverse()) {
      box.append(el('h3', `#${d.draw_id} ${d.date} · ${d.share_percent ? d.share_percent + ' %'
        : d.count + ' 座'} · 种子 seed: ${d.seed}`));
      box.append(el('p', `候选 ${d.candidates} candidates · 每矿 ${d.per_mine} 人 per mine · `
        + `${d.drawn_by} ${d.drawn_at} · mines SHA-256 ${d.mines_sha256} · inspectors SHA-256 `
        + `${d.inspectors_sha256}`, 'hint hash'));
      const t = el('table');
      const head = t.createTHead().insertRow();
      for (const h of ['序 Rank', '采矿许可证号 Licence', '县市区 County', '行业 Industry',
        '检查人员 Inspectors', '结果 Result']) head.append(el('th', h));
      const tb = t.createTBody();
      for (const p of d.picks) {
        const tr = tb.insertRow();
        tr.insertCell().textContent = p.rank;
        const a = el('a', p.licence_no);
        a.href = '/mines/' + encodeURIComponent(p.licence_no);
        tr.insertCell().append(a);
        tr.insertCell().textContent = p.county || '';
        tr.insertCell().textContent = p.industry || '';
        tr.insertCell().textContent = p.inspectors.map((i) => `${i.inspector_id} ${i.name || ''}`).join('；');
        tr.insertCell().textContent = p.result
          ? `${p.result.event_date} ${p.result.result}${p.result.findings ? '：' + p.result.findings : ''}`
          : '待录入 pending';
      }
      box.append(t);
    }
  } catch (e) {
    $('draws-err').textContent = e.message;
  }
}

// ---- the mines -----------------------------------------------------------------------

async function showMines() {
  const q = new URLSearchParams(location.search);
  // a county user sees its own county first
  const own = session.user && session.user.role === 'county' ? session.user.scope : '';
  $('mines-county').value = q.has('county') ? q.get('county') : own;
  $('mines-date').value = q.get('as_of') || today();
  const tb = $('mines-table').tBodies[0];
  tb.replaceChildren();
  $('mines-err').textContent = '';
  try {
    const p = new URLSearchParams({ as_of: $('mines-date').value });
    if ($('mines-county').value) p.set('county', $('mines-county').value);
    const r = await getJSON('/api/mines?' + p);
    for (const m of r.mines) {
      const tr = tb.insertRow();
      const a = el('a', m.licence_no);
      a.href = '/mines/' + encodeURIComponent(m.licence_no);
      tr.insertCell().append(a);
      for (const v of [m.enterprise, m.county, m.industry_zh || m.industry,
        m.scale_zh || m.scale, `${m.status.standing_zh} ${m.status.standing}`]) {
        tr.insertCell().textContent = v || '';
      }
      tr.dataset.standing = m.status.standing;
    }
  } catch (e) {
    $('mines-err').textContent = e.message;
  }
}

$('mines-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const p = new URLSearchParams({ as_of: $('mines-date').value });
  if ($('mines-county').value) p.set('county', $('mines-county').value);
  history.pushState(null, '', '/mines?' + p);
  route();
});

// ---- one mine ------------------------------------------------------------------------

function facts(table, rows) {
  const tb = table.tBodies[0];
  tb.replaceChildren();
  for (const [label, v] of rows) {
    if (v === null || v === undefined || v === '') continue;
    const tr = tb.insertRow();
    tr.append(el('th', label));
    tr.insertCell().textContent = String(v);
  }
}

function details(e) {
  const parts = [];
  for (const [k, zh] of DETAIL_FIELDS) {
    if (e[k] !== null && e[k] !== undefined && e[k] !== '') parts.push(`${zh} ${k}: ${e[k]}`);
  }
  if (e.supersedes) parts.push(`更正 #${e.supersedes}${e.void ? '（撤销 withdrawn）' : ''}`);
  return parts.join('；');
}

let currentLicence = null;

async function showMine(no) {
  currentLicence = no;
  $('mine-err').textContent = '';
  const q = new URLSearchParams(location.search);
  const asOf = q.get('as_of') || today();
  let r;
  try {
    r = await getJSON(`/api/mines/${encodeURIComponent(no)}?as_of=${encodeURIComponent(asOf)}`);
  } catch (e) {
    $('mine-title').textContent = no;
    $('mine-err').textContent = e.message;
    $('record').hidden = true;
    return;
  }
  const l = r.licence;
  $('mine-title').textContent = `${l.licence_no} ${l.enterprise || ''}`;
  facts($('mine-licence'), [
    ['采矿许可证号 Licence', l.licence_no], ['企业 Enterprise', l.enterprise],
    ['统一社会信用代码 Credit code', l.credit_code],
    ['行业 Industry', l.industry_zh ? `${l.industry_zh} ${l.industry}` : l.industry],
    ['矿种 Mineral', l.mineral], ['规模 Scale', l.scale_zh ? `${l.scale_zh} ${l.scale}` : l.scale],
    ['县市区 County', l.county], ['市 City', l.city], ['发证日期 Licensed on', l.licensed_on],
    ['新建矿山 New mine', l.is_new === null ? '' : (l.is_new ? '是 yes' : '否 no')],
  ]);
  const s = r.status;
  $('mine-as-of').textContent = `截至 as of ${r.as_of}`;
  $('mine-date').value = r.as_of;
  $('mine-standing').textContent = `${s.standing_zh} ${s.standing}`;
  $('mine-standing').dataset.standing = s.standing;
  facts($('mine-status'), [
    ['最近自评 Last self-assessment', s.last_self_assessment],
    ['最近评估 Last verification', s.last_verification
      && `${s.last_verification} ${s.verification_result || ''} ${s.verification_agency || ''}`],
    ['入选名录 Listed on', s.listed_on && `${s.listed_on}（${s.batch || ''}）`],
    ['最近抽查 Last spot check', s.last_spot_check && `${s.last_spot_check} ${s.spot_check_result || ''}`],
    ['列入黑名单 Blacklisted on', s.blacklisted_on && `${s.blacklisted_on} ${s.blacklist_reason || ''}`],
    ['移出黑名单 Lifted on', s.lifted_on],
    ['信用评价 Credit grade', s.credit_grade && `${s.credit_year} ${s.credit_grade}`],
    ['三率 Three rates', s.rates_year && `${s.rates_year}: ${s.mining_recovery ?? '—'} / `
      + `${s.beneficiation_recovery ?? '—'} / ${s.utilisation ?? '—'} %`],
  ]);
  const tb = $('mine-events').tBodies[0];
  tb.replaceChildren();
  for (const e of r.events) {
    const tr = tb.insertRow();
    if (!e.counts) tr.className = 'superseded';
    for (const v of [e.event_id, e.event_date, `${e.kind_zh} ${e.kind}`, details(e),
      `${e.entered_by} ${e.entered_at}`, e.counts ? '' : '已更正 superseded']) {
      tr.insertCell().textContent = v;
    }
  }
  setupRecord();
}

$('mine-date-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  history.pushState(null, '', `/mines/${encodeURIComponent(currentLicence)}?as_of=`
    + encodeURIComponent($('mine-date').value));
  route();
});

function setupRecord() {
  const u = session.user;
  $('record').hidden = !u;
  $('record-hint').hidden = !!u;
  if (!u) return;
  $('record-csrf').value = session.csrf;
  const sel = $('record-kind');
  const prev = sel.value;
  sel.replaceChildren();
  for (const [code, zh, en] of KINDS) {
    if (!(ROLE_KINDS[u.role] || []).includes(code)) continue;
    const o = el('option', `${zh} ${en}`);
    o.value = code;
    sel.append(o);
  }
  if ([...sel.options].some((o) => o.value === prev)) sel.value = prev;
  const f = $('record-form');
  if (!f.elements.event_date.value) f.elements.event_date.value = today();
  if (u.role === 'agency' && !f.elements.agency.value) f.elements.agency.value = u.scope;
  if (u.role === 'inspector' && !f.elements.inspectors.value) f.elements.inspectors.value = u.scope;
  showKindFields();
}

function showKindFields() {
  const k = $('record-kind').value;
  document.querySelectorAll('#record-form [data-kinds]').forEach((lab) => {
    lab.hidden = !lab.dataset.kinds.split(' ').includes(k);
  });
}
$('record-kind').addEventListener('change', showKindFields);

$('record-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  $('record-ok').textContent = '';
  const data = { licence_no: currentLicence, csrf: f.elements.csrf.value };
  for (const input of f.querySelectorAll('input, select')) {
    if (!input.name || input.name === 'csrf') continue;
    const lab = input.closest('[data-kinds]');
    if (lab && lab.hidden) continue;
    if (input.type === 'checkbox') {
      if (input.checked) data[input.name] = 1;
    } else if (input.value !== '') {
      data[input.name] = input.value;
    }
  }
  const { status, body } = await postJSON('/api/events', data);
  if (status !== 201) {
    showErrors(f, body, status);
    return;
  }
  showErrors(f, null);
  for (const input of f.querySelectorAll('input:not([type=hidden]):not([type=date])')) {
    if (input.type === 'checkbox') input.checked = false;
    else input.value = '';
  }
  await showMine(currentLicence);
  $('record-ok').textContent = `已记录 Recorded: #${body.event_id}`;
});

// ---- the pages ------------------------------------------------------------------------------

function show(view) {
  for (const v of ['signin', 'list', 'draws', 'mines', 'mine']) $('view-' + v).hidden = v !== view;
}

async function route() {
  const p = location.pathname;
  if (p === '/signin') {
    show('signin');
  } else if (p === '/draws') {
    show('draws');
    await showDraws();
  } else if (p === '/mines') {
    show('mines');
    await showMines();
  } else if (p.startsWith('/mines/')) {
    show('mine');
    await showMine(decodeURIComponent(p.slice(7)));
  } else {
    show('list');
    await showList();
  }
  document.body.dataset.ready = '1';
}

window.addEventListener('popstate', route);
loadSession().then(route);
