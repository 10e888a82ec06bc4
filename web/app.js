/* app.js -- the check page of `greenmine serve` (docs/serve.md).
 * Sends the application to POST /api/check, then draws the kept result
 * (/api/results/ID) at its own URL /r/ID. Every value from the data or the
 * request reaches the page as text (textContent), never as markup. */
'use strict';

(function () {
  const $ = (id) => document.getElementById(id);
  const state = { file: null, result: null, hits: new Set(), drawing: null, health: null };
  const VERDICT = {
    conflict: ['冲突', 'Conflict — overlaps a red line'],
    near: ['临近', 'Near — within the buffer of a red line'],
    clear: ['无冲突', 'Clear'],
  };

  // ---- the map -------------------------------------------------------------
  const map = L.map('map', { preferCanvas: false, zoomSnap: 0.5 });
  const zonesLayer = L.geoJSON(null, { style: { color: '#2e7d32', weight: 1.5, fill: false } });
  let redlineLayer = L.geoJSON(null);
  let minesLayer = L.geoJSON(null);
  const resultLayer = L.featureGroup();
  zonesLayer.addTo(map);
  resultLayer.addTo(map);

  function textTip(layer, text) {
    const span = document.createElement('span');
    span.textContent = text;
    layer.bindTooltip(span, { sticky: true });
  }

  // A hatch pattern for the red lines hit, in the overlay SVG.
  function ensureHatch() {
    const svg = map.getPane('overlayPane').querySelector('svg');
    if (!svg || svg.querySelector('#gm-hatch')) return;
    const ns = 'http://www.w3.org/2000/svg';
    const defs = document.createElementNS(ns, 'defs');
    const pat = document.createElementNS(ns, 'pattern');
    pat.setAttribute('id', 'gm-hatch');
    pat.setAttribute('patternUnits', 'userSpaceOnUse');
    pat.setAttribute('width', '8');
    pat.setAttribute('height', '8');
    pat.setAttribute('patternTransform', 'rotate(45)');
    const line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '0');
    line.setAttribute('y1', '0');
    line.setAttribute('x2', '0');
    line.setAttribute('y2', '8');
    line.setAttribute('stroke', '#c62828');
    line.setAttribute('stroke-width', '2');
    pat.appendChild(line);
    defs.appendChild(pat);
    svg.insertBefore(defs, svg.firstChild);
  }

  function redlineStyle(f) {
    const hit = state.hits.has(f.properties.redline_id);
    return {
      color: '#c62828', weight: hit ? 2 : 1, fillOpacity: hit ? 1 : 0.12,
      className: hit ? 'gm-redline gm-hatched' : 'gm-redline',
    };
  }

  let viewSeq = 0;
  async function loadView() {
    const b = map.getBounds();
    const q = new URLSearchParams({
      bbox: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(','),
      zoom: String(Math.round(map.getZoom())),
    });
    const seq = ++viewSeq;
    const [rl, mn] = await Promise.all([
      fetch('/api/layers/redlines?' + q).then((r) => r.json()),
      map.getZoom() >= 9 ? fetch('/api/layers/mines?' + q).then((r) => r.json()) : null,
    ]);
    if (seq !== viewSeq) return; // a newer view answered first
    map.removeLayer(redlineLayer);
    redlineLayer = L.geoJSON(rl, {
      style: redlineStyle,
      onEachFeature: (f, l) => textTip(l, `${f.properties.redline_id || ''} ${f.properties.name || ''} (${f.properties.category || ''})`),
    }).addTo(map);
    map.removeLayer(minesLayer);
    minesLayer = L.geoJSON(mn, {
      style: { color: '#6d4c41', weight: 1, fillOpacity: 0.08, className: 'gm-mine' },
      onEachFeature: (f, l) => textTip(l, `采矿权 ${f.properties.mine_id || ''} ${f.properties.name || ''}`),
    }).addTo(map);
    resultLayer.bringToFront();
    ensureHatch();
    document.body.dataset.layers = 'ready';
  }
  map.on('moveend', () => { loadView().catch(() => {}); });

  // ---- health: the data, the extent, the basemap --------------------------
  async function start() {
    const h = await fetch('/api/health').then((r) => r.json());
    state.health = h;
    const rl = h.data.layers.redlines;
    $('data-line').textContent =
      `红线数据 Red lines: ${rl.source} (${rl.features} 个, SHA-256 ${rl.sha256 ? rl.sha256.slice(0, 12) + '…' : '—'}) · 载入 loaded ${h.data.loaded_at}`;
    if (h.basemap) L.tileLayer(h.basemap, { maxZoom: 19 }).addTo(map);
    const e = h.data.extent;
    map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
    const zones = await fetch('/api/layers/zones').then((r) => r.json());
    zonesLayer.addData(zones);
    zonesLayer.eachLayer((l) => textTip(l, l.feature.properties.name || ''));
    const m = location.pathname.match(/^\/r\/([0-9a-f]{32})$/);
    if (m) await showResult(m[1], false);
  }

  // ---- input -----------------------------------------------------------------
  function setFile(f) {
    state.file = f;
    $('file-name').textContent = f ? `${f.name} (${Math.ceil(f.size / 1024)} kB)` : '';
  }
  $('file').addEventListener('change', (e) => setFile(e.target.files[0] || null));
  const drop = $('drop');
  ['dragenter', 'dragover'].forEach((t) => document.addEventListener(t, (e) => {
    e.preventDefault();
    drop.classList.add('over');
  }));
  document.addEventListener('dragleave', () => drop.classList.remove('over'));
  document.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) {
      setFile(e.dataTransfer.files[0]);
      $('text').value = '';
      submit();
    }
  });
  $('text').addEventListener('input', () => { if ($('text').value.trim()) setFile(null); });

  function clearErrors() {
    document.querySelectorAll('.error').forEach((p) => { p.textContent = ''; });
    document.querySelectorAll('.invalid').forEach((p) => p.classList.remove('invalid'));
  }

  function showError(e) {
    const field = { file: 'file', text: 'text', buffer: 'buffer', crs: 'crs' }[e.field] || 'body';
    $('err-' + field).textContent = e.error;
    const input = { file: 'drop', text: 'text', buffer: 'buffer', crs: 'crs' }[field];
    if (input) $(input).classList.add('invalid');
  }

  async function submit() {
    clearErrors();
    const q = new URLSearchParams();
    const buffer = $('buffer').value.trim();
    const crs = $('crs').value.trim();
    if (buffer) q.set('buffer', buffer);
    if (crs) q.set('crs', crs);
    let body;
    if (state.file) {
      q.set('filename', state.file.name);
      body = state.file;
    } else {
      body = $('text').value;
      if (!body.trim()) {
        showError({ error: '请拖入文件、粘贴坐标或在地图上绘制 — drop a file, paste coordinates or draw', field: 'text' });
        return;
      }
    }
    $('check').disabled = true;
    document.body.dataset.state = 'checking';
    try {
      const r = await fetch('/api/check?' + q, { method: 'POST', body });
      const j = await r.json();
      if (!r.ok) {
        showError(j);
        document.body.dataset.state = 'error';
        return;
      }
      const id = r.headers.get('X-Greenmine-Result');
      if (id) await showResult(id, true);
    } catch (err) {
      showError({ error: '服务器无应答 — the server did not answer: ' + err.message });
      document.body.dataset.state = 'error';
    } finally {
      $('check').disabled = false;
    }
  }
  $('check-form').addEventListener('submit', (e) => { e.preventDefault(); submit(); });

  // ---- drawing a polygon ------------------------------------------------------
  $('draw').addEventListener('click', () => {
    if (state.drawing) map.removeLayer(state.drawing);
    state.drawing = L.polygon([], { color: '#1565c0', dashArray: '4 4' }).addTo(map);
    $('draw-done').hidden = false;
    $('map').classList.add('drawing');
  });
  map.on('click', (e) => {
    if (!state.drawing || $('draw-done').hidden) return;
    state.drawing.addLatLng(e.latlng);
  });
  $('draw-done').addEventListener('click', () => {
    const pts = state.drawing ? state.drawing.getLatLngs()[0] : [];
    $('draw-done').hidden = true;
    $('map').classList.remove('drawing');
    if (pts.length < 3) {
      showError({ error: '至少需要三个点 — a polygon needs at least three points', field: 'text' });
      return;
    }
    const ring = pts.concat([pts[0]]).map((p) => `${p.lng.toFixed(7)} ${p.lat.toFixed(7)}`);
    $('text').value = `POLYGON((${ring.join(', ')}))`;
    setFile(null);
    map.removeLayer(state.drawing);
    state.drawing = null;
    submit();
  });

  // ---- the result -------------------------------------------------------------
  function row(tbody, cells) {
    const tr = document.createElement('tr');
    cells.forEach((c, i) => {
      const td = document.createElement(i === 0 && cells.length === 2 ? 'th' : 'td');
      td.textContent = c;
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
  const ha = (v) => v.toLocaleString('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 });

  async function showResult(id, push) {
    const r = await fetch('/api/results/' + id);
    const res = await r.json();
    if (!r.ok) {
      showError(res);
      return;
    }
    state.result = res;
    const apps = res.check.applications;
    const worst = apps.some((a) => a.verdict === 'conflict') ? 'conflict'
      : apps.some((a) => a.verdict === 'near') ? 'near' : 'clear';
    const v = $('verdict');
    v.className = 'verdict ' + worst;
    v.textContent = '';
    const zh = document.createElement('span');
    zh.textContent = VERDICT[worst][0];
    const en = document.createElement('span');
    en.className = 'en';
    en.textContent = VERDICT[worst][1];
    v.append(zh, ' ', en);

    const fig = $('figures').tBodies[0];
    fig.textContent = '';
    const hits = $('hits').tBodies[0];
    hits.textContent = '';
    const mines = $('mines').tBodies[0];
    mines.textContent = '';
    state.hits = new Set();
    apps.forEach((a) => {
      if (apps.length > 1) row(fig, ['申请 Application', `${a.id} — ${VERDICT[a.verdict][0]} ${a.verdict}`]);
      else row(fig, ['申请 Application', a.id]);
      row(fig, ['面积 Area', `${ha(a.area_ha)} ha`]);
      row(fig, ['压占红线 In red lines', `${ha(a.redline_overlap_ha)} ha (${a.overlap_pct.toFixed(2)} %)`]);
      row(fig, ['最近红线 Nearest red line', a.nearest_redline
        ? `${a.nearest_redline.id} ${a.nearest_redline.name || ''}, ${a.nearest_redline.distance_m.toFixed(1)} m`
        : `${res.check.search_radius_m.toFixed(0)} m 内无 — none within ${res.check.search_radius_m.toFixed(0)} m`]);
      row(fig, ['示范区 Zone', a.zone || '—']);
      if (a.repaired) row(fig, ['边界已修复 Boundary repaired', a.repaired]);
      a.redlines.forEach((x) => {
        state.hits.add(x.id);
        row(hits, [x.id, x.name || '', x.category || '', ha(x.overlap_ha)]);
      });
      a.mine_overlaps.forEach((m) => row(mines, [m.mine_id, ha(m.overlap_ha)]));
    });
    row(fig, ['缓冲距离 Buffer', `${res.check.buffer_m.toFixed(0)} m`]);
    $('hits-title').hidden = $('hits').hidden = hits.rows.length === 0;
    $('mines-title').hidden = $('mines').hidden = mines.rows.length === 0;
    const rl = res.data.layers.redlines;
    $('provenance').textContent =
      `红线数据 Red-line data: ${rl.source}` + (rl.layer ? ` (${rl.layer})` : '') +
      `, ${rl.features} 个, SHA-256 ${rl.sha256 || '—'}, 载入 loaded ${res.data.loaded_at}` +
      ` · 核查时间 Checked ${res.checked_at} · greenmine`;
    $('permalink').href = '/r/' + res.id;
    $('print').href = '/r/' + res.id + '?print=1';
    $('json').href = '/api/results/' + res.id;
    $('result').hidden = false;

    resultLayer.clearLayers();
    const kinds = {
      buffer: { color: '#1565c0', weight: 1, dashArray: '5 5', fill: false, className: 'gm-buffer' },
      application: { color: '#1565c0', weight: 2.5, fillOpacity: 0.05, className: 'gm-application' },
      redline_overlap: { color: '#b71c1c', weight: 1, fillColor: '#e53935', fillOpacity: 0.75, className: 'gm-overlap' },
      mine_overlap: { color: '#4e342e', weight: 1, fillColor: '#8d6e63', fillOpacity: 0.7, className: 'gm-mine-overlap' },
    };
    L.geoJSON(res.geometry, {
      style: (f) => kinds[f.properties.kind],
      onEachFeature: (f, l) => {
        const p = f.properties;
        if (p.kind === 'redline_overlap') textTip(l, `红线 ${p.redline_id}: ${ha(p.overlap_ha)} ha`);
        else if (p.kind === 'mine_overlap') textTip(l, `采矿权 ${p.mine_id}: ${ha(p.overlap_ha)} ha`);
        else if (p.kind === 'application') textTip(l, `${p.id}: ${p.verdict}`);
      },
    }).eachLayer((l) => resultLayer.addLayer(l));
    const b = resultLayer.getBounds();
    if (b.isValid()) map.fitBounds(b.pad(0.6), { maxZoom: 17 });
    redlineLayer.setStyle(redlineStyle);
    if (push && location.pathname !== '/r/' + res.id) history.pushState({ id: res.id }, '', '/r/' + res.id);
    document.body.dataset.state = 'done';
    document.body.dataset.verdict = worst;
    if (new URLSearchParams(location.search).get('print') === '1') enterPrint();
  }

  window.addEventListener('popstate', () => {
    const m = location.pathname.match(/^\/r\/([0-9a-f]{32})$/);
    if (m) showResult(m[1], false);
  });

  // ---- the print view: A4, one page ----------------------------------------------
  function enterPrint() {
    document.body.classList.add('print-view');
    map.invalidateSize();
    const b = resultLayer.getBounds();
    if (b.isValid()) map.fitBounds(b.pad(0.6), { maxZoom: 17 });
    if (!navigator.webdriver) map.once('moveend', () => setTimeout(() => window.print(), 800));
  }
  $('print').addEventListener('click', (e) => {
    e.preventDefault();
    history.replaceState(history.state, '', $('print').href);
    enterPrint();
    if (!navigator.webdriver) setTimeout(() => window.print(), 800);
  });

  window.gm = { map, state, resultLayer, get redlineLayer() { return redlineLayer; } };
  start().catch((e) => showError({ error: '无法连接服务器 — cannot reach the server: ' + e.message }));
}());
