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

// Each phase of start-up and of a trace's load is a performance measure named "tally:...",
// for profiling tools (tests/browser/load_profile.mjs) to split the time.
const measure = (name, start) => performance.measure(`tally:${name}`, { start, end: performance.now() });

// The trace the address names, already being fetched (index.html): used by the first load.
let prefetched = window.tallyPrefetch ?? null;

// The module instantiated from the code index.html compiled while the page loaded; without it
// (or if that compile failed), loaded and compiled here.
async function loadModule() {
  const compiled = await window.tallyCompiled?.catch(() => null);
  if (!compiled) return createTally();
  return createTally({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled),
        (error) => { $('load-error').textContent = `Cannot start the module: ${error.message}`; });
      return {};
    },
  });
}
const fontsWarmed = warmFonts();
const moduleStarted = performance.now();
const Module = await loadModule();
measure('module', moduleStarted);
const scenarios = JSON.parse(Module.scenarios());

// One column per session: one normally, two (pre-fix | fixed) side by side. A loaded trace
// remembers where it came from, so the URL can bring it back: a fetchable address
// (?trace=URL) or, for a small file, its bytes compressed in the fragment (#t=...).
const view = { choice: '1', side: false, columns: [], selected: [], timer: null, trace: null, seeks: 0, reading: null };

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
  view.trace = null;
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

// Each timeline's width, measured when the layout settles (never while a step is drawn, which
// would force the browser to lay out the page it is changing), and once for a new column,
// empty, before its first step is drawn. The SVG is scaled from its viewBox to that width, so
// drawn at any other its text would take a font size nothing else on the page has: Chromium
// on Linux asks the browser process for each new font and size the first time a layout
// meets it, 100 ms or more on a busy machine.
const widths = new WeakMap();
const resized = new ResizeObserver((entries) => {
  let changed = false;
  for (const { target } of entries) {
    const width = Math.round(target.getBoundingClientRect().width);
    if (width && width !== widths.get(target)) { widths.set(target, width); changed = true; }
  }
  if (changed && view.columns.length) render();
});
const timelineWidth = (box) => widths.get(box) || 1000;

function buildColumns() {
  const main = $('columns');
  main.replaceChildren();
  main.classList.toggle('side', view.columns.length > 1);
  const timelines = view.columns.map((_, i) => {
    const column = $('column-template').content.firstElementChild.cloneNode(true);
    column.dataset.column = String(i);
    main.append(column);
    return column.querySelector('.timeline');
  });
  for (const timeline of timelines) {
    widths.set(timeline, Math.round(timeline.getBoundingClientRect().width));
    resized.observe(timeline);
  }
}

// A sample of every font and size a step is drawn in, laid out out of sight while the module
// and the trace load, so that the first step's layout finds each font already resolved (see
// widths above): removed once the first step is drawn.
function warmFonts() {
  const sample = $('column-template').content.firstElementChild.cloneNode(true);
  for (const node of sample.querySelectorAll('h2, h3, p, .parity')) node.textContent ||= 'Tally ✓ ✗';
  sample.querySelector('.timeline').append(svg('text', { x: 0, y: 12 }, 'Gen 1 from @5 ▼ → n0'));
  const cell = (cls) => el('td', { class: cls }, el('b', { text: 'key' }), el('small', { class: 'muted', text: 'Kind' }),
    el('span', { class: 'slot-live', text: 'live: 1 — ⊘ ≠' }), el('span', { class: 'diff-mark', text: '≠' }));
  const table = (cls) => el('table', { class: cls }, el('thead', {}, el('tr', {}, el('th', { class: 'node-col', text: 'node' }),
    el('th', { class: 'gen0', text: 'gen0' }))), el('tbody', {}, el('tr', { class: 'nodes-differ' }, cell('slot pair differs'),
    cell('bits'), el('td', { class: 'verdict-Hit', text: 'Hit' }), el('td', { class: 'verdict-Miss', text: 'Miss' }))));
  sample.querySelector('.nodes').append(table('cache-table nodes-table'));
  sample.querySelector('.plan').append(table('plan-table'), el('p', { class: 'bits', text: '0101' }));
  sample.querySelector('.invariants ul').append(el('li', { class: 'ok', text: 'holds' }), el('li', { class: 'bad', text: 'BROKEN' }));
  const box = el('div', { class: 'font-sample', 'aria-hidden': 'true' }, sample);
  document.body.append(box);
  return () => box.remove();
}

const count = () => Math.min(...view.columns.map((s) => s.count()));
const current = () => view.columns[0].current();

function seek(n) {
  view.seeks++;
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

// The address follows the step shown, a moment after the last seek: a burst of seeks (the
// scrubber dragged, play) rewrites it once, and never delays drawing a step.
let urlTimer = null;
function scheduleUrl() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(updateUrl, 100);
}

function updateUrl() {
  urlTimer = null;
  const p = new URLSearchParams();
  p.set('s', view.choice);
  p.set('step', String(current()));
  if (view.choice === 'trace') {
    if (view.trace?.packed) p.set('t', view.trace.packed);
    history.replaceState(null, '', location.pathname + location.search + '#' + p.toString());
    sharedLink();
    return;
  }
  if (view.side) p.set('side', '1');
  if (view.choice.startsWith('free')) {
    const actions = JSON.parse(view.columns[0].actions());
    if (actions.length) p.set('a', actions.join(','));
  }
  const search = new URLSearchParams(location.search);
  search.delete('trace');
  const query = search.toString();
  history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + '#' + p.toString());
  sharedLink();
}

function sharedLink() {
  const link = $('share-link');
  if (link) link.href = location.href;
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
  renderDivergence();
  if (view.choice !== 'trace' || view.trace) scheduleUrl();
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
  // Several nodes: whether those at one applied index agree (inv#1 between nodes).
  const split = state.invariants.find((inv) => inv.name.startsWith('inv#1 every node') && !inv.ok);
  if (split) {
    if (!broken.length) { box.className = 'parity broken'; box.dataset.parity = 'split'; }
    box.textContent += ` ✗ Nodes DISAGREE: ${split.detail}`;
  } else if (state.nodes.length > 1 && !down) {
    box.textContent += ' Every node at the same index holds the same rows.';
  }
}

// The log from `first` to `last`: a window of at most 60 indexes ending past the latest
// prediction, so a long trace draws as much as a short scenario.
function renderTimeline(box, state, index) {
  const K = Math.max(1, state.threshold || 1);
  const inFlight = state.proposals.filter((p) => p.status === 'in flight');
  const shown = state.proposals.slice(-8);
  const last = Math.max(state.logEnd, state.applied, ...shown.map((p) => p.predictedIndex), Math.min(K * 2, 40)) + 2;
  const first = Math.max(0, last - 60);
  const W = Math.max(360, timelineWidth(box)), left = 12, right = 12, rowH = 30, top = 46;  // gen labels at 12, "applied" at 24, markers above top
  const H = top + 14 + rowH * Math.max(1, shown.length) + 8;
  const x = (i) => left + ((Math.max(i, first) - first) / (last - first)) * (W - left - right);
  box.setAttribute('viewBox', `0 0 ${W} ${H}`);
  box.setAttribute('aria-label', `log timeline: applied index ${state.applied}, threshold ${K}, ${inFlight.length} proposals in flight`);
  const out = document.createDocumentFragment();  // attached once: one invalidation
  out.append(svg('line', { x1: x(first), x2: x(last), y1: top, y2: top, stroke: '#1d2430' }));
  const raw = ((last - first) * 28) / W;  // at least 28 px between labelled ticks
  const tick = raw <= 1 ? 1 : raw <= 2 ? 2 : Math.ceil(raw / 5) * 5;
  for (let i = Math.ceil(first / tick) * tick; i <= last; i += tick) {
    out.append(svg('line', { x1: x(i), x2: x(i), y1: top - 3, y2: top + 3, stroke: '#1d2430' }));
    out.append(svg('text', { x: x(i), y: top + 14, 'text-anchor': 'middle' }, String(i)));
  }
  // Each generation's label: in full when its band is wide enough, else "G{n}", and a label
  // that would run into the one before it left out (narrow bands: every second or third).
  const band = (K * (W - left - right)) / (last - first);
  const textWidth = (text) => text.length * 6.5;  // 11px text, a generous average
  const full = (g) => `Gen ${g} from @${g * K + 1}`;
  const name = textWidth(full(Math.floor(last / K))) + 8 <= band ? full : (g) => `G${g}`;
  let labelsEnd = -Infinity;  // the right edge of the last label drawn
  for (let g = Math.max(1, Math.floor(first / K)); g * K + 1 <= last; g++) {
    if (g * K + 1 < first) continue;
    const bx = x(g * K + 0.5);
    out.append(svg('line', { class: 'boundary', x1: bx, x2: bx, y1: 4, y2: H - 4 }));
    const text = name(g), width = textWidth(text);
    const nearEnd = bx + 3 + width > W;
    const from = nearEnd ? bx - 3 - width : bx + 3;
    if (from < labelsEnd + 6) continue;
    labelsEnd = from + width;
    out.append(svg('text', { x: nearEnd ? bx - 3 : bx + 3, y: 12, 'text-anchor': nearEnd ? 'end' : 'start' }, text));
  }
  // The applied index of each running node (a trace has several: named when they differ).
  // Markers close enough for their names to collide form a group, named once in marker order
  // ("n1 n2 · n0"), right of its last marker, or left of its first one near the right edge.
  const byIndex = new Map();
  state.nodes.forEach((n, i) => { if (n.up && n.applied >= first) byIndex.set(n.applied, [...(byIndex.get(n.applied) || []), i]); });
  const groups = [];  // { first, last: x of its markers, text }
  for (const [applied, nodes] of [...byIndex].sort((a, b) => a[0] - b[0])) {
    const at = x(applied);
    out.append(svg('text', { x: at, y: top - 6, 'text-anchor': 'middle', fill: '#b3261e' }, '▼'));
    if (state.nodes.length < 2) continue;
    const text = nodes.map((i) => `n${i}`).join(' ');
    const group = groups[groups.length - 1];
    if (group && at < group.last + 7 + textWidth(group.text) + 6) {
      group.text += ` · ${text}`;
      group.last = at;
    } else {
      groups.push({ first: at, last: at, text });
    }
  }
  for (const { first: from, last: to, text } of groups) {
    const atEnd = to + 7 + textWidth(text) > W - 2;
    out.append(svg('text', { x: atEnd ? from - 7 : to + 7, y: top - 8, fill: '#b3261e', 'text-anchor': atEnd ? 'end' : 'start' }, text));
  }
  out.append(svg('text', { x: left, y: 24 }, `applied ${state.applied}, K = ${K}`));
  const colour = { 'in flight': '#2f6fd6', applied: '#17803d', stale: '#8d96a3', lost: '#8d96a3', refused: '#b3261e', rejected: '#b3261e' };
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
    out.append(g);
  });
  box.replaceChildren(out);
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

const sameSlot = (a, b) => a.present === b.present && a.tombstone === b.tombstone &&
  a.malformed === b.malformed && a.tag === b.tag && a.valueHex === b.valueHex && !a.unknown && !b.unknown;
const sayShort = (slot) => slot.unknown ? 'not recorded' : !slot.present ? '—'
  : slot.malformed ? 'malformed row' : slot.tombstone ? '⊘ tombstone' : `live: ${slot.decoded}`;

function nodeHeading(n) {
  const digest = n.digest ? `, digest ${n.digest.slice(0, 10)}…` : '';
  return `${n.name}: ${n.up ? 'up' : 'DOWN'}, applied ${n.applied}, Gen ${n.generation}, epoch ${n.epoch}, K = ${n.threshold}${digest}`;
}

// One node: memory gen0 | disk gen0 | memory gen1 | disk gen1, differences marked.
function singleNodeTable(n) {
  const gen0Byte = n.generation % 2, gen1Byte = (n.generation + 1) % 2;
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
  return table;
}

// One generation of one key on one node: memory and disk in one cell when they agree.
function pairCell(key, gen, node) {
  const memory = gen === 0 ? key.memoryGen0 : key.memoryGen1;
  const disk = gen === 0 ? key.diskGen0 : key.diskGen1;
  const differs = gen === 0 ? key.gen0Differs : key.gen1Differs;
  const td = el('td', { class: 'slot pair' + (differs ? ' differs' : ''), 'data-node': String(node), 'data-gen': String(gen) });
  const tag = memory.present ? memory.tag : disk.tag;
  if (sameSlot(memory, disk)) {
    td.append(el('span', { class: memory.tombstone ? 'slot-tomb' : memory.present ? 'slot-live' : 'slot-none', text: sayShort(memory) }));
    if (memory.present) td.append(el('small', { text: 'memory = disk' }));
  } else {
    td.append(el('span', { class: 'slot-line', text: `memory: ${sayShort(memory)}` }),
      el('span', { class: 'slot-line', text: `disk: ${sayShort(disk)}` }));
    if (differs) td.append(el('span', { class: 'diff-mark', text: ' ≠ memory and disk differ' }));
  }
  if (tag) td.title = `tag ${tag}`;
  return td;
}

// Every node side by side: one row per key, a gen0 and a gen1 cell per node; rows where nodes
// at the same applied index disagree are marked.
function nodesTable(nodes) {
  const labels = new Map();
  nodes.forEach((n, i) => n.keys.forEach((k) => {
    const id = `${k.kind} ${k.id}`;
    if (!labels.has(id)) labels.set(id, { label: k.label, kind: k.kind, byNode: [] });
    labels.get(id).byNode[i] = k;
  }));
  const absent = { present: false, tombstone: false, malformed: false, unknown: false, tag: '', valueHex: '', decoded: '' };
  const table = el('table', { class: 'cache-table nodes-table' });
  const top = el('tr', {}, el('th', { rowspan: '2', text: 'key' }));
  const sub = el('tr');
  nodes.forEach((n) => {
    top.append(el('th', { colspan: '2', class: 'node-col', text: n.name + (n.up ? '' : ' (down)') }));
    sub.append(el('th', { class: 'gen0', text: `gen0 (byte ${n.generation % 2})` }), el('th', { class: 'gen1', text: `gen1 (byte ${(n.generation + 1) % 2})` }));
  });
  table.append(el('thead', {}, top, sub));
  const body = el('tbody');
  for (const { label, kind, byNode } of labels.values()) {
    const differ = byNode.some((k) => k && k.nodesDiffer);
    const row = el('tr', { 'data-key': label, class: differ ? 'nodes-differ' : '' });
    const head = el('td', {}, el('b', { text: label }), el('small', { class: 'muted', text: ` ${kind}` }));
    if (differ) head.append(el('span', { class: 'nodes-mark', text: ' ≠ nodes differ' }));
    row.append(head);
    nodes.forEach((n, i) => {
      const k = byNode[i] || { memoryGen0: absent, memoryGen1: absent, diskGen0: absent, diskGen1: absent };
      row.append(pairCell(k, 0, i), pairCell(k, 1, i));
    });
    body.append(row);
  }
  table.append(body);
  return table;
}

function renderNodes(box, state) {
  box.replaceChildren();
  for (const n of state.nodes) {
    box.append(el('h3', { text: nodeHeading(n) }));
    if (!n.keysKnown) {
      box.append(el('p', { text: `gen0 ${n.gen0Entries} entries, gen1 ${n.gen1Entries} entries; parity ${n.up ? (n.parityOk ? 'OK' : 'BROKEN') : 'not checked (down)'}. This trace records counts, not rows.` }));
    }
  }
  const known = state.nodes.filter((n) => n.keysKnown);
  if (!known.length) return;
  const table = state.nodes.length === 1 ? singleNodeTable(state.nodes[0]) : nodesTable(state.nodes);
  box.append(el('div', { class: 'table-wrap' }, table));
}

function defaultProposal(state) {
  if (state.proposals.some((p) => p.id === state.proposal)) return state.proposal;
  const inFlight = state.proposals.filter((p) => p.status === 'in flight');
  if (inFlight.length) return inFlight[inFlight.length - 1].id;
  return state.proposals.length ? state.proposals[state.proposals.length - 1].id : null;
}

// An order's coverage bit for plan entry i. The request's idempotency key is no order's
// footprint: admission checks it apart, so its cleared bit is what it is, not a gap.
function coverageCell(order, entry, i) {
  if (!order.coverage) return el('td', { class: 'bits', text: '—' });
  if (order.coverage[i] === '1') return el('td', { class: 'bits', text: '1 declared' });
  if (entry.kind === 'Idempotency') {
    return el('td', { class: 'bits apart', text: 'idempotency key, checked apart',
      title: 'admission checks the request\'s idempotency key itself; orders never declare it' });
  }
  return el('td', { class: 'bits', text: '0 NOT declared' });
}

// An idempotency key found nowhere is a new request, not a failed read.
const verdictText = (e) => e.kind === 'Idempotency' && e.source === 'absent' ? `${e.verdict}: a new key` : e.verdict;

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
      el('td', { class: `verdict-${e.verdict}`, text: verdictText(e) }), el('td', { text: e.source }),
      el('td', { text: e.seeded ? `${e.seedBytes} B: ${e.seedDecoded}` : '—' }));
    p.orders.forEach((o) => row.append(coverageCell(o, e, i)));
    body.append(row);
  });
  table.append(body);
  box.append(el('div', { class: 'table-wrap' }, table));
  const bits = p.orders.filter((o) => o.coverage).map((o) => `${o.name}: ${o.coverage}`).join('; ');
  if (bits) box.append(el('p', { class: 'bits', text: `coverage bits (entry 0 first): ${bits}` }));
}

// A trace in the fragment: deflate-raw, base64url. Only small traces fit a link.
const PACKED_MAX = 48 * 1024;
const base64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
async function packTrace(trace) {
  const stream = new Blob([trace]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  if (bytes.length > PACKED_MAX) return null;
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += base64url(bytes.subarray(i, i + 8192));
  return out;
}
async function unpackTrace(packed) {
  const text = atob(packed.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// Loads a trace file's bytes into a new session; source says where it came from ({name,
// url, packed}) so the URL can carry it. Lands on the first divergence when the trace has
// one. started: when reading the file began, for the load time shown.
function loadTraceBytes(bytes, source, step = null, started = performance.now()) {
  stop();
  const session = new Module.Session();
  const reading = performance.now();
  const error = session.loadTrace(bytes);
  measure('read', reading);
  if (error) { $('load-error').textContent = `Cannot load ${source.name}: ${error}`; return false; }
  $('load-error').textContent = '';
  view.choice = 'trace';
  view.side = false;
  view.trace = source;
  view.columns = [session];
  view.selected = [null];
  $('scenario').value = 'trace';
  $('free').hidden = true;
  $('side-label').hidden = true;
  const drawing = performance.now();
  buildColumns();
  if (step !== null) seek(step); else render();
  renderShare();
  measure('draw', drawing);
  const layout = performance.now();
  void document.documentElement.offsetHeight;  // the step laid out: interactive from here
  measure('layout', layout);
  view.loadMs = Math.round(performance.now() - started);
  view.reading = readRest(session, source, step === null, started);
  return true;
}

// The rest of a long trace: the module reads only its first steps at load (Session.loadTrace),
// and the rest here, a slice at a time between the page's tasks, so the first step is shown
// and the controls answer meanwhile; a seek past the steps read reads up to its step first.
// Once all is read, the first divergence is shown if it lies past the first steps and the
// page was to land on it (no step asked for) and has not moved since. True once read.
const SLICE_STEPS = 1024;
const nextTask = () => globalThis.scheduler?.yield?.() ?? new Promise((resolve) => setTimeout(resolve, 0));
async function readRest(session, source, land, started) {
  if (session.readMore(0) === 0) return true;
  const reading = performance.now();
  const seeks = view.seeks;
  do {
    await nextTask();
    if (view.columns[0] !== session) return false;  // another load replaced it
  } while (session.readMore(SLICE_STEPS) > 0);
  measure('rest', reading);
  view.readMs = Math.round(performance.now() - started);
  const error = session.readError();
  if (error) $('load-error').textContent = `Cannot read all of ${source.name}: ${error}; showing the ${session.count()} steps before it`;
  const found = JSON.parse(session.divergence());
  if (land && found && view.seeks === seeks) seek(found.step);
  else render();  // the scrubber's range and the divergence control, now the whole trace's
  return true;
}

async function loadTraceFile(file) {
  const started = performance.now();
  const bytes = new Uint8Array(await file.arrayBuffer());
  const packed = await packTrace(bytes);
  loadTraceBytes(bytes, { name: file.name, packed, bytes: bytes.length }, null, started);
}

// A trace's bytes, from a fetch under way (index.html's) or a new one.
async function fetchTrace(url, under = null) {
  const started = under ? under.started : performance.now();
  const bytes = new Uint8Array(await (under ? under.bytes : fetch(url).then((response) => {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.arrayBuffer();
  })));
  measure('fetch', started);
  return { bytes, started };
}

async function loadTraceUrl(url, step, fetching = fetchTrace(url)) {
  try {
    const { bytes, started } = await fetching;
    return loadTraceBytes(bytes, { name: url, url, bytes: bytes.length }, step, started);
  } catch (e) {
    $('load-error').textContent = `Cannot fetch the trace at ${url}: ${e.message}`;
    return false;
  }
}

// How to share what is shown: the URL already carries a fetched trace or a small one.
function renderShare() {
  const box = $('share');
  box.replaceChildren();
  if (view.choice !== 'trace' || !view.trace) return;
  if (view.trace.url || view.trace.packed) {
    box.append(el('a', { href: location.href, id: 'share-link', text: 'link to this trace and step' }));
  } else {
    box.append(el('span', { class: 'muted', text: `this trace (${Math.round(view.trace.bytes / 1024)} KB) is too large for a link: serve the file and open ?trace=URL` }));
  }
}

// The first divergence of what is shown: a control that jumps there, and words.
function renderDivergence() {
  const found = view.columns.map((s) => JSON.parse(s.divergence())).find((d) => d);
  const button = $('divergence');
  const banner = $('divergence-banner');
  button.disabled = !found;
  if (!found) {
    banner.hidden = true;
    banner.textContent = '';
    return;
  }
  const here = found.step === current();
  banner.hidden = false;
  banner.classList.toggle('here', here);
  banner.dataset.step = String(found.step);
  banner.textContent = `${here ? '⚑ This is the first divergence' : '⚑ First divergence at step ' + found.step}` +
    ` (${found.what})${found.key ? ', key ' + found.key : ''}: ${found.detail}`;
}

function jumpToDivergence() {
  const found = view.columns.map((s) => JSON.parse(s.divergence())).find((d) => d);
  if (found) seek(found.step);
}

function freeAction(kind) {
  const account = $('account').value;
  const action = kind === 'save' || kind === 'delete' || kind === 'read' ? `${kind}:${account}`
    : kind === 'threshold' ? `threshold:${$('threshold').value}` : kind;
  const error = view.columns[0].act(action);
  $('free-error').textContent = error;
  render();
}

async function fromUrl() {
  const p = new URLSearchParams(location.hash.slice(1));
  const step = p.has('step') ? Number(p.get('step')) : null;
  const url = new URLSearchParams(location.search).get('trace');
  if (url) {
    const href = new URL(url, location.href).href;
    const fetching = fetchTrace(href, prefetched?.url === url ? prefetched : null);
    prefetched = null;
    if (await loadTraceUrl(href, step, fetching)) return;
  } else if (p.get('s') === 'trace' && p.get('t')) {
    try {
      const started = performance.now();
      const bytes = await unpackTrace(p.get('t'));
      if (loadTraceBytes(bytes, { name: 'the link', packed: p.get('t'), bytes: bytes.length }, step, started)) return;
    } catch (e) {
      $('load-error').textContent = `Cannot read the trace in the link: ${e.message}`;
    }
  }
  let choice = p.get('s') || '1';
  if (!['1', '1p', '2', '3', '4', '5', '6', '7', 'free', 'freep'].includes(choice)) choice = '1';
  const actions = p.get('a') ? p.get('a').split(',') : [];
  const error = $('load-error').textContent;
  loadChoice(choice, { side: p.get('side') === '1', actions, step: step ?? 0 });
  if (error) $('load-error').textContent = error;
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
$('divergence').addEventListener('click', jumpToDivergence);
for (const b of document.querySelectorAll('[data-act]')) b.addEventListener('click', () => freeAction(b.dataset.act));
document.addEventListener('keydown', (e) => {
  if (['INPUT', 'SELECT', 'TEXTAREA'].includes(document.activeElement?.tagName) && e.target.type !== 'range') return;
  if (e.key === 'ArrowRight') { e.preventDefault(); step(); }
  else if (e.key === 'ArrowLeft') { e.preventDefault(); stepBack(); }
  else if (e.key === ' ') { e.preventDefault(); togglePlay(); }
});
window.addEventListener('hashchange', () => {
  const p = new URLSearchParams(location.hash.slice(1));
  if (p.get('s') === 'trace' && view.choice === 'trace') {
    if (Number(p.get('step')) !== current()) seek(Number(p.get('step')));
  } else if (p.get('s') !== view.choice || Number(p.get('step')) !== current()) {
    fromUrl();
  }
});
await fromUrl();
fontsWarmed();
const readyMs = Math.round(performance.now());  // since navigation started: interactive
$('ready').textContent = view.choice === 'trace'
  ? `trace of ${count()} steps ready in ${readyMs} ms (fetched, read and drawn in ${view.loadMs} ms)`
  : `core ready in ${readyMs} ms`;
window.tally = { ready: true, readyMs, view, seek, step, stepBack, jumpToDivergence, loadTraceUrl };
