import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';
import { hashedRekordRequest } from '../rekor-v2/fixtures.js';

// The explorer in a real browser: Debian's chromium driven by playwright-core (no browser download), against
// `signet up` as a subprocess. Screenshots land in test-artifacts/explorer/ (gitignored) for a human to look at.
const CHROMIUM = process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium';
const shots = join(repoRoot, 'test-artifacts', 'explorer');
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// As the machine notes say: without the background-networking flags chromium dials Google at every start.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
];

/**
 * Keyless signing as a user would after `signet up`: by default through the signing config, which lists Rekor v2
 * first; `v1` forces the Rekor v1 log with explicit --fulcio-url/--rekor-url.
 */
async function signKeyless(url: string, dir: string, email: string, name: string, log: 'v2' | 'v1'): Promise<void> {
  const token = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', `${url}/oidc`]);
  assert.equal(token.status, 0, token.stderr);
  const artifact = join(dir, name);
  writeFileSync(artifact, `artifact ${name}\n`);
  const r = await runSignetAsync([
    'sign-blob',
    ...(log === 'v2'
      ? ['--signing-config', `${url}/signing_config.json`]
      : ['--fulcio-url', url, '--rekor-url', url, '-y']),
    '--identity-token',
    token.stdout.trim(),
    '--bundle',
    `${artifact}.sigstore.json`,
    artifact,
  ]);
  assert.equal(r.status, 0, r.stderr);
}

/** How long any one wait for the page may take. */
const DEADLINE_MS = 120_000;

/** POSTs `count` JSON bodies to `url`, eight at a time, each answered 201. */
async function postAll(url: string, count: number, body: (i: number) => unknown): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) {
        const r = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body(i)),
        });
        assert.equal(r.status, 201, await r.text());
      }
    }),
  );
}

/** Fails the test on any request that leaves the origin and on any console error (a CSP violation is one). */
function guard(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`request to ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

describe('web explorer in chromium', () => {
  it('searches by email, shows and verifies an entry, flags a tampered proof, shows the log and CA pages', async (t) => {
    if (!requireOrSkip(t, existsSync(CHROMIUM), `chromium at ${CHROMIUM} (apt-get install chromium)`)) return;
    assert.ok(existsSync(join(repoRoot, 'dist', 'explorer', 'app.js')), 'dist/explorer is missing: run npm run build');
    mkdirSync(shots, { recursive: true });
    const work = tempDir('signet-explorer-');
    dirs.push(work);
    let stack: RunningStack | undefined;
    let browser: Browser | undefined;
    try {
      stack = await startSignet(['up'], { dataDir: join(work, 'data') });
      const url = stack.url;
      // A few key-based entries around the keyless ones, so inclusion proofs have hashes to tamper with.
      const signer = hashedRekordSigner();
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`${url}/api/v1/log/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(signer.entry()),
        });
        assert.equal(r.status, 201);
      }
      // And in the v2 log.
      for (let i = 0; i < 2; i++) {
        const r = await fetch(`${url}/api/v2/log/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(hashedRekordRequest(`v2 artifact ${i}`).request),
        });
        assert.equal(r.status, 201);
      }
      await signKeyless(url, work, 'alice@example.com', 'app.tar.gz', 'v2');
      await signKeyless(url, work, 'bob@example.com', 'lib.tar.gz', 'v1');

      const home = await fetch(`${url}/`);
      assert.equal(home.status, 200);
      assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);

      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
      const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
      // Generous deadlines for every wait: CI runs this on a loaded 2-core machine.
      context.setDefaultTimeout(DEADLINE_MS);
      const page = await context.newPage();
      const problems = guard(page, url);
      const row = page.locator('[data-view=search] #results table.list tbody tr');

      // Alice signed with the defaults (Rekor v2): search by email, as a user who just signed would.
      await page.goto(`${url}/`);
      await page.fill('#q', 'alice@example.com');
      await page.press('#q', 'Enter');
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      assert.match(await row.first().innerText(), /^2\s+hashedrekord \(v2\)\s+alice@example\.com/);
      await page.screenshot({ path: join(shots, 'search.png'), fullPage: true });

      // The v2 entry page decodes the certificate and verifies leaf, proof and the checkpoint's Ed25519 signature.
      await row.first().locator('a').click();
      await page.locator('#verdict').waitFor();
      assert.equal(await page.getAttribute('#verdict', 'data-result'), 'pass', await page.innerText('#verification'));
      const v2Text = await page.innerText('#main');
      assert.match(v2Text, /Rekor v2 entry 2/);
      assert.match(v2Text, /Identity\s+alice@example\.com/);
      assert.match(v2Text, new RegExp(`OIDC issuer\\s+${url.replace(/[.]/g, '\\.')}/oidc`));
      assert.match(v2Text, /hashedrekord 0\.0\.2/);
      assert.match(v2Text, /No signed entry timestamp to check: Rekor v2 signs none/);
      assert.match(v2Text, /Checkpoint is signed by the log's key: .* \(Ed25519\)/);
      assert.equal(await page.locator('#verification li.pass').count(), 4);
      assert.equal(await page.locator('#verification li.fail').count(), 0);
      const v2EntryUrl = page.url();
      await page.screenshot({ path: join(shots, 'entry-v2.png'), fullPage: true });

      // Search by the artifact hash reaches the same v2 entry.
      const v2Digest = /Artifact digest\s+sha256:([0-9a-f]{64})/.exec(v2Text)![1]!;
      await page.goto(`${url}/#/search/sha256:${v2Digest}`);
      await row.first().waitFor();
      assert.match(await row.first().innerText(), /alice@example\.com/);

      // Bob signed on the Rekor v1 log: found by email, verified with proof, checkpoint and SET.
      await page.goto(`${url}/#/search/bob@example.com`);
      await row.first().waitFor();
      assert.equal(await row.count(), 1);
      assert.match(await row.first().innerText(), /^3\s+hashedrekord\s+bob@example\.com/);
      await row.first().locator('a').click();
      await page.locator('#verdict').waitFor();
      assert.equal(await page.getAttribute('#verdict', 'data-result'), 'pass', await page.innerText('#verification'));
      const text = await page.innerText('#main');
      assert.match(text, /Identity\s+bob@example\.com/);
      assert.match(text, /hashedrekord 0\.0\.1/);
      assert.match(text, /Artifact digest\s+sha256:[0-9a-f]{64}/);
      assert.equal(await page.locator('#verification li.pass').count(), 5);
      const entryUrl = page.url();
      await page.screenshot({ path: join(shots, 'entry.png'), fullPage: true });
      // The picture for docs/explorer.png: the top of the entry page at a laptop-ish size.
      await page.setViewportSize({ width: 960, height: 760 });
      await page.screenshot({ path: join(shots, 'readme.png') });
      await page.setViewportSize({ width: 1200, height: 900 });

      // Search by log index finds the entry of that index in each log, each table saying which.
      await page.goto(`${url}/#/search/2`);
      await row.first().waitFor();
      assert.deepEqual(await page.locator('[data-view=search] #results h3').allInnerTexts(), [
        'Rekor v2 log',
        'Rekor v1 log',
      ]);
      assert.match(await row.nth(0).innerText(), /^2\s+hashedrekord \(v2\)\s+alice@example\.com/);
      assert.match(await row.nth(1).innerText(), /^2\s+hashedrekord\s+ECDSA P-256 key/);

      // A proof with one flipped hash must be shown as failing, and say which check failed: in both logs.
      const flip = (h: string) => (h.startsWith('0') ? '1' : '0') + h.slice(1);
      const tamperedCases: Array<[string, string, (json: any) => string[]]> = [
        [
          '**/api/v1/log/entries/*',
          entryUrl,
          (json) => Object.values<any>(json)[0]!.verification.inclusionProof.hashes,
        ],
        ['**/explorer/api/v2/entries/*', v2EntryUrl, (json) => json.inclusionProof.hashes],
      ];
      for (const [pattern, at, hashesOf] of tamperedCases) {
        const tampered = await context.newPage();
        problems.push(...guard(tampered, url));
        await tampered.route(pattern, async (route) => {
          const response = await route.fetch();
          const json = await response.json();
          const hashes = hashesOf(json);
          assert.ok(hashes.length > 0, 'the proof should have hashes to tamper with');
          hashes[0] = flip(hashes[0]!);
          await route.fulfill({ response, json });
        });
        await tampered.goto(at);
        await tampered.locator('#verdict').waitFor();
        assert.equal(await tampered.getAttribute('#verdict', 'data-result'), 'fail');
        const failed = await tampered.locator('#verification li.fail').allInnerTexts();
        assert.equal(failed.length, 1, failed.join('\n'));
        assert.match(failed[0]!, /Inclusion proof leads to the root hash: the proof leads to/);
        const shot = pattern.includes('v2') ? 'entry-v2-tampered.png' : 'entry-tampered.png';
        await tampered.screenshot({ path: join(shots, shot), fullPage: true });
        await tampered.close();
      }

      // The log page: size, checkpoint verified with the log key, growth chart, newest entries.
      await page.goto(`${url}/#/log`);
      await page.locator('[data-view=log] #signatures li').first().waitFor();
      await page.locator('[data-view=log] #v2-signatures li').first().waitFor();
      assert.equal(await page.innerText('#tree-size'), '4');
      assert.equal(await page.innerText('#v2-tree-size'), '3');
      assert.match(await page.innerText('#signatures'), /log signature, verified/);
      assert.match(await page.innerText('#v2-signatures'), /log signature, verified/);
      await page.locator('svg.chart path.line').waitFor();
      assert.equal(await page.locator('#v2-log table.list tbody tr').count(), 3);
      assert.equal(await page.locator('table.list tbody tr').count(), 7);
      await page.screenshot({ path: join(shots, 'log.png'), fullPage: true });

      // The CA page lists the two certificates from the CT log, newest first.
      await page.goto(`${url}/#/ca`);
      await page.locator('[data-view=ca] section.card h2').first().waitFor();
      const titles = await page.locator('[data-view=ca] section.card h2').allInnerTexts();
      assert.deepEqual(
        titles.map((x) => x.replace(/^#\d+ /, '')),
        ['bob@example.com', 'alice@example.com'],
      );
      await page.screenshot({ path: join(shots, 'ca.png'), fullPage: true });

      // On a phone-sized screen nothing overflows sideways.
      const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      phone.setDefaultTimeout(DEADLINE_MS);
      problems.push(...guard(phone, url));
      await phone.goto(entryUrl);
      await phone.locator('#verdict').waitFor();
      // Evaluated in the page (the test's own lib has no DOM types).
      const overflow = await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok((overflow as number) <= 0, `the page is ${overflow}px wider than a phone screen`);
      await phone.screenshot({ path: join(shots, 'entry-phone.png'), fullPage: true });
      // The other pages on a phone: search results, the log page (checkpoints, chart) and the CA page.
      const phonePages: Array<[string, string, string]> = [
        ['search', `${url}/#/search/bob@example.com`, '#results table.list tbody tr'],
        ['log', `${url}/#/log`, '[data-view=log] #v2-signatures li'],
        ['ca', `${url}/#/ca`, '[data-view=ca] section.card h2'],
      ];
      for (const [name, at, ready] of phonePages) {
        await phone.goto(at);
        await phone.locator(ready).first().waitFor();
        const wider = await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        assert.ok((wider as number) <= 0, `the ${name} page is ${wider}px wider than a phone screen`);
        await phone.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
      }

      // A key with more matches than one page: the newest page first, then "Older matches" appends the rest, in
      // each log (v1 pages hold 50, v2 pages 20).
      const v2Key = hashedRekordRequest('v2 paged 0');
      await Promise.all([
        postAll(`${url}/api/v1/log/entries`, 50, () => signer.entry()),
        postAll(`${url}/api/v2/log/entries`, 21, (i) => hashedRekordRequest(`v2 paged ${i}`, v2Key.key).request),
      ]);
      const pagedCases: Array<[string, number, number]> = [
        [signer.pem, 50, 53],
        [v2Key.key.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 20, 21],
      ];
      for (const [pem, first, all] of pagedCases) {
        await page.goto(`${url}/`);
        await page.fill('#q', pem.trim());
        await page.press('#q', 'Enter');
        await page.locator('#results button.more').waitFor();
        assert.equal(await row.count(), first);
        assert.match(await page.innerText('#results p.count'), new RegExp(`^The newest ${first} matches`));
        const indexes = (await row.locator('td:first-child').allInnerTexts()).map(Number);
        assert.deepEqual(
          indexes,
          [...indexes].sort((a, b) => b - a),
          'newest first',
        );
        await page.click('#results button.more');
        await page.locator('#results button.more').waitFor({ state: 'detached' });
        await row.nth(all - 1).waitFor();
        assert.equal(await row.count(), all);
        assert.match(await page.innerText('#results p.count'), new RegExp(`^${all} found in the Rekor v[12] log`));
        const after = (await row.locator('td:first-child').allInnerTexts()).map(Number);
        assert.equal(new Set(after).size, all, 'no entry twice');
      }
      await page.screenshot({ path: join(shots, 'search-paged.png'), fullPage: true });

      assert.deepEqual(problems, []);
    } catch (e) {
      // What the page showed when it failed, for the test output and the artifacts folder.
      const page = browser?.contexts()[0]?.pages()[0];
      if (page) {
        await page.screenshot({ path: join(shots, 'failure.png'), fullPage: true }).catch(() => undefined);
        const shown = await page.innerText('#main').catch(() => '(no page)');
        throw new Error(`${(e as Error).message}\n--- page at ${page.url()} ---\n${shown}`, { cause: e });
      }
      throw e;
    } finally {
      await browser?.close();
      await stack?.stop();
    }
  });
});
