/* progress.js -- the progress page of `greenmine serve --db` (docs/serve.md):
 * the province and every zone against the targets, from /api/progress (the
 * `progress --json` object). /progress/ZONE is one zone's own page. Values
 * reach the page as text only. */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const NS = 'http://www.w3.org/2000/svg';
  const f1 = (v) => v.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const zoneName = decodeURIComponent((location.pathname.match(/^\/progress\/(.+)$/) || [])[1] || '');
  const KIND = [['restoration', '历史遗留矿山修复 Restoration'], ['reclamation', '土地复垦 Reclamation']];

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }

  function bar(row, k) {
    const done = row[`${k}_done_ha`], target = row[`${k}_target_ha`];
    const wrap = el('div', undefined, 'bar');
    const pct = target ? Math.min(100, (100 * done) / target) : 0;
    const fill = el('div', undefined, 'bar-fill ' + k);
    fill.style.width = pct.toFixed(1) + '%';
    wrap.appendChild(fill);
    wrap.appendChild(el('span', target ? `${f1(done)} / ${f1(target)} ha (${f1((100 * done) / target)} %)` : `${f1(done)} ha (无目标 no target)`, 'bar-label'));
    wrap.dataset.done = String(done);
    return wrap;
  }

  function areaBlock(row) {
    const box = el('div', undefined, 'area');
    const h = el('h3');
    if (row.zone) {
      const a = el('a', row.zone);
      a.href = '/progress/' + encodeURIComponent(row.zone);
      h.appendChild(a);
    } else {
      h.textContent = '全省 Province';
    }
    box.appendChild(h);
    box.dataset.zone = row.zone || '';
    KIND.forEach(([k, label]) => {
      box.appendChild(el('div', label, 'bar-title'));
      box.appendChild(bar(row, k));
    });
    return box;
  }

  function chart(rows) {
    const W = 640, H = 220, L = 56, B = 28, T = 10, R = 10;
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
    svg.setAttribute('class', 'chart');
    const ymax = Math.max(1, ...rows.flatMap((r) => [r.restoration_done_ha, r.reclamation_done_ha,
      r.restoration_target_ha || 0, r.reclamation_target_ha || 0]));
    const xs = rows.map((r, i) => L + (rows.length > 1 ? (i * (W - L - R)) / (rows.length - 1) : (W - L - R) / 2));
    const y = (v) => H - B - ((H - B - T) * v) / ymax;
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      Object.entries(attrs).forEach(([a, v]) => e.setAttribute(a, String(v)));
      if (text !== undefined) e.textContent = text;
      svg.appendChild(e);
      return e;
    };
    add('line', { x1: L, y1: H - B, x2: W - R, y2: H - B, class: 'axis' });
    add('text', { x: L - 6, y: y(ymax) + 4, 'text-anchor': 'end', class: 'tick' }, f1(ymax));
    add('text', { x: L - 6, y: H - B, 'text-anchor': 'end', class: 'tick' }, '0');
    rows.forEach((r, i) => add('text', { x: xs[i], y: H - 8, 'text-anchor': 'middle', class: 'tick' }, r.as_of));
    KIND.forEach(([k]) => {
      const t = rows.length ? rows[rows.length - 1][`${k}_target_ha`] : null;
      if (t) add('line', { x1: L, x2: W - R, y1: y(t), y2: y(t), class: 'target ' + k });
      add('polyline', { points: rows.map((r, i) => `${xs[i]},${y(r[`${k}_done_ha`])}`).join(' '), class: 'series ' + k });
      rows.forEach((r, i) => add('circle', { cx: xs[i], cy: y(r[`${k}_done_ha`]), r: 3.5, class: 'pt ' + k }));
    });
    return svg;
  }

  // The management indicators (/api/indicators): the province, then the zones,
  // cities and counties (a zone's page: the province and that zone).
  const LEVEL = { province: '全省', zone: '示范区', city: '市', county: '县' };
  const INDUSTRY = { coal: '煤炭', nonferrous: '有色金属', ferrous: '黑色金属', precious: '贵金属', chemical: '化工',
    nonmetal: '非金属', sand_gravel: '砂石', cement: '水泥', stone: '石材' };
  const pct = (v) => (v === null ? '—' : f1(100 * v) + ' %');

  async function indicators(asOf) {
    const q = asOf ? '?as_of=' + encodeURIComponent(asOf) : '';
    $('ind-csv').href = '/api/indicators.csv' + q;
    $('ind-err').textContent = '';
    const r = await fetch('/api/indicators' + q);
    const p = await r.json();
    const tb = $('ind-table').tBodies[0], rb = $('ind-rates').tBodies[0];
    tb.replaceChildren();
    rb.replaceChildren();
    if (!r.ok) {
      $('ind-err').textContent = p.error;
      return;
    }
    $('ind-date').value = p.as_of;
    const t = p.targets, prov = p.areas[0];
    const ex = prov.listed_existing_by_scale;
    $('ind-head').textContent = `绿色矿山 ${prov.listed} 座（已有矿山 ${prov.listed_existing} / ${t.green_mines}：` +
      `大型 ${ex.large}/${t.green_large}，中型 ${ex.medium}/${t.green_medium}，小型 ${ex.small}/${t.green_small}）· ` +
      `新建矿山按标准建设 ${prov.new_built}/${prov.new_mines} · 大中型矿山三率达标率 ${pct(prov.three_rates.share)}` +
      `（目标 ≥ ${f1(100 * t.three_rates)} %，2015 年 ${(100 * t.three_rates_baseline_2015).toFixed(2)} %）` +
      (p.thresholds.label ? ` · 三率指标：${p.thresholds.label}` : '');
    p.areas.filter((a) => !zoneName || a.level === 'province' || (a.level === 'zone' && a.name === zoneName)).forEach((a) => {
      const tr = el('tr');
      tr.dataset.level = a.level;
      tr.dataset.area = a.name || '';
      const e = a.listed_existing_by_scale, tr3 = a.three_rates;
      [`${LEVEL[a.level]} ${a.name || '湖南省'}`, String(a.licences), String(a.listed),
        `${a.listed_existing} (${e.large}/${e.medium}/${e.small})`,
        `${a.new_built}/${a.new_mines} ${pct(a.new_built_share)}`,
        `${tr3.compliant}/${tr3.judged} ${pct(tr3.share)}`,
        `${a.spot_checks} (${a.spot_checks_failed})`, String(a.blacklisted)].forEach((c) => tr.appendChild(el('td', c)));
      tb.appendChild(tr);
    });
    const own = zoneName ? p.areas.find((a) => a.level === 'zone' && a.name === zoneName) || prov : prov;
    Object.entries(own.three_rates_by_industry).forEach(([k, c]) => {
      if (!c.mines && c.baseline_2015 === null) return;
      const tr = el('tr');
      tr.dataset.industry = k;
      [`${INDUSTRY[k] || k} ${k}`, `${c.compliant}/${c.judged}`, pct(c.share),
        c.baseline_2015 === null ? '—' : (100 * c.baseline_2015).toFixed(2) + ' %']
        .forEach((x) => tr.appendChild(el('td', x)));
      rb.appendChild(tr);
    });
    document.body.dataset.indicators = p.as_of;
  }

  async function start() {
    const q = zoneName ? '?zone=' + encodeURIComponent(zoneName) : '';
    const r = await fetch('/api/progress' + q);
    const p = await r.json();
    if (!r.ok) {
      $('err').textContent = p.error;
      return;
    }
    $('csv').href = '/api/progress.csv' + q;
    $('ind-date').addEventListener('change', () => {
      indicators($('ind-date').value).catch((e) => { $('ind-err').textContent = e.message; });
    });
    await indicators('').catch((e) => { $('ind-err').textContent = '无法读取管理指标 — cannot read the indicators: ' + e.message; });
    const dates = [...new Set(p.series.map((s) => s.as_of))].sort();
    const last = dates[dates.length - 1];
    $('as-of').textContent = `截至 as of ${last || '—'} · 目标期限 targets by ${p.targets.by}`;
    $('area-title').textContent = zoneName || '全省及示范区 Province and demonstration zones';
    const latest = p.series.filter((s) => s.as_of === last);
    const bars = $('bars');
    latest.filter((s) => !zoneName || s.zone === zoneName).forEach((s) => bars.appendChild(areaBlock(s)));
    const own = p.series.filter((s) => (zoneName ? s.zone === zoneName : s.zone === null));
    $('chart').appendChild(chart(own));
    const tb = $('table').tBodies[0];
    p.series.forEach((s) => {
      const tr = el('tr');
      const pct = (k) => (s[`${k}_pct_of_target`] === null ? '—' : f1(s[`${k}_pct_of_target`]));
      [s.as_of, s.zone || '全省 Province', f1(s.restoration_done_ha), s.restoration_target_ha === null ? '—' : f1(s.restoration_target_ha),
        pct('restoration'), f1(s.reclamation_done_ha), s.reclamation_target_ha === null ? '—' : f1(s.reclamation_target_ha),
        pct('reclamation'), String(s.mines), String(s.conflict_mines)].forEach((c) => tr.appendChild(el('td', c)));
      tb.appendChild(tr);
    });

    // The zones on the map, each linking to its own page.
    const map = L.map('map');
    const zones = await fetch('/api/layers/zones').then((x) => x.json());
    const layer = L.geoJSON(zones, {
      style: (f) => ({ color: '#2e7d32', weight: f.properties.name === zoneName ? 3 : 1.5, fillOpacity: f.properties.name === zoneName ? 0.25 : 0.08 }),
      onEachFeature: (f, l) => {
        const span = el('span', f.properties.name || '');
        l.bindTooltip(span, { sticky: true });
        l.on('click', () => { location.href = '/progress/' + encodeURIComponent(f.properties.name || ''); });
      },
    }).addTo(map);
    let b = layer.getBounds();
    layer.eachLayer((l) => { if (l.feature.properties.name === zoneName) b = l.getBounds(); });
    if (b.isValid()) map.fitBounds(b);
    else map.setView([27.6, 111.7], 7);
    document.body.dataset.state = 'done';
  }
  start().catch((e) => { $('err').textContent = '无法读取进展 — cannot read the progress: ' + e.message; });
}());
