// How long the station's page takes to show a run, in headless Chromium:
//   node tests/browser/measure.mjs URL RUN_ID [SCREENSHOT.png]
// URL is the address `mdec station` printed. Prints, in milliseconds from the navigation:
// the page's first paint of the run header, the scores and curves drawn from the replayed
// event stream, the embedding scatter drawn, and every picture loaded; then the sizes of
// what it fetched. Used for the station's figures in BENCHMARKS.md.

import { chromium } from 'playwright-core';

const [url, id, screenshot] = process.argv.slice(2);
if (!url || !id) throw new Error('usage: node measure.mjs URL RUN_ID [SCREENSHOT.png]');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
  let bytes = 0;
  let requests = 0;
  page.on('response', async (response) => {
    requests += 1;
    const length = Number(response.headers()['content-length'] || 0);
    bytes += length;
  });
  const start = Date.now();
  await page.goto(`${url}#/run/${encodeURIComponent(id)}`);
  await page.locator('h1 [data-testid=status]').waitFor();
  const header = Date.now() - start;
  await page.waitForFunction(() => document.querySelectorAll('.card svg polyline').length > 0 && document.querySelector('[data-testid=scores]'));
  const curves = Date.now() - start;
  await page.waitForFunction(() => /iteration \d+/.test(document.querySelector('[data-testid=scatter]')?.nextElementSibling?.textContent || ''));
  const scatter = Date.now() - start;
  await page.waitForFunction(() => document.images.length > 0 && [...document.images].every((img) => img.complete && img.naturalWidth > 0));
  const pictures = Date.now() - start;
  const records = await page.evaluate(() => document.querySelector('[data-testid=live-count]').textContent);
  console.log(JSON.stringify({ run: id, header_ms: header, scores_and_curves_ms: curves, scatter_ms: scatter, all_pictures_ms: pictures, records: Number(records), requests, bytes_with_length: bytes }));
  if (screenshot) await page.screenshot({ path: screenshot });
} finally {
  await browser.close();
}
