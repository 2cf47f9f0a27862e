import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { entryFacts, matchEntry, parseWatchList, type WatchList } from '../../src/monitor/index.js';
import { repoRoot } from '../helpers/env.js';

const body = (name: string) => readFileSync(join(repoRoot, 'test', 'fixtures', 'monitor', `${name}.body`));
const WORKFLOW =
  'sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml';
const watch = (json: object): WatchList => parseWatchList(json);

describe('entry facts from real entries', () => {
  for (const [name, kind] of [
    ['happy-path-v0.3', 'hashedrekord'],
    ['happy-path-intoto-in-dsse-v3', 'dsse'],
    ['rekor2-happy-path', 'hashedrekord'],
    ['rekor2-dsse-happy-path', 'hashedrekord'],
  ] as const) {
    it(`${name}: the GitHub workflow identity, issuer and digests`, () => {
      const facts = entryFacts(body(name));
      assert.equal(facts.kind, kind);
      assert.equal(facts.identities.length, 1);
      const id = facts.identities[0]!;
      assert.match(id.subjectAlternativeNames[0]!, /^https:\/\/github\.com\/sigstore-conformance\//);
      assert.equal(id.issuer, 'https://token.actions.githubusercontent.com');
      assert.equal(facts.fingerprints.length, 2); // certificate DER and its SPKI
      assert.ok(facts.sha256Digests.length >= 1);
    });
  }
});

describe('watch list matching', () => {
  const facts = entryFacts(body('rekor2-happy-path'));
  const table: Array<[string, object, string[]]> = [
    [
      'identity by pattern and issuer',
      {
        identities: [
          {
            subjectRegExp: '^https://github.com/sigstore-conformance/',
            issuer: 'https://token.actions.githubusercontent.com',
          },
        ],
      },
      ['identity'],
    ],
    [
      'identity with another issuer',
      { identities: [{ subjectRegExp: '.', issuer: 'https://accounts.google.com' }] },
      [],
    ],
    [
      'repository',
      { githubRepositories: ['sigstore-conformance/extremely-dangerous-public-oidc-beacon'] },
      ['github-repository'],
    ],
    ['workflow without a ref', { githubWorkflows: [WORKFLOW] }, ['github-workflow']],
    ['workflow at another ref', { githubWorkflows: [`${WORKFLOW}@refs/heads/dev`] }, []],
    ['artifact digest', { artifactHashes: [`sha256:${facts.sha256Digests[0]}`] }, ['artifact-hash']],
    ['certificate fingerprint', { fingerprints: [facts.fingerprints[0]!.toUpperCase()] }, ['fingerprint']],
    ['an unrelated email', { identities: [{ subject: 'alice@example.com' }] }, []],
  ];
  for (const [name, json, reasons] of table) {
    it(name, () =>
      assert.deepEqual(
        matchEntry(facts, watch(json)).map((m) => m.reason),
        reasons,
      ),
    );
  }
});

describe('watch list parsing', () => {
  const bad: Array<[unknown, RegExp]> = [
    [[], /must be a JSON object/],
    [{ emails: [] }, /unknown key "emails"/],
    [{ identities: [{ issuer: 'x' }] }, /needs subject or subjectRegExp/],
    [{ identities: [{ subject: 'a', sub: 'b' }] }, /unknown key "sub"/],
    [{ fingerprints: ['abc'] }, /not a SHA-256 hex digest/],
    [{ artifactHashes: 'sha256:00' }, /must be an array/],
    [{ githubRepositories: [''] }, /non-empty strings/],
  ];
  for (const [json, message] of bad) {
    it(`refuses ${JSON.stringify(json)}`, () => assert.throws(() => parseWatchList(json), message));
  }
});

describe('fuzz', () => {
  it('entryFacts never throws on arbitrary bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          fc.json().map((s) => Buffer.from(s)),
        ),
        (b) => {
          const facts = entryFacts(Buffer.from(b));
          assert.ok(Array.isArray(facts.identities));
        },
      ),
      { numRuns: 500 },
    );
  });
  it('parseWatchList either parses or throws a SignetError', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          parseWatchList(v);
        } catch (e) {
          assert.equal((e as { code?: string }).code, 'invalid-input');
        }
      }),
      { numRuns: 500 },
    );
  });
});
