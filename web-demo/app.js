// The Tally visualiser page: drives the core's stepping model (wasm/bindings.cpp) and draws
// each step's state. Plain ES module, no framework; works from static files.
import createTally from './tally_visualiser.js';

const $ = (id) => document.getElementById(id);
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
};
const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
};

const Module = await createTally();
const scenarios = JSON.parse(Module.scenarios());

// One column per session: one normally, two (pre-fix | fixed) side by side.
const view = { choice: '1', side: false, columns: [], selected: [], timer: null };

function fillPicker() {
  const picker = $('scenario');
  for (const s of scenarios) {
    picker.append(el('option', { value: String(s.number), text: `${s.number}. ${s.title}` }));
    if (s.number === 1) {
      picker.append(el('option', { value: '1p', text: '1. delete after rotation, PRE-FIX delete' }));
    }
  }
  picker.append(el('option', { value: 'free', text: 'Free play (lazy gen0 tombstone)' }));
  picker.append(el('option', { value: 'freep', text: 'Free play (pre-fix delete)' }));
  picker.append(el('option', { value: 'trace', text: 'Loaded trace', disabled: 'disabled' }));
}

function loadChoice(choice, { side = false, actions = [], step = null } = {}) {
  stop();
  $('load-error').textContent = '';
  $('free-error').textContent = '';
  view.choice = choice;
  view.side = side && (choice === '1' || choice === '1p');
  const specs = view.side ? [true, false] : [choice === '1p' || choice === 'freep'];
  view.columns = specs.map((preFix) => {
    const session = new Module.Session();
    let error = '';
    if (choice.startsWith('free')) {
      error = session.freePlay(preFix);
      for (const a of actions) {
        if (!error) error = session.act(a);
      }
    } else {
      error = session.loadScenario(Number(choice.replace('p', '')), preFix);
    }
    if (error) $('load-error').textContent = error;
    return session;
  });
  view.selected = view.columns.map(() => null);
  $('scenario').value = choice;
  $('side').checked = view.side;
  $('side-label').hidden = !(choice === '1' || choice === '1p');
  $('free').hidden = !choice.startsWith('free');
  buildColumns();
  if (step !== null) seek(step); else render();
}

function buildColumns() {
  const main = $('columns');
  main.replaceChildren();
  main.classList.toggle('side', view.columns.length > 1);
  view.columns.forEach((_, i) => {
    const column = $('column-template').content.firstElementChild.cloneNode(true);
    column.dataset.column = String(i);
    main.append(column);
  });
}

const count = () => Math.min(...view.columns.map((s) => s.count()));
const current = () => view.columns[0].current();

function seek(n) {
  const target = Math.max(0, Math.min(n, count() - 1));
  for (const s of view.columns) s.seek(target);
  view.selected = view.columns.map(() => null);
  render();
}
const step = () => seek(current() + 1);
const stepBack = () => seek(current() - 1);

function stop() {
  if (view.timer) clearInterval(view.timer);
  view.timer = null;
  $('play').textContent = '▶ Play';
}
function togglePlay() {
  if (view.timer) return stop();
  if (current() >= count() - 1) seek(0);
  $('play').textContent = '⏸ Pause';
  view.timer = setInterval(() => {
    if (current() >= count() - 1) return stop();
    step();
  }, Number($('speed').value));
}

function updateUrl() {
  const p = new URLSearchParams();
  p.set('s', view.choice);
  p.set('step', String(current()));
  if (view.side) p.set('side', '1');
  if (view.choice.startsWith('free')) {
    const actions = JSON.parse(view.columns[0].actions());
    if (actions.length) p.set('a', actions.join(','));
  }
  history.replaceState(null, '', '#' + p.toString());
}

function render() {
  const n = current();
  $('scrubber').max = String(count() - 1);
  $('scrubber').value = String(n);
  $('counter').textContent = `step ${n} / ${count() - 1}`;
  view.columns.forEach((session, i) => {
    const state = JSON.parse(session.state());
    renderColumn(document.querySelector(`[data-column="${i}"]`), session, state, i);
  });
  if (view.choice !== 'trace') updateUrl();
}

function renderColumn(column, session, state, index) {
  column.querySelector('.title').textContent = session.title();
  column.dataset.step = String(state.number);
  renderParity(column.querySelector('.parity'), state);
  column.querySelector('.chapter').textContent = state.chapter;
  column.querySelector('.event').textContent = `Step ${state.number}: ${state.event}`;
  column.querySelector('.explanation').textContent = state.explanation;
  renderTimeline(column.querySelector('.timeline'), state, index);
  renderNodes(column.querySelector('.nodes'), state);
  renderPlan(column.querySelector('.plan'), state, index);
  const list = column.querySelector('.invariants ul');
  list.replaceChildren(...state.invariants.map((inv) =>
    el('li', { class: inv.ok ? 'ok' : 'bad', text: `${inv.name}: ${inv.ok ? 'holds' : 'BROKEN'} (${inv.detail})` })));
}

function renderParity(box, state) {
  const broken = state.nodes.filter((n) => n.up && !n.parityOk);
  const down = state.nodes.every((n) => !n.up);
  box.className = 'parity ' + (broken.length ? 'broken' : down ? 'down' : 'ok');
  box.dataset.parity = broken.length ? 'broken' : down ? 'down' : 'ok';
  if (broken.length) {
    const say = (slot) => !slot.present ? 'nothing' : slot.tombstone ? 'a tombstone' : `live ${slot.decoded}`;
    const named = broken.flatMap((n) => n.keys.flatMap((k) => [
      k.gen0Differs ? `${k.label} at gen0: memory holds ${say(k.memoryGen0)}, disk ${say(k.diskGen0)}` : null,
      k.gen1Differs ? `${k.label} at gen1: memory holds ${say(k.memoryGen1)}, disk ${say(k.diskGen1)}` : null,
    ].filter(Boolean)));
    box.textContent = `✗ Parity BROKEN: memory and disk disagree. ${named.length ? named.join('; ') + '. ' : ''}` +
      `First difference: ${broken.map((n) => n.parityDetail).join('; ')}`;
  } else if (down) {
    box.textContent = '… Node down: memory is empty, parity is checked again after the restart.';
  } else {
    box.textContent = '✓ Parity OK: memory equals the disk mirror, row for row.';
  }
}

function renderTimeline(box, state, index) {
  const K = Math.max(1, state.threshold || 1);
  const inFlight = state.proposals.filter((p) => p.status === 'in flight');
  const shown = state.proposals.slice(-8);
  const last = Math.max(state.logEnd, state.applied, ...shown.map((p) => p.predictedIndex), K * 2) + 2;
  const W = Math.max(360, Math.round(box.getBoundingClientRect().width) || 1000), left = 12, right = 12, rowH = 30, top = 34;
  const H = top + 14 + rowH * Math.max(1, shown.length) + 8;
  const x = (i) => left + (i / last) * (W - left - right);
  box.setAttribute('viewBox', `0 0 ${W} ${H}`);
  box.setAttribute('aria-label', `log timeline: applied index ${state.applied}, threshold ${K}, ${inFlight.length} proposals in flight`);
  box.replaceChildren();
  box.append(svg('line', { x1: x(0), x2: x(last), y1: top, y2: top, stroke: '#1d2430' }));
  const raw = (last * 28) / W;  // at least 28 px between labelled ticks
  const tick = raw <= 1 ? 1 : raw <= 2 ? 2 : Math.ceil(raw / 5) * 5;
  for (let i = 0; i <= last; i += tick) {
    box.append(svg('line', { x1: x(i), x2: x(i), y1: top - 3, y2: top + 3, stroke: '#1d2430' }));
    box.append(svg('text', { x: x(i), y: top + 14, 'text-anchor': 'middle' }, String(i)));
  }
  for (let g = 1; g * K + 1 <= last; g++) {
    const bx = x(g * K + 0.5);
    box.append(svg('line', { class: 'boundary', x1: bx, x2: bx, y1: 4, y2: H - 4 }));
    const nearEnd = bx > W - 110;
    box.append(svg('text', { x: nearEnd ? bx - 3 : bx + 3, y: 12, 'text-anchor': nearEnd ? 'end' : 'start' }, `Gen ${g} from @${g * K + 1}`));
  }
  // The applied index of each running node (a trace has several: named when they differ).
  const byIndex = new Map();
  state.nodes.forEach((n, i) => { if (n.up) byIndex.set(n.applied, [...(byIndex.get(n.applied) || []), i]); });
  for (const [applied, nodes] of byIndex) {
    box.append(svg('text', { x: x(applied), y: top - 6, 'text-anchor': 'middle', fill: '#b3261e' }, '▼'));
    if (state.nodes.length > 1) {
      box.append(svg('text', { x: x(applied) + 7, y: top - 8, fill: '#b3261e' }, nodes.map((i) => `n${i}`).join(' ')));
    }
  }
  box.append(svg('text', { x: left, y: 24 }, `applied ${state.applied}, K = ${K}`));
  const colour = { 'in flight': '#2f6fd6', applied: '#17803d', stale: '#8d96a3', refused: '#b3261e', rejected: '#b3261e' };
  shown.forEach((p, row) => {
    // The label on its own line above the bar, so neither hides the other at any width.
    const y = top + 22 + row * rowH;
    const from = x(p.admittedAt), to = x(p.predictedIndex);
    const fill = colour[p.status] || '#c77700';
    const selected = (view.selected[index] ?? defaultProposal(state)) === p.id;
    const g = svg('g', { class: 'proposal' + (selected ? ' selected' : ''), 'data-proposal': String(p.id), tabindex: '0' });
    const label = `${p.label || p.orders[0].name} → @${p.predictedIndex} (Gen ${p.predictedGeneration}, d = ${p.d}): ${p.status}`;
    g.append(svg('text', { x: Math.max(2, Math.min(from, W - 6.8 * label.length)), y: y + 10 }, label));
    g.append(svg('rect', { x: from, y: y + 14, width: Math.max(4, to - from), height: 10, rx: 3, fill, 'fill-opacity': p.status === 'in flight' ? 0.85 : 0.35 }));
    g.append(svg('circle', { cx: to, cy: y + 19, r: 4, fill: '#1d2430' }));
    g.append(svg('title', {}, label));
    g.addEventListener('click', () => { view.selected[index] = p.id; render(); });
    box.append(g);
  });
}

function slotCell(slot, differs, gen) {
  const td = el('td', { class: 'slot' + (differs ? ' differs' : '') });
  if (!slot.present) td.append(el('span', { class: 'slot-none', text: '—' }));
  else if (slot.malformed) td.append(el('span', { class: 'slot-tomb', text: 'malformed row' }), el('small', { text: slot.decoded }));
  else if (slot.tombstone) td.append(el('span', { class: 'slot-tomb', text: '⊘ tombstone' }), el('small', { text: `tag ${slot.tag}` }));
  else {
    td.append(el('span', { class: 'slot-live', text: `live: ${slot.decoded}` }),
      el('small', { text: `${slot.valueBytes} B ${slot.valueHex}` }));
  }
  if (differs) td.append(el('span', { class: 'diff-mark', text: ` ≠ differs from ${gen}` }));
  return td;
}

function renderNodes(box, state) {
  box.replaceChildren();
  for (const n of state.nodes) {
    const gen0Byte = n.generation % 2, gen1Byte = (n.generation + 1) % 2;
    box.append(el('h3', { text: `${n.name}: ${n.up ? 'up' : 'DOWN'}, applied ${n.applied}, Gen ${n.generation}, epoch ${n.epoch}, K = ${n.threshold}` }));
    if (!n.keysKnown) {
      box.append(el('p', { text: `gen0 ${n.gen0Entries} entries, gen1 ${n.gen1Entries} entries; parity ${n.up ? (n.parityOk ? 'OK' : 'BROKEN') : 'not checked (down)'}. A trace records counts, not rows.` }));
      continue;
    }
    const table = el('table', { class: 'cache-table' });
    table.append(el('thead', {}, el('tr', {},
      el('th', { text: 'key' }),
      el('th', { class: 'gen0', text: 'memory gen0' }),
      el('th', { class: 'gen0', text: `disk, gen byte ${gen0Byte}` }),
      el('th', { class: 'gen1', text: 'memory gen1' }),
      el('th', { class: 'gen1', text: `disk, gen byte ${gen1Byte}` }))));
    const body = el('tbody');
    for (const k of n.keys) {
      const row = el('tr', { 'data-key': k.label });
      row.append(el('td', {}, el('b', { text: k.label }), el('small', { class: 'muted', text: ` ${k.kind}` })));
      row.append(slotCell(k.memoryGen0, k.gen0Differs, 'disk'), slotCell(k.diskGen0, k.gen0Differs, 'memory'),
        slotCell(k.memoryGen1, k.gen1Differs, 'disk'), slotCell(k.diskGen1, k.gen1Differs, 'memory'));
      body.append(row);
    }
    table.append(body);
    box.append(el('div', { class: 'table-wrap' }, table));
  }
}

function defaultProposal(state) {
  if (state.proposals.some((p) => p.id === state.proposal)) return state.proposal;
  const inFlight = state.proposals.filter((p) => p.status === 'in flight');
  if (inFlight.length) return inFlight[inFlight.length - 1].id;
  return state.proposals.length ? state.proposals[state.proposals.length - 1].id : null;
}

function renderPlan(box, state, index) {
  box.replaceChildren();
  const id = view.selected[index] ?? defaultProposal(state);
  const p = state.proposals.find((q) => q.id === id);
  if (!p) return;
  box.append(el('h3', { text: `Plan of ${p.label || p.orders[0].name}` }));
  box.append(el('p', { text: `${p.orders.map((o) => `${o.name} (${o.summary})`).join(', ')}: admitted at applied index ${p.admittedAt} for index ${p.predictedIndex} (Gen ${p.predictedGeneration}); cache at Gen ${p.cacheGeneration}, d = ${p.d}; epoch ${p.epoch}, base index ${p.baseIndex}. Status: ${p.status}${p.outcome ? ': ' + p.outcome : ''}.` }));
  const table = el('table', { class: 'plan-table' });
  const head = el('tr', {}, el('th', { text: '#' }), el('th', { text: 'key' }), el('th', { text: 'verdict' }), el('th', { text: 'source' }), el('th', { text: 'seed' }));
  p.orders.forEach((o, i) => head.append(el('th', { text: `coverage bit, order ${i}` })));
  table.append(el('thead', {}, head));
  const body = el('tbody');
  p.entries.forEach((e, i) => {
    const row = el('tr', {}, el('td', { text: String(i) }), el('td', { text: `${e.label} (${e.kind})` }),
      el('td', { class: `verdict-${e.verdict}`, text: e.verdict }), el('td', { text: e.source }),
      el('td', { text: e.seeded ? `${e.seedBytes} B: ${e.seedDecoded}` : '—' }));
    p.orders.forEach((o) => row.append(el('td', { class: 'bits', text: o.coverage ? (o.coverage[i] === '1' ? '1 declared' : '0 NOT declared') : '—' })));
    body.append(row);
  });
  table.append(body);
  box.append(el('div', { class: 'table-wrap' }, table));
  const bits = p.orders.filter((o) => o.coverage).map((o) => `${o.name}: ${o.coverage}`).join('; ');
  if (bits) box.append(el('p', { class: 'bits', text: `coverage bits (entry 0 first): ${bits}` }));
}

async function loadTraceFile(file) {
  stop();
  const text = await file.text();
  const session = new Module.Session();
  const error = session.loadTrace(text);
  if (error) { $('load-error').textContent = `Cannot load ${file.name}: ${error}`; return; }
  $('load-error').textContent = '';
  view.choice = 'trace';
  view.side = false;
  view.columns = [session];
  view.selected = [null];
  $('scenario').value = 'trace';
  $('free').hidden = true;
  $('side-label').hidden = true;
  history.replaceState(null, '', '#s=trace');
  buildColumns();
  render();
}

function freeAction(kind) {
  const account = $('account').value;
  const action = kind === 'save' || kind === 'delete' || kind === 'read' ? `${kind}:${account}`
    : kind === 'threshold' ? `threshold:${$('threshold').value}` : kind;
  const error = view.columns[0].act(action);
  $('free-error').textContent = error;
  render();
}

function fromUrl() {
  const p = new URLSearchParams(location.hash.slice(1));
  let choice = p.get('s') || '1';
  if (!['1', '1p', '2', '3', '4', '5', '6', '7', 'free', 'freep'].includes(choice)) choice = '1';
  const actions = p.get('a') ? p.get('a').split(',') : [];
  loadChoice(choice, { side: p.get('side') === '1', actions, step: p.has('step') ? Number(p.get('step')) : 0 });
}

fillPicker();
$('scenario').addEventListener('change', (e) => loadChoice(e.target.value, { side: view.side }));
$('side').addEventListener('change', (e) => loadChoice(view.choice, { side: e.target.checked, step: current() }));
$('next').addEventListener('click', step);
$('back').addEventListener('click', stepBack);
$('play').addEventListener('click', togglePlay);
$('speed').addEventListener('change', () => { if (view.timer) { stop(); togglePlay(); } });
$('scrubber').addEventListener('input', (e) => seek(Number(e.target.value)));
$('trace-file').addEventListener('change', (e) => { if (e.target.files[0]) loadTraceFile(e.target.files[0]); });
for (const b of document.querySelectorAll('[data-act]')) b.addEventListener('click', () => freeAction(b.dataset.act));
document.addEventListener('keydown', (e) => {
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName) && e.target.type !== 'range') return;
  if (e.key === 'ArrowRight') { e.preventDefault(); step(); }
  else if (e.key === 'ArrowLeft') { e.preventDefault(); stepBack(); }
  else if (e.key === ' ') { e.preventDefault(); togglePlay(); }
});
window.addEventListener('hashchange', () => {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get('s') !== view.choice || Number(p.get('step')) !== current()) fromUrl();
});
fromUrl();
const readyMs = Math.round(performance.now());  // since navigation started
$('ready').textContent = `core ready in ${readyMs} ms`;
window.tally = { ready: true, readyMs, view, seek, step, stepBack };
