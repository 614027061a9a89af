// mdec station: runs list, live run page, comparison and the settings form.
// Plain script, no dependencies: the station works offline.
'use strict';

const token = new URLSearchParams(location.search).get('token');
const withToken = (url) =>
  token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;

async function api(path, options) {
  const response = await fetch(withToken(path), options);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || response.status + ' ' + response.statusText);
  return body;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children.flat()) if (child) node.append(child);
  return node;
}

const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777',
  '#65a30d', '#ea580c', '#4b5563', '#0d9488', '#9333ea'];
const fmt = (v, digits = 4) => (v === undefined || v === null ? '–' : Number(v).toFixed(digits));
const fileUrl = (id, path, bust) =>
  withToken(`/api/runs/${encodeURIComponent(id)}/files/${path}` + (bust ? `?v=${bust}` : ''));

function movingAverage(values, window) {
  return values.map((_, i) => {
    const part = values.slice(Math.max(0, i - window + 1), i + 1).filter((v) => v !== null);
    return part.length ? part.reduce((a, b) => a + b, 0) / part.length : null;
  });
}

// A line chart: series = [{name, colour, dash, points: [[x, y], ...]}].
function lineChart(title, series, { log = false, xLabel = '' } = {}) {
  const W = 460, H = 230, L = 56, R = 10, T = 10, B = 34;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0));
  const box = el('div', { class: 'card' }, el('h2', {}, title));
  if (!all.length) return box.appendChild(el('p', { class: 'muted' }, 'no data yet')), box;
  const ty = (y) => (log ? Math.log10(y) : y);
  let [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [y0, y1] = [Math.min(...all.map((p) => ty(p[1]))), Math.max(...all.map((p) => ty(p[1])))];
  if (x0 === x1) x1 = x0 + 1;
  if (y0 === y1) { y0 -= 0.5; y1 += 0.5; }
  const sx = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y) => T + (1 - (ty(y) - y0) / (y1 - y0)) * (H - T - B);
  const chart = svg('svg', { width: '100%', viewBox: `0 0 ${W} ${H}` });
  chart.append(svg('rect', { x: L, y: T, width: W - L - R, height: H - T - B, fill: 'none', stroke: '#d9dde3' }));
  for (let i = 0; i <= 4; i++) {
    const yv = y0 + ((y1 - y0) * i) / 4;
    const label = log ? Number(10 ** yv).toPrecision(2) : Number(yv.toPrecision(3));
    const y = T + (1 - i / 4) * (H - T - B);
    chart.append(svg('text', { x: L - 4, y: y + 4, 'text-anchor': 'end' }, document.createTextNode(label)));
    const xv = x0 + ((x1 - x0) * i) / 4;
    chart.append(svg('text', { x: sx(xv), y: H - B + 14, 'text-anchor': 'middle' }, document.createTextNode(Number(xv.toPrecision(4)))));
  }
  chart.append(svg('text', { x: (L + W) / 2, y: H - 4, 'text-anchor': 'middle' }, document.createTextNode(xLabel)));
  const legend = el('div', { class: 'legend' });
  series.forEach((s, i) => {
    const colour = s.colour || COLOURS[i % COLOURS.length];
    const pts = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y) && (!log || y > 0));
    if (!pts.length) return;
    chart.append(svg('polyline', {
      points: pts.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' '),
      fill: 'none', stroke: colour, 'stroke-width': s.width || 1.6, 'stroke-dasharray': s.dash || '',
    }));
    if (pts.length < 30) {
      for (const [x, y] of pts) chart.append(svg('circle', { cx: sx(x), cy: sy(y), r: 2.5, fill: colour }));
    }
    legend.append(el('span', {}, el('i', { style: `background:${colour}` }), s.name));
  });
  box.append(chart, legend);
  return box;
}

function barChart(title, values, subtitle) {
  const W = 460, H = 200, L = 40, B = 24, T = 10;
  const box = el('div', { class: 'card' }, el('h2', {}, title));
  if (!values.length) return box.appendChild(el('p', { class: 'muted' }, 'no data yet')), box;
  const max = Math.max(...values, 1);
  const bw = (W - L - 10) / values.length;
  const chart = svg('svg', { width: '100%', viewBox: `0 0 ${W} ${H}` });
  values.forEach((v, i) => {
    const h = ((H - T - B) * v) / max;
    chart.append(svg('rect', { x: L + i * bw + 2, y: H - B - h, width: Math.max(bw - 4, 1), height: h, fill: COLOURS[i % COLOURS.length] }));
    chart.append(svg('text', { x: L + i * bw + bw / 2, y: H - 8, 'text-anchor': 'middle' }, document.createTextNode(i)));
  });
  chart.append(svg('text', { x: L - 4, y: T + 10, 'text-anchor': 'end' }, document.createTextNode(max)));
  box.append(chart);
  if (subtitle) box.append(el('p', { class: 'muted' }, subtitle));
  return box;
}

function badge(status) {
  return el('span', { class: `badge ${status}`, 'data-testid': 'status' }, status);
}

let leave = [];
function route() {
  leave.forEach((f) => f());
  leave = [];
  const main = document.getElementById('main');
  main.replaceChildren();
  const hash = location.hash || '#/';
  const [, page, arg] = hash.match(/^#\/([^/]*)\/?(.*)$/) || [];
  const pages = { '': runsPage, run: runPage, compare: comparePage, try: tryPage };
  (pages[page] || runsPage)(main, decodeURIComponent(arg || '')).catch((e) => {
    main.append(el('p', { class: 'error' }, e.message));
  });
}
window.addEventListener('hashchange', route);
window.addEventListener('DOMContentLoaded', route);

// ---- runs list ----
async function runsPage(main) {
  const selected = new Set();
  const table = el('table', { 'data-testid': 'runs' });
  const compare = el('button', {
    disabled: true,
    onclick: () => { location.hash = '#/compare/' + [...selected].map(encodeURIComponent).join(','); },
  }, 'Compare selected');
  main.append(el('h1', {}, 'Runs'), el('p', {}, compare, ' ', el('a', { href: '#/try' }, 'Try settings…')), table);
  async function refresh() {
    const runs = await api('/api/runs');
    document.getElementById('status-line').textContent = `${runs.length} runs`;
    table.replaceChildren(el('tr', {}, ['', 'run', 'method', 'data', 'samples', 'status', 'ACC', 'NMI', 'ARI', 'seconds', 'started']
      .map((h) => el('th', { class: ['samples', 'ACC', 'NMI', 'ARI', 'seconds'].includes(h) ? 'num' : '' }, h))));
    for (const r of runs) {
      const box = el('input', { type: 'checkbox', 'data-run': r.id, onchange: (e) => {
        e.target.checked ? selected.add(r.id) : selected.delete(r.id);
        compare.disabled = selected.size < 2;
      } });
      box.checked = selected.has(r.id);
      table.append(el('tr', { 'data-run': r.id },
        el('td', {}, box),
        el('td', {}, el('a', { href: '#/run/' + encodeURIComponent(r.id) }, r.id)),
        el('td', {}, `${r.preset} (${r.command})`),
        el('td', { title: r.data }, r.data.length > 48 ? r.data.slice(0, 47) + '…' : r.data),
        el('td', { class: 'num' }, r.samples),
        el('td', {}, badge(r.status)),
        el('td', { class: 'num' }, fmt(r.scores?.acc)),
        el('td', { class: 'num' }, fmt(r.scores?.nmi)),
        el('td', { class: 'num' }, fmt(r.scores?.ari)),
        el('td', { class: 'num' }, r.seconds ? r.seconds.toFixed(1) : '–'),
        el('td', {}, r.started ? new Date(r.started * 1000).toLocaleString() : '–')));
    }
  }
  await refresh();
  const timer = setInterval(() => refresh().catch(() => {}), 3000);
  leave.push(() => clearInterval(timer));
}

// ---- one run, live ----
function newState() {
  return { pretrain: new Map(), cluster: new Map(), status: null, kmeans: null, final: null, k: null, records: 0, progress: null, epochs: null, maxIter: null, figures: 0, error: null };
}

function applyRecord(state, record) {
  state.records += 1;
  switch (record.event) {
    case 'run_started': state.status = 'running'; break;
    case 'epoch_done': state.pretrain.set(record.epoch, record); state.epochs = record.epochs; break;
    case 'kmeans_done': state.kmeans = record; break;
    case 'k_chosen': state.k = record.choice; break;
    case 'target_update': state.cluster.set(record.iteration, record); state.maxIter = record.max_iter; break;
    case 'figure_written': state.figures += 1; break;
    case 'stopped': state.status = 'interrupted'; break;
    case 'finished': state.status = 'finished'; state.final = record; break;
    case 'failed': state.status = 'failed'; state.error = record.error; break;
  }
}

function pretrainSeries(rows) {
  return [
    { name: 'train loss', points: rows.map((r) => [r.epoch, r.train_loss]), colour: '#93c5fd' },
    { name: 'moving average', points: rows.map((r) => [r.epoch, r.train_loss_ma]), colour: '#1d4ed8', width: 2.2 },
    { name: 'validation loss', points: rows.filter((r) => r.val_loss != null).map((r) => [r.epoch, r.val_loss]), colour: '#dc2626' },
  ];
}

async function runPage(main, id) {
  const detail = await api(`/api/runs/${encodeURIComponent(id)}`);
  const state = newState();
  state.status = detail.info.status;
  const statusBox = el('span', {}, badge(state.status));
  const stop = el('button', { class: 'secondary', 'data-testid': 'stop', onclick: async () => {
    stop.disabled = true;
    try { await api(`/api/runs/${encodeURIComponent(id)}/stop`, { method: 'POST' }); stop.textContent = 'Stopping…'; }
    catch (e) { errorBox.textContent = e.message; }
  } }, 'Stop');
  const errorBox = el('p', { class: 'error' });
  const progress = el('progress', { max: 1, value: 0 });
  const progressText = el('span', { class: 'muted' });
  const counter = el('span', { 'data-testid': 'live-count' }, '0');
  const body = el('div');
  const scatter = el('canvas', { width: 440, height: 320, 'data-testid': 'scatter' });
  const scatterNote = el('p', { class: 'muted' }, 'drawn at each target update of clustering');
  const pictures = el('div', { class: 'pictures' });
  main.append(
    el('h1', {}, id, ' ', statusBox, ' ', detail.info.owned ? stop : null),
    el('p', { class: 'muted' }, `${detail.info.preset} · ${detail.info.command} · ${detail.info.data} · ${detail.info.samples} samples of ${detail.info.shape} · k = ${detail.info.clusters}`),
    el('p', {}, progress, ' ', progressText, ' · live updates: ', counter),
    errorBox, body,
    el('div', { class: 'grid' }, el('div', { class: 'card' },
      el('h2', {}, 'Embedding (2-D PCA of the latest update, coloured by cluster)'), scatter, scatterNote)),
    pictures);
  let live = 0;
  let pending = false;
  let lastFrame = -1;
  let shownFigures = -1;
  const render = () => {
    pending = false;
    statusBox.replaceChildren(badge(state.status));
    stop.disabled = state.status !== 'running';
    if (state.status !== 'running') {
      stop.textContent = 'Stopped';
      progressText.textContent = state.status;
    }
    if (state.error) errorBox.textContent = state.error;
    const pre = [...state.pretrain.values()].sort((a, b) => a.epoch - b.epoch);
    const clu = [...state.cluster.values()].sort((a, b) => a.iteration - b.iteration);
    const last = clu[clu.length - 1];
    const scores = state.final?.scores || last?.scores;
    const rows = [];
    if (state.kmeans?.scores) rows.push(['after k-means', state.kmeans.scores]);
    if (scores) rows.push([state.final ? 'final' : 'latest update', scores]);
    const cards = [];
    cards.push(el('div', { class: 'card' }, el('h2', {}, 'Scores'),
      rows.length ? el('table', { 'data-testid': 'scores' }, el('tr', {}, ['', 'ACC', 'NMI', 'ARI'].map((h) => el('th', {}, h))),
        rows.map(([name, s]) => el('tr', {}, el('td', {}, name), el('td', { class: 'num' }, fmt(s.acc)), el('td', { class: 'num' }, fmt(s.nmi)), el('td', { class: 'num' }, fmt(s.ari)))))
        : el('p', { class: 'muted' }, 'no labels, or no clustering yet'),
      el('p', { class: 'muted' }, el('span', { 'data-testid': 'epochs' }, pre.length), ` epochs${state.epochs ? ' of ' + state.epochs : ''}; `,
        el('span', { 'data-testid': 'updates' }, clu.length), ' target updates' + (last ? ` (iteration ${last.iteration})` : ''))));
    cards.push(lineChart('Pretraining loss', pretrainSeries(pre), { log: true, xLabel: 'epoch' }));
    if (clu.length) {
      const loss = clu.map((r) => r.loss);
      cards.push(lineChart('Clustering loss', [
        { name: 'loss', points: clu.map((r) => [r.iteration, r.loss]), colour: '#93c5fd' },
        { name: 'moving average (5)', points: clu.map((r, i) => [r.iteration, movingAverage(loss, 5)[i]]), colour: '#1d4ed8', width: 2.2 },
        { name: 'clustering term', points: clu.map((r) => [r.iteration, r.loss_clustering]), colour: '#d97706' },
        { name: 'reconstruction term', points: clu.map((r) => [r.iteration, r.loss_reconstruction]), colour: '#16a34a' },
      ], { log: true, xLabel: 'iteration' }));
      if (clu.some((r) => r.scores)) {
        cards.push(lineChart('ACC / NMI / ARI per update', ['acc', 'nmi', 'ari'].map((m) => ({
          name: m.toUpperCase(), points: clu.filter((r) => r.scores).map((r) => [r.iteration, r.scores[m]]),
        })), { xLabel: 'iteration' }));
      }
      cards.push(lineChart('Labels changed per update (%)', [
        { name: 'changed', points: clu.filter((r) => r.delta_label != null).map((r) => [r.iteration, 100 * r.delta_label]) },
      ], { xLabel: 'iteration' }));
      cards.push(lineChart('Stability: NMI with the previous update', [
        { name: 'NMI(t−1, t)', points: clu.filter((r) => r.stability_nmi != null).map((r) => [r.iteration, r.stability_nmi]) },
      ], { xLabel: 'iteration' }));
      cards.push(barChart('Cluster sizes (latest update)', last.cluster_sizes,
        `sizes ${last.cluster_sizes.join(' / ')}`));
    }
    body.replaceChildren(el('div', { class: 'grid' }, cards));
    if (last && last.iteration !== lastFrame) {
      lastFrame = last.iteration;
      drawFrame(id, scatter, scatterNote);
    }
    if (state.figures !== shownFigures) {
      shownFigures = state.figures;
      showPictures(id, pictures, state.figures);
    }
  };
  const schedule = () => { if (!pending) { pending = true; setTimeout(render, 150); } };
  const source = new EventSource(withToken(`/api/runs/${encodeURIComponent(id)}/events`));
  source.onmessage = (message) => {
    applyRecord(state, JSON.parse(message.data));
    live += 1;
    counter.textContent = live;
    schedule();
  };
  source.addEventListener('progress', (message) => {
    const p = JSON.parse(message.data);
    live += 1;
    counter.textContent = live;
    progress.value = p.total ? p.done / p.total : 0;
    progressText.textContent = p.phase === 'pretraining'
      ? `pretraining epoch ${p.epoch}/${p.epochs}, batch ${p.done}/${p.total}, loss ${fmt(p.loss, 5)}`
      : `clustering, batch ${p.done}/${p.total}`;
  });
  leave.push(() => source.close());
  render();
}

async function drawFrame(id, canvas, note) {
  try {
    const frame = await api(`/api/runs/${encodeURIComponent(id)}/frame`);
    const ctx = canvas.getContext('2d');
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const xs = frame.points.map((p) => p[0]), ys = frame.points.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    for (const [x, y, c] of frame.points) {
      ctx.fillStyle = COLOURS[c % COLOURS.length];
      ctx.fillRect(8 + ((x - x0) / (x1 - x0 || 1)) * (canvas.width - 16), 8 + ((y - y0) / (y1 - y0 || 1)) * (canvas.height - 16), 2.5, 2.5);
    }
    note.textContent = `iteration ${frame.iteration}, ${frame.points.length} points, coloured by cluster`;
  } catch (e) {
    note.textContent = e.message;
  }
}

async function showPictures(id, box, bust) {
  const detail = await api(`/api/runs/${encodeURIComponent(id)}`);
  const named = (n) => detail.names[n] ? ` (${detail.names[n]})` : '';
  const groups = [
    ['Reconstructions (inputs above outputs)', (p) => p === 'plots/reconstructions.png'],
    ['Confusion matrix', (p) => p === 'plots/confusion.png'],
    ['Cluster maps', (p) => p.startsWith('maps/')],
    ['Galleries: most (top) and least (bottom) confident per cluster', (p) => p.startsWith('plots/montages/')],
    ['Overview', (p) => p === 'plots/overview.png'],
  ];
  box.replaceChildren(...groups.map(([title, keep]) => {
    const shown = detail.pictures.filter(keep);
    if (!shown.length) return null;
    return el('div', { class: 'card' + (shown.length > 1 ? ' several' : '') }, el('h2', {}, title), shown.map((p) => {
      const m = p.match(/cluster_(\d+)\.png$/);
      return el('figure', {}, el('img', { src: fileUrl(id, p, bust), alt: p, loading: 'lazy' }),
        m ? el('figcaption', {}, `cluster ${Number(m[1])}${named(Number(m[1]))}`) : null);
    }));
  }).filter(Boolean));
}

// ---- comparison ----
async function comparePage(main, arg) {
  const ids = arg.split(',').filter(Boolean);
  main.append(el('h1', {}, 'Compare ', ids.join(' · ')));
  const runs = await Promise.all(ids.map(async (id) => {
    const detail = await api(`/api/runs/${encodeURIComponent(id)}`);
    const state = newState();
    const text = await fetch(fileUrl(id, 'events.jsonl')).then((r) => (r.ok ? r.text() : ''));
    text.split('\n').filter((l) => l.trim()).forEach((l) => applyRecord(state, JSON.parse(l)));
    return { id, detail, state };
  }));
  const settings = (d) => d.config.settings || {};
  const table = el('table', { 'data-testid': 'compare-table' },
    el('tr', {}, ['run', 'method', 'latent', 'lr', 'epochs', 'status', 'final train loss', 'ACC', 'NMI', 'ARI', 'seconds'].map((h) => el('th', {}, h))),
    runs.map(({ id, detail, state }) => {
      const pre = [...state.pretrain.values()].sort((a, b) => a.epoch - b.epoch);
      const s = detail.info.scores;
      return el('tr', {}, el('td', {}, el('a', { href: '#/run/' + encodeURIComponent(id) }, id)),
        el('td', {}, detail.info.preset), el('td', { class: 'num' }, settings(detail).ae?.latent_dim),
        el('td', { class: 'num' }, settings(detail).pretrain?.lr), el('td', { class: 'num' }, pre.length),
        el('td', {}, badge(detail.info.status)), el('td', { class: 'num' }, fmt(pre[pre.length - 1]?.train_loss, 5)),
        el('td', { class: 'num' }, fmt(s?.acc)), el('td', { class: 'num' }, fmt(s?.nmi)), el('td', { class: 'num' }, fmt(s?.ari)),
        el('td', { class: 'num' }, detail.info.seconds ? detail.info.seconds.toFixed(1) : '–'));
    }));
  const curves = el('div', { class: 'grid' },
    lineChart('Pretraining loss (moving average)', runs.map(({ id, state }) => ({
      name: id, points: [...state.pretrain.values()].sort((a, b) => a.epoch - b.epoch).map((r) => [r.epoch, r.train_loss_ma]),
    })), { log: true, xLabel: 'epoch' }),
    lineChart('Clustering loss', runs.map(({ id, state }) => ({
      name: id, points: [...state.cluster.values()].sort((a, b) => a.iteration - b.iteration).map((r) => [r.iteration, r.loss]),
    })), { log: true, xLabel: 'iteration' }),
    lineChart('ACC per update', runs.map(({ id, state }) => ({
      name: id, points: [...state.cluster.values()].filter((r) => r.scores).sort((a, b) => a.iteration - b.iteration).map((r) => [r.iteration, r.scores.acc]),
    })), { xLabel: 'iteration' }));
  const recon = el('div', { class: 'side' }, runs.map(({ id, detail }) => el('div', { class: 'card' }, el('h2', {}, `Reconstructions: ${id}`),
    detail.pictures.includes('plots/reconstructions.png')
      ? el('img', { src: fileUrl(id, 'plots/reconstructions.png'), alt: `reconstructions of ${id}` })
      : el('p', { class: 'muted' }, 'none drawn (the run has not finished pretraining)'))));
  main.append(table, curves, recon);
}

// ---- try settings ----
async function tryPage(main) {
  const inputs = await api('/api/inputs');
  const field = (label, input) => [el('label', { for: input.id }, label), input];
  const number = (id, value, step) => el('input', { id, name: id, type: 'number', value, step: step || 'any' });
  const form = el('form', { class: 'try', 'data-testid': 'try-form' },
    field('input', el('select', { id: 'input', name: 'input' }, inputs.map((i) => el('option', { value: i.index }, i.description)))),
    field('run name', el('input', { id: 'name', name: 'name', placeholder: 'try-<time>' })),
    field('architecture', el('select', { id: 'architecture', name: 'architecture' },
      [['dcec', 'convolutional (DCEC)'], ['mdec', 'convolutional with pooling (MDEC)'], ['dec', 'dense 500-500-2000 (DEC)'], ['idec', 'dense, IDEC loss'], ['dcra', 'DCRA (as published)'], ['dcra-fixed', 'DCRA, terms comparable']]
        .map(([v, t]) => el('option', { value: v }, t)))),
    field('latent size', number('latent_dim', 10, 1)),
    field('learning rate', number('lr', 0.001)),
    field('schedule', el('select', { id: 'schedule', name: 'schedule' }, ['constant', 'cosine', 'step'].map((s) => el('option', { value: s }, s)))),
    field('input noise σ', number('noise_std', 0)),
    field('augmentation', el('input', { id: 'augment', name: 'augment', type: 'checkbox' })),
    field('pretraining epochs', number('epochs', 5, 1)),
    field('clustering iterations (0: pretrain only)', number('max_iter', 0, 1)),
    field('clusters', number('clusters', 10, 1)),
    field('batch size', number('batch_size', 64, 1)),
    field('seed', number('seed', 0, 1)),
    el('span'), el('button', { type: 'submit', 'data-testid': 'start' }, 'Start'));
  const error = el('p', { class: 'error', 'data-testid': 'form-error' });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    const v = (id) => form.elements[id].value;
    const body = {
      input: Number(v('input')), architecture: v('architecture'), latent_dim: Number(v('latent_dim')),
      lr: Number(v('lr')), schedule: v('schedule'), noise_std: Number(v('noise_std')),
      augment: form.elements.augment.checked, epochs: Number(v('epochs')), max_iter: Number(v('max_iter')),
      clusters: Number(v('clusters')), batch_size: Number(v('batch_size')), seed: Number(v('seed')),
    };
    if (v('name').trim()) body.name = v('name').trim();
    try {
      const started = await api('/api/train', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      location.hash = '#/run/' + encodeURIComponent(started.id);
    } catch (e) {
      error.textContent = e.message;
    }
  });
  main.append(el('h1', {}, 'Try autoencoder settings'),
    el('p', { class: 'muted' }, 'A short run on a chosen input: watch it live, stop it, and compare its reconstructions with another run\'s.'),
    form, error);
}
