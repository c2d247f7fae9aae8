// [browser] The visualiser in a real browser (issue #11): playwright-core driving Debian's
// Chromium, headless, on the page served from 127.0.0.1.
//   node visualiser_test.mjs WEB_DIR TRACE_JSON OUTPUT_DIR
// WEB_DIR holds the staged page and module (build/wasm/web), TRACE_JSON a `tally-sim export`
// file, OUTPUT_DIR receives a screenshot of every scenario's final state.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { serve } from './static_server.mjs';

const [webDir, tracePath, outDir] = process.argv.slice(2);
if (!webDir || !tracePath || !outDir) {
  console.error('usage: node visualiser_test.mjs WEB_DIR TRACE_JSON OUTPUT_DIR');
  process.exit(2);
}
await mkdir(outDir, { recursive: true });

const server = await serve(webDir);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let passed = 0;
const failures = [];
async function check(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n     ${String(error.stack || error).split('\n').slice(0, 6).join('\n     ')}`);
  }
}

async function open(hash, viewport = { width: 1280, height: 800 }) {
  const page = await browser.newPage({ viewport });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(base + hash);
  await page.waitForFunction(() => window.tally && window.tally.ready, null, { timeout: 30000 });
  page.errors = errors;
  return page;
}

const stepNumber = (page) => page.evaluate(() => window.tally.view.columns[0].current());
const stepCount = (page) => page.evaluate(() => window.tally.view.columns[0].count());
const stateJson = (page, column = 0) => page.evaluate((c) => window.tally.view.columns[c].state(), column);
const parity = (page, column = 0) => page.$eval(`[data-column="${column}"] .parity`, (box) => ({
  value: box.dataset.parity, text: box.textContent, colour: getComputedStyle(box).color,
}));
const GREEN = 'rgb(23, 128, 61)';
const RED = 'rgb(179, 38, 30)';

let readyMs = 0;

await check('scenario 1 with the fix shows parity green, with text, at every step', async () => {
  const page = await open('#s=1&step=0');
  readyMs = await page.evaluate(() => window.tally.readyMs);
  const count = await stepCount(page);
  assert.ok(count > 5, `only ${count} steps`);
  for (let n = 0; n < count; n++) {
    assert.equal(await stepNumber(page), n);
    const p = await parity(page);
    assert.equal(p.value, 'ok', `step ${n}: ${p.text}`);
    assert.equal(p.colour, GREEN);
    assert.match(p.text, /Parity OK/);
    await page.keyboard.press('ArrowRight');
  }
  assert.equal(await stepNumber(page), count - 1, 'stepping past the end stays at the end');
  assert.deepEqual(page.errors, []);
  await page.close();
});

await check('scenario 1 pre-fix shows the break at the delete step, red and named', async () => {
  const page = await open('#s=1&step=0');
  await page.selectOption('#scenario', '1p');
  const count = await stepCount(page);
  let broken = -1;
  for (let n = 0; n < count; n++) {
    await page.evaluate((k) => window.tally.seek(k), n);
    const p = await parity(page);
    if (p.value === 'broken') { broken = n; break; }
    assert.equal(p.colour, GREEN);
  }
  assert.ok(broken > 0, 'parity never broke');
  const event = await page.$eval('[data-column="0"] .event', (e) => e.textContent);
  assert.match(event, /delete alice's last metadata key/);
  const p = await parity(page);
  assert.equal(p.colour, RED);
  assert.match(p.text, /Parity BROKEN/);
  assert.match(p.text, /AccountMetadata/);
  assert.match(p.text, /alice's metadata at gen1: memory holds live \{k: true\}, disk a tombstone/);
  const differing = await page.$$eval('[data-key="alice\'s metadata"] td.differs', (cells) => cells.map((c) => c.textContent));
  assert.equal(differing.length, 2, 'memory gen1 and its disk row are both marked');
  assert.match(differing.join(' '), /differs/);
  const invariant = await page.$eval('[data-column="0"] .invariants li.bad', (li) => li.textContent);
  assert.match(invariant, /inv#1 cache mirror parity: BROKEN/);
  await page.screenshot({ path: join(outDir, 'scenario-1-pre-fix-delete-step.png'), fullPage: true });
  await page.close();
});

await check('step back restores the previous state exactly', async () => {
  const page = await open('#s=1p&step=0');
  const count = await stepCount(page);
  for (let n = 0; n < count - 1; n++) {
    const before = await stateJson(page);
    const html = await page.$eval('#columns', (m) => m.innerHTML);
    await page.click('#next');
    assert.notEqual(await stateJson(page), before);
    await page.click('#back');
    assert.equal(await stateJson(page), before, `state after back at step ${n}`);
    assert.equal(await page.$eval('#columns', (m) => m.innerHTML), html, `page after back at step ${n}`);
    await page.evaluate((k) => window.tally.seek(k), n + 1);
  }
  await page.close();
});

await check('the scrubber and the URL land on the same step', async () => {
  const page = await open('#s=4&step=0');
  await page.$eval('#scrubber', (s) => { s.value = '5'; s.dispatchEvent(new Event('input')); });
  assert.equal(await stepNumber(page), 5);
  const url = page.url();
  assert.match(url, /step=5/);
  assert.match(url, /s=4/);
  const state = await stateJson(page);
  const counter = await page.$eval('#counter', (c) => c.textContent);
  const again = await open(url.slice(base.length));
  assert.equal(await stepNumber(again), 5);
  assert.equal(await stateJson(again), state);
  assert.equal(await again.$eval('#counter', (c) => c.textContent), counter);
  assert.equal(await again.$eval('#scrubber', (s) => s.value), '5');
  await again.close();
  await page.close();
});

await check('side by side runs scenario 1 pre-fix and fixed step-locked', async () => {
  const page = await open('#s=1&side=1&step=0');
  assert.equal(await page.$$eval('.column', (c) => c.length), 2);
  const count = await stepCount(page);
  for (let n = 0; n < count; n++) {
    await page.keyboard.press('ArrowRight');
  }
  const steps = await page.$$eval('.column', (c) => c.map((x) => x.dataset.step));
  assert.equal(steps[0], steps[1]);
  await page.evaluate(() => window.tally.seek(9));
  assert.equal((await parity(page, 0)).value, 'broken');
  assert.equal((await parity(page, 1)).value, 'ok');
  await page.screenshot({ path: join(outDir, 'scenario-1-side-by-side-delete-step.png'), fullPage: true });
  await page.close();
});

await check('free play: a delete after a rotation shows the lazy tombstone', async () => {
  const page = await open('#s=free');
  for (const act of ['save', 'apply', 'rotate', 'delete', 'apply']) {
    await page.click(`[data-act="${act}"]`);
    assert.equal(await page.$eval('#free-error', (e) => e.textContent), '', `after ${act}`);
  }
  const row = await page.$$eval('[data-key="alice\'s metadata"] td', (cells) => cells.map((c) => c.textContent));
  assert.match(row[1], /tombstone/, 'memory gen0');
  assert.match(row[2], /tombstone/, 'disk gen0');
  assert.match(row[3], /live: \{k: "v1"\}/, 'memory gen1');
  assert.match(row[4], /live: \{k: "v1"\}/, 'disk gen1');
  assert.equal((await parity(page)).value, 'ok');
  assert.match(await page.$eval('[data-column="0"] .explanation', (e) => e.textContent), /shadows the live gen1 row/);
  await page.click('[data-act="read"]');
  assert.match(await page.$eval('[data-column="0"] .event', (e) => e.textContent), /tombstone: NotFound/);
  assert.match(page.url(), /a=save%3Aalice%2Capply%2Crotate%2Cdelete%3Aalice%2Capply%2Cread%3Aalice/);
  await page.screenshot({ path: join(outDir, 'free-play-lazy-tombstone.png'), fullPage: true });
  await page.close();
});

await check('a trace file loads and steps', async () => {
  const page = await open('#s=1');
  await page.setInputFiles('#trace-file', tracePath);
  await page.waitForFunction(() => window.tally.view.choice === 'trace');
  const title = await page.$eval('[data-column="0"] .title', (t) => t.textContent);
  assert.match(title, /Trace of seed \d+/);
  const count = await stepCount(page);
  assert.ok(count > 10, `${count} steps`);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await stepNumber(page), 2);
  assert.match(await page.$eval('[data-column="0"] .event', (e) => e.textContent), /^Step 2: step \d+: /);
  assert.equal(await page.$$eval('[data-column="0"] .nodes h3', (h) => h.length), 3);
  await page.evaluate((n) => window.tally.seek(n), count - 1);
  await page.screenshot({ path: join(outDir, 'trace-final.png'), fullPage: true });
  assert.deepEqual(page.errors, []);
  await page.close();
});

await check('every scenario reaches its final step; screenshots of each', async () => {
  for (const choice of ['1', '1p', '2', '3', '4', '5', '6', '7']) {
    const page = await open(`#s=${choice}&step=999`);
    const count = await stepCount(page);
    assert.equal(await stepNumber(page), count - 1, `scenario ${choice}`);
    if (choice === '3') {
      const bits = await page.$$eval('.plan-table td.bits', (cells) => cells.map((c) => c.textContent));
      assert.ok(bits.includes('0 NOT declared'), `scenario 3's cleared bit: ${bits}`);
    }
    await page.screenshot({ path: join(outDir, `scenario-${choice.replace('p', '-pre-fix')}-final.png`), fullPage: true });
    assert.deepEqual(page.errors, [], `scenario ${choice}`);
    await page.close();
  }
});

await check('a narrow window keeps every panel readable', async () => {
  const page = await open('#s=1&side=1&step=9', { width: 420, height: 800 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the window`);
  await page.screenshot({ path: join(outDir, 'narrow-side-by-side.png'), fullPage: true });
  await page.close();
});

await browser.close();
server.close();
console.log(`browser: ${passed} passed, ${failures.length} failed; time to interactive ${readyMs} ms; screenshots in ${outDir}`);
process.exit(failures.length ? 1 : 0);
