// The /explore page in a real browser: Debian's Chromium driven by playwright-core (never a
// downloaded browser). It starts the server on a fresh database with sample data, loads
// the page, and checks that the network is drawn, that a search shows a museum's metrics,
// that clicking a node shows its neighbourhood, that a shortest path is found, that a
// filter and the API key change the drawing, that a download sends the key, that the
// playground opens a record's link, and that the page raised no error.
//
// Environment (all optional):
//   CHROMIUM        the browser (default /usr/bin/chromium)
//   SERVER_BIN      a built server binary (default: go build of the repository)
//   DATA_DIR        an existing data directory to serve, e.g. one seeded with
//                   `seed --sample --scale 100000` (default: a fresh one)
//   SAMPLE_SCALE    sample events to load into the fresh directory (default 3000)
//   SCREENSHOT      where to save a screenshot of a path (default: none), and beside it
//                   one of the whole network (…-overview.png)
//   BASE_URL        test a server already running there instead, e.g. one whose network
//                   is already loaded (its ADMIN_TOKEN must be ADMIN_TOKEN's)
import { chromium } from 'playwright-core';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..', '..');
const adminToken = process.env.ADMIN_TOKEN || 'explore-test-admin-token-0123456789';
const tmp = mkdtempSync(join(tmpdir(), 'explore-test-'));
const cleanups = [() => rmSync(tmp, { recursive: true, force: true })];

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    }).on('error', fail);
  });
}

async function startServer() {
  if (process.env.BASE_URL) return process.env.BASE_URL.replace(/\/$/, '');
  let bin = process.env.SERVER_BIN;
  if (!bin) {
    bin = join(tmp, 'participation-graph');
    console.log('building the server…');
    execFileSync('go', ['build', '-o', bin, '.'], { cwd: repo, stdio: 'inherit' });
  }
  const port = await freePort();
  const dataDir = process.env.DATA_DIR || join(tmp, 'data');
  const env = {
    ...process.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN: adminToken,
    EMBEDDED_LISTEN: '', MONGODB_URI: '', APP_ENV: 'development', LOG_LEVEL: 'warn',
    SAMPLE_SCALE: process.env.DATA_DIR ? '0' : (process.env.SAMPLE_SCALE || '3000'),
  };
  const child = spawn(bin, [], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  cleanups.unshift(() => new Promise((ok) => {
    if (child.exitCode !== null) return ok();
    child.once('exit', ok);
    child.kill('SIGTERM');
  }));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(base + '/readyz')).ok) return base;
    } catch { /* not listening yet */ }
    if (Date.now() > deadline) throw new Error('the server did not become ready');
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main() {
  const base = await startServer();
  const profile = mkdtempSync(join(tmp, 'profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      // WebGL without a GPU: SwiftShader, Chromium's software renderer.
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  cleanups.unshift(() => context.close());
  const page = context.pages()[0] || await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('response', (resp) => { if (resp.status() >= 400) errors.push(`${resp.status()} from ${resp.url()}`); });
  const report = {};

  const ready = async () => {
    await page.waitForFunction(() => document.body.dataset.state !== 'loading', null, { timeout: 180_000 });
    assert.equal(await page.evaluate(() => document.body.dataset.state), 'ready', await page.textContent('#status'));
  };
  const drawn = () => page.evaluate(() => ({
    draws: +document.getElementById('graph').dataset.draws,
    nodes: window.explore.graph.order,
    edges: window.explore.graph.size,
    weight: window.explore.graph.reduceEdges((s, _, a) => s + a.weight, 0),
  }));
  const waitForDraw = async (after) => {
    await page.waitForFunction((n) => +document.getElementById('graph').dataset.draws > n, after, { timeout: 60_000 });
    await ready();
    return drawn();
  };

  // The drawing.
  const t0 = Date.now();
  await page.goto(base + '/explore');
  await ready();
  const first = await drawn();
  report.pageToDrawnMs = Date.now() - t0;
  report.timings = await page.evaluate(() => ({ ...window.explore.timings }));
  assert.ok(first.nodes > 0 && first.edges > 0, `the drawing has ${first.nodes} nodes and ${first.edges} edges`);
  assert.equal(await page.locator('#graph canvas').count() > 0, true, 'sigma drew no canvas');
  report.nodes = first.nodes;
  report.edges = first.edges;
  await page.waitForFunction(() => document.body.dataset.layout === 'done', null, { timeout: 60_000 });
  if (process.env.SCREENSHOT) {
    await page.screenshot({ path: process.env.SCREENSHOT.replace(/(\.png)?$/, '-overview.png') });
  }
  // Again, with the server warm: the time a visitor usually waits.
  await page.reload();
  await ready();
  report.warmTimings = await page.evaluate(() => ({ ...window.explore.timings }));
  await page.waitForFunction(() => document.body.dataset.layout === 'done', null, { timeout: 60_000 });
  report.layout = await page.evaluate(() => ({ ms: window.explore.timings.layoutMs, iterations: window.explore.timings.layoutIterations }));

  // Search: the panel shows the museum's metrics and partnerships.
  const museum = await page.evaluate(() => {
    const g = window.explore.graph;
    return g.filterNodes((_, a) => a.kind === 'MUSEUM').map((n) => ({ id: n, ...g.getNodeAttributes(n) }))
      .sort((a, b) => b.degree - a.degree)[0];
  });
  const search = page.locator('input[type=search]');
  await search.fill(museum.label);
  await search.press('Enter');
  await page.waitForFunction(() => !document.getElementById('panel').hidden);
  assert.equal(await page.textContent('#panel-label'), museum.label);
  assert.equal(await page.textContent('#panel-kind'), 'Museum');
  assert.equal(await page.textContent('#panel-degree'), String(museum.degree));
  assert.equal(await page.textContent('#panel-weighted'), String(museum.weightedDegree));
  assert.match(await page.textContent('#panel-betweenness'), /^\d/);
  assert.equal(await page.locator('#panel-partnerships tr').count(), museum.degree);
  await page.waitForFunction(() => +document.getElementById('panel').dataset.neighbourhood > 1);
  const link = await page.getAttribute('#panel-playground', 'href');
  assert.match(link, /^\/\?query=/);

  // Clicking a node on the canvas: a community of that museum, and its neighbourhood.
  await page.waitForFunction(() => !window.explore.renderer.getCamera().isAnimated()); // the move to the museum
  const target = await page.evaluate((id) => {
    const { graph, renderer } = window.explore;
    const other = graph.neighbors(id)[0];
    const p = renderer.graphToViewport(graph.getNodeAttributes(other));
    const box = document.getElementById('graph').getBoundingClientRect();
    return { id: other, label: graph.getNodeAttribute(other, 'label'), x: box.left + p.x, y: box.top + p.y };
  }, museum.id);
  const tClick = Date.now();
  await page.mouse.click(target.x, target.y);
  await page.waitForFunction((label) => document.getElementById('panel-label').textContent === label, target.label);
  await page.waitForFunction((id) => document.getElementById('panel').dataset.node === id &&
    window.explore.state.neighbourhood && window.explore.state.neighbourhood.nodes.has(id), target.id);
  report.clickToNeighbourhoodMs = Date.now() - tClick;
  assert.equal(await page.textContent('#panel-kind'), 'Community');

  // A shortest path from the community to another museum.
  const far = await page.evaluate((from) => {
    const g = window.explore.graph;
    const near = new Set(g.neighbors(from));
    const m = g.filterNodes((n, a) => a.kind === 'MUSEUM' && !near.has(n) && a.component === g.getNodeAttribute(from, 'component'));
    return m.length ? g.getNodeAttribute(m[0], 'label') : null;
  }, target.id);
  if (far) {
    await page.click('#path-button');
    await search.fill(far);
    await search.press('Enter');
    await page.waitForFunction(() => +document.getElementById('panel').dataset.path > 2);
    const path = await page.textContent('#path');
    assert.ok(path.includes(target.label) && path.includes(far), `path text: ${path}`);
    report.path = path;
  }
  // Shift-clicking a node on the canvas: the path from the selected node to that one.
  await page.waitForFunction(() => !window.explore.renderer.getCamera().isAnimated());
  await page.evaluate(() => window.explore.renderer.getCamera().setState({ x: 0.5, y: 0.5, ratio: 1, angle: 0 }));
  const end = await page.evaluate((from) => {
    const { graph, renderer } = window.explore;
    const component = graph.getNodeAttribute(from, 'component');
    const near = new Set([from, ...graph.neighbors(from)]);
    const box = document.getElementById('graph').getBoundingClientRect();
    const m = graph.filterNodes((n, a) => a.kind === 'MUSEUM' && a.component === component && !near.has(n))
      .sort((a, b) => graph.getNodeAttribute(b, 'size') - graph.getNodeAttribute(a, 'size'))[0];
    if (!m) return null;
    const p = renderer.graphToViewport(graph.getNodeAttributes(m));
    return { x: box.left + p.x, y: box.top + p.y };
  }, target.id);
  if (end) {
    await page.keyboard.down('Shift');
    await page.mouse.click(end.x, end.y);
    await page.keyboard.up('Shift');
    await page.waitForFunction((from) => {
      const s = window.explore.state;
      return s.selected === from && s.path && s.pathEnd !== from && s.path.ids.at(-1) === s.pathEnd;
    }, target.id);
  }

  if (process.env.SCREENSHOT) {
    await page.waitForTimeout(600);
    await page.screenshot({ path: process.env.SCREENSHOT });
    report.screenshot = process.env.SCREENSHOT;
  }

  // Measured: frames while the camera zooms and pans, and the cost of one full redraw.
  report.render = await page.evaluate(async () => {
    const { renderer } = window.explore;
    const camera = renderer.getCamera();
    let frames = 0;
    let worst = 0;
    let last = performance.now();
    let on = true;
    const tick = (t) => { frames++; worst = Math.max(worst, t - last); last = t; if (on) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    await camera.animate({ ratio: 0.3, x: 0.4, y: 0.6 }, { duration: 1000 });
    await camera.animate({ ratio: 1, x: 0.5, y: 0.5 }, { duration: 1000 });
    on = false;
    const fps = frames / ((performance.now() - t0) / 1000);
    const r0 = performance.now();
    for (let i = 0; i < 20; i++) renderer.refresh();
    return { fps: Math.round(fps), worstFrameMs: Math.round(worst), fullRefreshMs: +((performance.now() - r0) / 20).toFixed(1) };
  });

  // A filter changes the drawing.
  const before = await drawn();
  const level = await page.evaluate(() => {
    const counts = {};
    window.explore.graph.forEachEdge((_, a) => { counts[a.maxLevel] = (counts[a.maxLevel] || 0) + 1; });
    return counts.EMPOWER ? 'EMPOWER' : 'COLLABORATE';
  });
  const tFilter = Date.now();
  await page.selectOption('#min-level', level);
  const filtered = await waitForDraw(before.draws);
  report.filterToDrawnMs = Date.now() - tFilter;
  assert.ok(filtered.edges < before.edges && filtered.edges > 0,
    `minLevel ${level}: ${filtered.edges} edges, want fewer than ${before.edges}`);
  report.filtered = { minLevel: level, nodes: filtered.nodes, edges: filtered.edges };
  await page.selectOption('#min-level', '');
  const unfiltered = await waitForDraw(filtered.draws);
  assert.equal(unfiltered.edges, before.edges);

  // The year slider: a short period leaves partnerships out.
  await page.evaluate(() => {
    const from = document.getElementById('from-year');
    from.value = +from.max;
    from.dispatchEvent(new Event('input', { bubbles: true }));
    from.dispatchEvent(new Event('change', { bubbles: true }));
  });
  const period = await waitForDraw(unfiltered.draws);
  assert.ok(period.edges < unfiltered.edges, `the last year alone: ${period.edges} edges of ${unfiltered.edges}`);
  report.lastYear = { from: await page.inputValue('#from-year'), edges: period.edges };
  await page.evaluate(() => {
    const from = document.getElementById('from-year');
    from.value = +from.min;
    from.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal((await waitForDraw(period.draws)).edges, unfiltered.edges);

  // Node size by weighted degree instead of betweenness.
  const sizes = () => page.evaluate(() => window.explore.graph.mapNodes((_, a) => a.size).join());
  const bySize = await sizes();
  await page.check('input[name=size][value=weightedDegree]');
  assert.notEqual(await sizes(), bySize, 'the sizes did not change with the metric');

  // The key: an administrator sees RESTRICTED decision events, which weigh more.
  const anon = await drawn();
  await page.fill('#key', adminToken);
  await page.dispatchEvent('#key', 'change');
  const admin = await waitForDraw(anon.draws);
  await page.waitForFunction(() => document.getElementById('viewer').textContent.startsWith('admin'));
  assert.ok(admin.weight > anon.weight, `weights with the admin key ${admin.weight}, anonymous ${anon.weight}`);
  assert.equal(await page.evaluate(() => localStorage.getItem('explore:key')), adminToken);
  report.weights = { anonymous: anon.weight, admin: admin.weight };

  // A download sends the key and the filter.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export$="network.graphml"]')]);
  assert.equal(download.suggestedFilename(), 'network.graphml');
  const graphml = readFileSync(await download.path(), 'utf8');
  assert.ok(graphml.includes('<graphml'), 'the download is not GraphML');
  const exportedEdges = (graphml.match(/<edge /g) || []).length;
  assert.equal(exportedEdges, admin.edges, 'the export has other edges than the drawing');

  // The record's link opens it in the playground.
  await page.goto(base + link);
  await page.waitForFunction(() => document.querySelector('.graphiql-query-editor .CodeMirror') &&
    document.querySelector('.graphiql-query-editor').textContent.includes('museum(id: $id)'), null, { timeout: 60_000 });

  assert.deepEqual(errors, [], 'the page raised errors');
  console.log('explore: ok ' + JSON.stringify(report, null, 2));
}

try {
  await main();
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  for (const c of cleanups) {
    try { await c(); } catch (err) { console.error('cleanup:', err.message); }
  }
}
