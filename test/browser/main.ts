/**
 * `npm run test:browser`: the privacy console in headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against a plain `npm start` (DESIGN §11). Not part of `npm test`: it needs the browser.
 *
 *   npm run test:browser [-- --url http://127.0.0.1:3000] [--screenshots docs/console]
 *     [--chromium /usr/bin/chromium]
 *
 * Without --url it starts `npm start --in-memory` on a free port. Runs on node:test, which prints the summary.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, afterEach, before, test } from 'node:test';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { createOptlineClient } from '../../client';
import { ConsolePage } from './console-page';
import { startNpmStart, type StartedServer } from './local-server';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    screenshots: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const shots = args.screenshots;
if (shots) mkdirSync(shots, { recursive: true });

/** Flags that let Debian's Chromium run headless as root in a container, with no call home. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A DSR waits three seconds on npm start's queue before the worker takes it. */
const DSR_WAIT_MS = 60_000;

let server: StartedServer | undefined;
let baseUrl = '';
let browser: Browser;
const pages: ConsolePage[] = [];

/** A UK mobile number, new for each test so that runs against a persistent server never meet. */
const newNumber = (): string => `+447400${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;

const api = (token: string) => createOptlineClient({ baseUrl, token });

async function subscribe(phone: string): Promise<void> {
  const { response, error } = await api('local-demo').POST('/v1/subscribers', {
    body: { phone, consent: { source: 'web_form', noticeVersion: '2026-01' }, topics: ['offers'] },
  });
  assert.ok(
    response.status === 201 || response.status === 200,
    `subscribe answered ${response.status} ${JSON.stringify(error?.errors)}`,
  );
}

async function inbound(from: string, body: string): Promise<string> {
  const response = await fetch(`${baseUrl}/_local/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, body }),
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { action: string }).action;
}

async function open(token?: string): Promise<ConsolePage> {
  const page = await ConsolePage.open(browser, baseUrl);
  pages.push(page);
  if (token) await page.signIn(token);
  return page;
}

async function assertAccessible(page: ConsolePage, what: string): Promise<void> {
  const violations = await page.seriousViolations();
  assert.deepEqual(
    violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
    [],
    `axe-core on ${what}`,
  );
}

before(async () => {
  if (args.url) {
    baseUrl = args.url.replace(/\/+$/, '');
  } else {
    server = await startNpmStart();
    baseUrl = server.url;
  }
  // launch() gives Chromium a new, empty profile directory of its own, and removes it on close.
  browser = await chromium.launch({ executablePath: args.chromium, args: CHROMIUM_FLAGS });
});

afterEach(async () => {
  // Every page of the test stayed on its own origin and broke no CSP rule.
  for (const page of pages.splice(0)) {
    assert.deepEqual(page.foreignRequests(), [], 'requests that left the origin');
    assert.deepEqual(page.cspViolations, [], 'Content-Security-Policy violations');
    assert.ok(page.requests.length > 0, 'the page recorded its requests');
    await page.close();
  }
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

void test('the sign-in page asks for a token and passes axe-core', async () => {
  const page = await open();
  await page.page.goto(`${baseUrl}/console/`);
  await page.page.getByRole('textbox', { name: 'Access token' }).waitFor();
  await assertAccessible(page, 'the sign-in page');
  await page.screenshot(shots, 'sign-in');
  await page.page.getByRole('textbox', { name: 'Access token' }).fill('not-a-token');
  await page.page.getByRole('button', { name: 'Sign in' }).click();
  await page.page.getByRole('alert').getByText('That token was not accepted.').waitFor();
});

void test('a privacy officer follows a subscriber from STOP and START to legal hold, export and erasure', async () => {
  const phone = newNumber();
  await subscribe(phone);
  assert.equal(await inbound(phone, 'STOP'), 'opted_out');
  assert.equal(await inbound(phone, 'START'), 'opted_in');

  const tab = await open('local-demo-officer');
  const { page } = tab;
  await tab.lookUp(phone);
  const timeline = page.getByRole('list', { name: 'Consent events, newest first' });
  const events = await timeline.getByRole('listitem').allInnerTexts();
  assert.match(events[0]!, /^Opted in again/, 'START is the newest event');
  assert.ok(
    events.some((event) => /^Opted out/.test(event) && /STOP/.test(event)),
    'the STOP is on record',
  );
  assert.ok(
    events.some((event) => /^Opted in \(/.test(event)),
    'the first opt-in is on record',
  );
  await assertAccessible(tab, 'the subscriber page');
  await tab.screenshot(shots, 'subscriber');

  // Legal hold: placed with a reason, then lifted; each asks first.
  await page.getByRole('button', { name: 'Place legal hold' }).click();
  const holdDialog = page.getByRole('dialog', { name: 'Place a legal hold' });
  await holdDialog.getByRole('textbox', { name: 'Reason' }).fill('Litigation hold, case 2026-117');
  await assertAccessible(tab, 'the legal-hold dialog');
  await holdDialog.getByRole('button', { name: 'Place legal hold' }).click();
  await page.getByText(/Held since .*Litigation hold, case 2026-117/).waitFor();
  const held = await api('local-demo').GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
  assert.equal(held.data?.legalHold?.reason, 'Litigation hold, case 2026-117');
  await page.getByRole('button', { name: 'Lift legal hold' }).click();
  await page
    .getByRole('dialog', { name: 'Lift the legal hold' })
    .getByRole('button', { name: 'Lift legal hold' })
    .click();
  await page.getByText('Not held. The profile expires on schedule.').waitFor();

  // Export: requested, followed to completion, downloaded.
  await page.getByRole('button', { name: 'Request export' }).click();
  const exportDialog = page.getByRole('dialog', { name: 'Export this subscriber’s data' });
  await exportDialog.getByRole('textbox', { name: 'Verification reference' }).fill('ticket-4411');
  await exportDialog.getByRole('button', { name: 'Request export' }).click();
  const downloadLink = page.getByRole('link', { name: 'Download export' });
  await downloadLink.waitFor({ timeout: DSR_WAIT_MS });
  const [download] = await Promise.all([page.waitForEvent('download'), downloadLink.click()]);
  const exported = JSON.parse(readFileSync(await download.path(), 'utf8')) as unknown;
  assert.ok(JSON.stringify(exported).includes(phone), 'the export holds the subscriber');

  // The DSR queue lists it as completed, with its download.
  await tab.goTo('Data-subject requests', 'Data-subject requests');
  await page.getByRole('cell', { name: 'access' }).first().waitFor();
  await assertAccessible(tab, 'the DSR queue');
  await tab.screenshot(shots, 'requests');

  // Erasure: confirmed, completed, and the profile is gone while the consent history stays.
  await tab.goTo('Subscriber', 'Subscriber');
  await tab.lookUp(phone);
  await page.getByRole('button', { name: 'Erase' }).click();
  const eraseDialog = page.getByRole('dialog', { name: 'Erase this subscriber' });
  await eraseDialog.getByRole('textbox', { name: 'Verification reference' }).fill('ticket-4412');
  await eraseDialog.getByRole('button', { name: 'Erase' }).click();
  await page.getByText(/^Erase: completed/).waitFor({ timeout: DSR_WAIT_MS });
  await page.getByText('No profile: never subscribed, erased, or expired.').waitFor();
  await page.getByRole('heading', { name: 'Consent history' }).waitFor();
  const gone = await api('local-demo').GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
  assert.equal(gone.response.status, 404);
});

void test('a viewer reads but cannot erase: the console hides it and the API refuses it', async () => {
  const phone = newNumber();
  await subscribe(phone);
  const tab = await open('local-demo-viewer');
  await tab.lookUp(phone);
  await tab.page.getByRole('heading', { name: 'Profile' }).waitFor();
  assert.equal(await tab.page.getByRole('button', { name: 'Erase' }).count(), 0);
  assert.equal(await tab.page.getByRole('button', { name: 'Place legal hold' }).count(), 0);
  await assertAccessible(tab, 'the subscriber page of a viewer');

  const refused = await api('local-demo-viewer').POST('/v1/dsr', {
    body: { type: 'erasure', phone, verification: { method: 'other', reference: 'viewer-attempt' } },
  });
  assert.equal(refused.response.status, 403);
  const still = await api('local-demo').GET('/v1/subscribers/{phone}', { params: { path: { phone } } });
  assert.equal(still.response.status, 200, 'the subscriber is still there');
});

void test('another tenant sees nothing of the first', async () => {
  const phone = newNumber();
  await subscribe(phone);
  assert.equal(await inbound(phone, 'STOP'), 'opted_out');
  const demo = await api('local-demo').POST('/v1/dsr', {
    body: { type: 'access', phone, verification: { method: 'other', reference: 'tenant-check' } },
  });
  assert.ok(demo.data, 'demo opened a request');

  const tab = await open('local-acme-officer');
  await tab.lookUp(phone);
  await tab.page.getByText('No profile is held for this number.').waitFor();
  await tab.page.getByText('No consent on record.').waitFor();
  await tab.page.getByText('Not opted out.').waitFor();
  await tab.goTo('Data-subject requests', 'Data-subject requests');
  await tab.page
    .getByRole('status')
    .filter({ hasText: /shown|No requests/ })
    .waitFor();
  const rows = await tab.page.getByRole('table').innerText();
  assert.ok(!rows.includes(demo.data.requestId.slice(0, 8)), 'acme does not see demo’s request');
});

void test('the retention schedule and the activity charts render and pass axe-core', async () => {
  const tab = await open('local-demo-officer');
  await tab.goTo('Retention schedule', 'Retention schedule');
  await tab.page.getByRole('rowheader', { name: 'Subscriber profile' }).waitFor();
  await tab.page.getByRole('cell', { name: '36 months' }).first().waitFor();
  await assertAccessible(tab, 'the retention schedule');
  await tab.screenshot(shots, 'retention');

  await tab.goTo('Activity', 'Activity');
  await tab.page.getByRole('img', { name: /^Messages sent/ }).waitFor();
  await assertAccessible(tab, 'the activity page');
  await tab.screenshot(shots, 'activity');
});
