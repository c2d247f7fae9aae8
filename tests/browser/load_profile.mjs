// Profiles the visualiser's load of a long trace in headless Chromium (not part of the suite):
//   node load_profile.mjs WEB_DIR TRACE_URL [RUNS] [--cpu] [--seeks]
// Prints, per run, the page's own figures (tally.readyMs, view.loadMs, view.readMs), the performance
// marks and measures the page left (names starting "tally:"), the resource timings of the
// module and the trace, with --cpu the functions taking most self time (CDP Profiler), and
// with --seeks the time of 33 seeks as the [browser] test makes them (best of three each).
import { launchChromium } from './headless.mjs';
import { serve } from './static_server.mjs';

const [webDir, traceUrl, runsArg, ...flags] = process.argv.slice(2);
const runs = Number(runsArg || 5);
const cpu = flags.includes('--cpu');
const seeking = flags.includes('--seeks');
const server = await serve(webDir);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();

const summary = [];
for (let run = 0; run < runs; run++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const cdp = await page.context().newCDPSession(page);
  if (cpu) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
  }
  await page.goto(`${base}?trace=${traceUrl}`);
  await page.waitForFunction(() => window.tally && window.tally.ready, null, { timeout: 60000 });
  await page.evaluate(() => window.tally.view.reading);  // the rest of the trace, read after the first step is shown
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const res = performance.getEntriesByType('resource').map((r) => ({
      name: r.name.split('/').pop(), start: Math.round(r.startTime), end: Math.round(r.responseEnd) }));
    const marks = performance.getEntriesByType('measure').filter((m) => m.name.startsWith('tally:'))
      .map((m) => ({ name: m.name.slice(6), start: Math.round(m.startTime), ms: Math.round(m.duration) }));
    return { ready: window.tally.readyMs, load: window.tally.view.loadMs, read: window.tally.view.readMs,
      domInteractive: Math.round(nav.domInteractive), res, marks };
  });
  if (seeking) {
    figures.seeks = await page.evaluate(() => {
      const n = window.tally.view.columns[0].count();
      const targets = [n - 1, 0, Math.floor(n / 2), Math.floor(n / 2) - 1, 63, 64, 65, n - 2, 1];
      for (let i = 0; i < 24; i++) targets.push(Math.floor(((i * 7919) % 1000) / 1000 * n));
      const best = targets.map(() => Infinity);
      for (let pass = 0; pass < 3; pass++) {
        targets.forEach((t, i) => {
          const start = performance.now();
          window.tally.seek(t);
          void document.documentElement.offsetHeight;
          best[i] = Math.min(best[i], performance.now() - start);
        });
      }
      return { mean: best.reduce((a, b) => a + b, 0) / best.length, worst: Math.max(...best) };
    });
    console.log(`   seeks: mean ${figures.seeks.mean.toFixed(1)} ms, worst ${figures.seeks.worst.toFixed(1)} ms`);
  }
  summary.push(figures);
  console.log(`run ${run}: ready ${figures.ready} ms, load ${figures.load} ms, ` +
    `${figures.read === undefined ? '' : `whole trace read ${figures.read} ms after its fetch started, `}domInteractive ${figures.domInteractive}`);
  for (const r of figures.res) console.log(`   fetch ${r.name}: ${r.start}..${r.end}`);
  for (const m of figures.marks) console.log(`   ${m.name}: at ${m.start}, ${m.ms} ms`);
  if (cpu) {
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map();
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const dt = profile.timeDeltas;
    profile.samples.forEach((id, i) => {
      const n = byId.get(id);
      const name = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}`;
      self.set(name, (self.get(name) || 0) + (dt[i + 1] || 0) / 1000);
    });
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30);
    for (const [name, ms] of top) console.log(`     ${ms.toFixed(1).padStart(7)} ms  ${name}`);
  }
  await page.close();
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median of ${runs}: ready ${median(summary.map((f) => f.ready))} ms, load ${median(summary.map((f) => f.load))} ms`);
await browser.close();
server.close();
