// browser.js -- what the page tests share: Debian's Chromium through
// playwright-core (never a downloaded browser), and the failure list.
'use strict';
const { chromium } = require('playwright-core');

const failures = [];
function check(cond, what) {
  if (!cond) {
    failures.push(what);
    console.log('FAIL:', what);
  }
}

// The harness's waitForFunction evaluates strings, which the pages' CSP
// forbids; bypassing it for the harness also means the markup checks hold
// without the CSP's help.
async function launch(viewport) {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ bypassCSP: true, viewport });
  return { browser, context };
}

function finish(what) {
  if (failures.length) {
    console.log(`${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log(`${what}: all checks passed`);
}

module.exports = { check, launch, finish };
