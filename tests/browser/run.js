// The pages as a person meets them, in headless Chromium (run by tests/browser.rs with the
// server's URL in KN_URL, the browser in KN_CHROMIUM and the folder for screenshots in
// KN_ARTEFACTS): the landing page runs an example query with one click, shows the result as a
// table and a map, an IRI in it leads to its page, the editor completes a term, the language
// switch holds; no page logs an error; axe-core finds no serious or critical violation on the
// landing page (before and after a query), a resource's page, /ontology and a graph's page.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const base = process.env.KN_URL;
const artefacts = process.env.KN_ARTEFACTS;
const executablePath = process.env.KN_CHROMIUM;
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const problems = [];

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
}

async function main() {
  fs.mkdirSync(artefacts, { recursive: true });
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') {
        problems.push(`console error on ${page.url()}: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`script error on ${page.url()}: ${e.message}`));

    // Runs axe-core on the page as it is (its script is evaluated through the DevTools
    // protocol, which the page's Content-Security-Policy does not apply to) and keeps a
    // screenshot.
    async function audit(name) {
      await page.screenshot({ path: path.join(artefacts, `browser-${name}.png`), fullPage: true });
      await page.evaluate(axeSource);
      const result = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      }));
      for (const v of result.violations) {
        const where = v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ');
        const line = `${name}: ${v.impact} ${v.id}: ${v.help} (${v.nodes.length}×: ${where})`;
        console.log(`axe ${line}`);
        if (v.impact === 'serious' || v.impact === 'critical') {
          problems.push(`axe ${line}`);
        }
      }
      console.log(`axe ${name}: ${result.passes.length} rules pass, ${result.violations.length} violated`);
    }

    // The landing page, in English for an English browser.
    let response = await page.goto(`${base}/`);
    check(response.status() === 200, `/ answered ${response.status()}`);
    check(await page.getAttribute('html', 'lang') === 'en', 'the page is not in English');
    check(await page.locator('#data table tbody tr').count() >= 2, 'no sources listed');
    await audit('landing');

    // One click runs an example: a table with links, and a map of its points.
    const started = Date.now();
    await page.getByRole('link', { name: 'Museums and where they are' }).click();
    await page.waitForSelector('#result-table tbody tr', { timeout: 30000 });
    const rows = await page.locator('#result-table tbody tr').count();
    console.log(`example query: ${rows} rows shown in ${Date.now() - started} ms`);
    check(rows > 100, `only ${rows} rows`);
    check(await page.locator('#map svg circle').count() > 100, 'no points on the map');
    check(/\/sparql\?query=.*format=csv/.test(await page.getAttribute('#download-csv', 'href')), 'no CSV download');
    await audit('landing-result');

    // An IRI of the result leads to its page.
    const link = page.locator('#result-table a[href^="/id/"]').first();
    const href = await link.getAttribute('href');
    [response] = await Promise.all([page.waitForNavigation(), link.click()]);
    check(response.status() === 200, `${href} answered ${response.status()}`);
    check(new URL(page.url()).pathname === href, `followed to ${page.url()}`);
    check(await page.locator('h1').count() === 1, 'the resource page has no heading');
    await audit('resource');

    for (const [name, where] of [['ontology', '/ontology'], ['graph', '/graph/osm-museen']]) {
      response = await page.goto(`${base}${where}`);
      check(response.status() === 200, `${where} answered ${response.status()}`);
      await audit(name);
    }
    response = await page.goto(`${base}/ontology#Accessibility`);
    check(await page.locator('#Accessibility').isVisible(), 'no anchor for kn:Accessibility');

    // The completion: a prefixed name's start offers the ontology's terms; Enter takes one.
    await page.goto(`${base}/`);
    await page.fill('#query-text', '');
    await page.focus('#query-text');
    await page.keyboard.type('SELECT * { ?s a kn:Accessib');
    await page.waitForSelector('#completions li[aria-selected="true"]');
    const offered = await page.locator('#completions li').allTextContents();
    check(offered.some((t) => t.startsWith('kn:Accessibility')), `completion offered ${offered}`);
    await page.keyboard.press('Enter');
    const text = await page.inputValue('#query-text');
    check(text.includes('?s a kn:Accessibility') && text.startsWith('PREFIX kn: <'), `completed to ${text}`);

    // The switch: German, and it stays German on the next visit.
    await page.goto(`${base}/`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Deutsch' }).click()]);
    check(await page.getAttribute('html', 'lang') === 'de', 'the switch did not change the language');
    await page.goto(`${base}/`);
    check(await page.getAttribute('html', 'lang') === 'de', 'the language did not persist');
    check(await page.getByRole('link', { name: 'Museen und wo sie liegen' }).count() === 1, 'no German example');
    await page.screenshot({ path: path.join(artefacts, 'browser-landing-de.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}

main().then(() => {
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`browser test passed; screenshots in ${artefacts}`);
}, (e) => {
  console.error(problems.concat([e.stack || String(e)]).join('\n'));
  process.exit(1);
});
