// Opens each HTML report in headless Chromium with networking disabled and fails on any console
// error, page error or network request other than the file itself. Saves screenshots (light, dark
// and print) and prints how long each report took to load.
//
//   node check.mjs OUT_DIR SHOTS_DIR LOAD_LIMIT_MS REPORT.html...
//
// playwright-core drives Debian's /usr/bin/chromium over the DevTools protocol (its own browser
// downloads are not used). The browser context is offline, and every request that is not the
// report's own file:// URL is aborted and counted as a failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [shots, limitText, ...reports] = process.argv.slice(2);
const limit = Number(limitText);
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run',
  // Whatever might still try the network goes to a closed port.
  '--proxy-server=http://127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND',
];

async function open(context, file) {
  const url = pathToFileURL(resolve(file)).href;
  const problems = [];
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`failed load: ${r.url()} (${r.failure()?.errorText})`));
  await page.route('**/*', (route) => {
    const wanted = route.request().url();
    if (wanted === url) return route.continue();
    problems.push(`request: ${wanted}`);
    return route.abort('blockedbyclient');
  });
  const started = Date.now();
  await page.goto(url, { waitUntil: 'load' });
  const wall = Date.now() - started;
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return { load: nav.loadEventEnd, bytes: document.documentElement.outerHTML.length };
  });
  return { page, problems, wall, load: timing.load };
}

// NAME.png the whole page, NAME-top.png its first screen, NAME-dark.png in the dark scheme,
// NAME-print.png with the print stylesheet, NAME-small.png a small first screen (for the README),
// NAME-figure-N.png each picture alone.
async function screenshots(page, name) {
  const base = join(shots, name);
  await page.screenshot({ path: `${base}.png`, fullPage: true, timeout: 60000 });
  await page.screenshot({ path: `${base}-top.png`, timeout: 60000 });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${base}-dark.png`, timeout: 60000 });
  await page.emulateMedia({ colorScheme: 'light', media: 'print' });
  await page.screenshot({ path: `${base}-print.png`, timeout: 60000 });
  await page.emulateMedia({ colorScheme: 'light', media: 'screen' });
  await page.setViewportSize({ width: 900, height: 860 });
  await page.screenshot({ path: `${base}-small.png`, timeout: 60000 });
  await page.setViewportSize({ width: 1200, height: 900 });
  const figures = page.locator('figure');
  for (let i = 0; i < (await figures.count()); i++) {
    await figures.nth(i).screenshot({ path: `${base}-figure-${i}.png`, timeout: 60000 });
  }
}

const profile = mkdtempSync(join(tmpdir(), 'mailfix-chromium-'));
let failed = false;
try {
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: FLAGS,
    offline: true,
    viewport: { width: 1200, height: 900 },
    deviceScaleFactor: 1,
  });
  for (const file of reports) {
    const name = basename(file, '.html');
    const { page, problems, wall, load } = await open(context, file);
    const large = name.includes('5000');
    if (!large) await screenshots(page, name);
    else await page.screenshot({ path: join(shots, `${name}-top.png`), timeout: 60000 });
    const svgs = await page.locator('svg').count();
    const rows = await page.locator('tbody tr').count();
    console.log(`${name}: loaded in ${load.toFixed(0)} ms (navigation start to load event; ${wall} ms wall), ${rows} table rows, ${svgs} figures`);
    if (large && load > limit) problems.push(`load took ${load.toFixed(0)} ms, over ${limit} ms`);
    for (const p of problems) console.log(`  FAIL ${name}: ${p}`);
    failed ||= problems.length > 0;
    await page.close();
  }
  await context.close();
} finally {
  rmSync(profile, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
