// The station in a real browser: headless Chromium (Debian's, installed by `cargo xtask
// setup`) driven by playwright-core. Run by `tests/tests/browser.rs` with
//   MDEC=<the mdec binary> ARTEFACTS=<folder for screenshots> node tests/browser/station.mjs
//
// It makes a small .npy input and a finished run with the CLI, starts `mdec station`, and
// in the page: sees the run list, starts a training from the form, watches at least three
// live updates arrive without a reload, stops it, opens the comparison page, and opens the
// finished run's report.html offline. Any failed request fails the test. Screenshots go to
// ARTEFACTS.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const mdec = process.env.MDEC;
const artefacts = process.env.ARTEFACTS;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!mdec || !artefacts) throw new Error('set MDEC (the mdec binary) and ARTEFACTS (a folder)');
mkdirSync(artefacts, { recursive: true });

const step = (what) => console.log(`[browser] ${what}`);
const fail = (what) => { throw new Error(what); };

// 600 images 1×16×16 of three kinds (top half, left half, diagonal band), with noise, and
// their labels beside them (`tiny-labels.npy`).
function tinyNpy(path) {
  const [n, h, w] = [600, 16, 16];
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 1, ${h}, ${w}), }`;
  header = header.padEnd(118, ' ') + '\n';
  const data = new Float32Array(n * h * w);
  let seed = 1;
  const noise = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return (seed / 2147483648 - 0.5) * 0.2; };
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const on = [y < 8, x < 8, Math.abs(x - y) < 3][i % 3];
        data[(i * h + y) * w + x] = Math.min(1, Math.max(0, (on ? 1 : 0) + noise()));
      }
    }
  }
  writeNpy(path, header, data);
  const labels = new BigInt64Array(n).map((_, i) => BigInt(i % 3));
  const labelHeader = `{'descr': '<i8', 'fortran_order': False, 'shape': (${n},), }`.padEnd(118, ' ') + '\n';
  writeNpy(path.replace(/\.npy$/, '-labels.npy'), labelHeader, labels);
}

function writeNpy(path, header, array) {
  const prefix = Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length & 255, header.length >> 8]);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header), Buffer.from(array.buffer)]));
}

const work = mkdtempSync(join(tmpdir(), 'mdec-browser-'));
const runs = join(work, 'runs');
const input = join(work, 'tiny.npy');
tinyNpy(input);

step('a finished run from the CLI');
const cli = spawnSync(mdec, ['run', '--npy', input, '--labels', input.replace(/\.npy$/, '-labels.npy'), '--preset', 'dcec', '--clusters', '3', '--epochs', '3',
  '--max-iter', '60', '--batch-size', '32', '--seed', '0', '--out', join(runs, 'baseline')],
{ stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, MDEC_LOG: 'warn' } });
if (cli.status !== 0) fail(`mdec run exited with ${cli.status}`);

step('the station');
const station = spawn(mdec, ['station', runs, '--listen', '127.0.0.1:0', '--input', input],
  { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, MDEC_LOG: 'warn' } });
const url = await new Promise((resolve, reject) => {
  let out = '';
  station.stdout.on('data', (chunk) => {
    out += chunk;
    const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/);
    if (m) resolve(m[1]);
  });
  station.on('exit', (code) => reject(new Error(`the station exited with ${code}: ${out}`)));
  setTimeout(() => reject(new Error(`no address printed: ${out}`)), 30000);
});
step(`station at ${url}`);

const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
const failed = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('requestfailed', (request) => {
    // Event streams closed when leaving a page are aborted by the browser, not failures.
    if (request.failure()?.errorText === 'net::ERR_ABORTED' && request.url().includes('/events')) return;
    failed.push(`${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('response', (response) => { if (response.status() >= 400) failed.push(`${response.url()}: ${response.status()}`); });
  page.on('pageerror', (error) => failed.push(`page error: ${error.message}`));
  let loads = 0;
  page.on('load', () => { loads += 1; });

  await page.goto(url);
  await page.locator('tr[data-run="baseline"]').waitFor({ timeout: 15000 });
  const status = await page.locator('tr[data-run="baseline"] [data-testid=status]').textContent();
  if (status !== 'finished') fail(`the CLI run shows as ${status}`);
  await page.screenshot({ path: join(artefacts, '01-runs.png'), fullPage: true });
  step('the run list shows the finished run');

  await page.click('a[href="#/try"]');
  await page.locator('[data-testid=try-form]').waitFor();
  await page.fill('#name', 'live');
  await page.selectOption('#architecture', 'dcec');
  await page.fill('#latent_dim', '5');
  await page.fill('#epochs', '1000');
  await page.fill('#max_iter', '0');
  await page.fill('#clusters', '3');
  await page.fill('#batch_size', '16');
  await page.screenshot({ path: join(artefacts, '02-form.png'), fullPage: true });
  await page.click('[data-testid=start]');
  await page.waitForURL(/#\/run\/live$/, { timeout: 60000 });
  step('a training started from the form');

  // Live updates: pretraining epochs, each a record of the event stream.
  const count = () => page.locator('[data-testid=epochs]').textContent().then(Number);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid=epochs]')?.textContent) > 0, null, { timeout: 60000 });
  const first = await count();
  const loadsBefore = loads;
  await page.evaluate(() => { window.stationMarker = 'not reloaded'; });
  await page.waitForFunction((n) => Number(document.querySelector('[data-testid=epochs]').textContent) >= n + 3, first, { timeout: 60000 });
  const marker = await page.evaluate(() => window.stationMarker);
  if (marker !== 'not reloaded' || loads !== loadsBefore) fail('the page reloaded while watching');
  await page.waitForFunction(() => document.querySelectorAll('.card svg polyline').length > 0, null, { timeout: 60000 });
  step(`live updates arrived without a reload: ${first} epochs, then ${await count()}`);
  await page.screenshot({ path: join(artefacts, '03-live.png'), fullPage: true });

  await page.click('[data-testid=stop]');
  await page.waitForFunction(() => document.querySelector('h1 [data-testid=status]')?.textContent === 'interrupted', null, { timeout: 60000 });
  await page.screenshot({ path: join(artefacts, '04-stopped.png'), fullPage: true });
  step('stopped');

  const live = await page.evaluate(() => Number(document.querySelector('[data-testid=live-count]').textContent));
  step(`${live} live updates (records and progress) in all`);

  await page.goto(url + '#/');
  await page.locator('tr[data-run="live"]').waitFor();
  await page.check('input[data-run="baseline"]');
  await page.check('input[data-run="live"]');
  await page.click('text=Compare selected');
  await page.waitForURL(/#\/compare\//);
  await page.locator('[data-testid=compare-table] tr').nth(2).waitFor({ timeout: 15000 });
  const rows = await page.locator('[data-testid=compare-table] tr').count();
  if (rows !== 3) fail(`the comparison has ${rows - 1} runs`);
  const reconstructions = await page.locator('img[alt^="reconstructions of"]').count();
  if (reconstructions !== 2) fail(`${reconstructions} runs' reconstructions side by side, expected 2`);
  await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0));
  await page.screenshot({ path: join(artefacts, '05-compare.png'), fullPage: true });
  step('the comparison page shows both runs');

  step('report.html offline');
  const offline = await browser.newContext({ offline: true });
  const report = await offline.newPage();
  const requests = [];
  report.on('request', (request) => requests.push(request.url()));
  report.on('requestfailed', (request) => failed.push(`report: ${request.url()}: ${request.failure()?.errorText}`));
  await report.goto('file://' + join(runs, 'baseline', 'report.html'));
  const broken = await report.evaluate(() => [...document.images].filter((img) => !img.complete || img.naturalWidth === 0).length);
  const images = await report.evaluate(() => document.images.length);
  const external = requests.filter((r) => !r.startsWith('file://') && !r.startsWith('data:'));
  if (broken || !images || external.length) fail(`report.html: ${images} images, ${broken} broken, requests ${external}`);
  await report.screenshot({ path: join(artefacts, '06-report.png'), fullPage: true });
  step(`report.html shows ${images} images with no request beyond itself`);

  if (failed.length) fail(`failed requests:\n${failed.join('\n')}`);
  step('passed');
} finally {
  await browser.close();
  station.kill('SIGINT');
  await new Promise((resolve) => { station.on('exit', resolve); setTimeout(resolve, 20000); });
  rmSync(work, { recursive: true, force: true });
}
