import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseBundle, parseTrustedRoot } from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import { trustMaterial, verifyBundle, type TrustMaterial, type VerifyOptions } from '../../src/verify/index.js';
import { conformanceDir } from '../helpers/env.js';

const corpus = join(conformanceDir, 'bundle-verify');
const ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * A long-running verifier keeps one trust material per root, and its trusted keys, once warm, verify through
 * fixed-base tables (crypto's verifyByTrustedKey). The CLI's conformance run starts a process per bundle and
 * never gets there, so the whole corpus runs here in one process, several rounds, both artifact forms: every
 * case must still pass or fail as sigstore-conformance says.
 */
test('the conformance corpus gives the same verdicts in one process with warm trust material', () => {
  const roots = new Map<string, TrustMaterial>();
  const material = (path: string) => {
    let m = roots.get(path);
    if (!m) roots.set(path, (m = trustMaterial(parseTrustedRoot(JSON.parse(readFileSync(path, 'utf8'))))));
    return m;
  };
  const names = readdirSync(corpus).filter((n) => statSync(join(corpus, n)).isDirectory());
  assert.ok(names.length >= 70, `the corpus has ${names.length} cases`);
  for (let round = 0; round < 4; round++) {
    for (const name of names) {
      const dir = join(corpus, name);
      const file = (f: string) => join(dir, f);
      const read = (f: string, d: string) => (existsSync(file(f)) ? readFileSync(file(f), 'utf8').trim() : d);
      const bytes = readFileSync(existsSync(file('artifact')) ? file('artifact') : join(corpus, 'a.txt'));
      const rootPath = existsSync(file('trusted_root.json'))
        ? file('trusted_root.json')
        : join(conformanceDir, 'production_trusted_root.json');
      // A key file may itself be the broken part (managed-key-wrong-key_fail): read inside the check.
      const options = (): VerifyOptions =>
        existsSync(file('key.pub'))
          ? { key: createPublicKey(readFileSync(file('key.pub'))) }
          : { policy: { identity: { exact: read('identity', ID) }, issuer: { exact: read('issuer', ISSUER) } } };
      const artifacts: VerifyOptions['artifact'][] = [
        { bytes },
        { digest: createHash('sha256').update(bytes).digest(), algorithm: 'sha256' },
      ];
      for (const artifact of artifacts) {
        let error: unknown;
        try {
          const text = readFileSync(file('bundle.sigstore.json'), 'utf8');
          verifyBundle(parseBundle(JSON.parse(text)), material(rootPath), { ...options(), artifact });
        } catch (e) {
          error = e;
        }
        const mode = 'bytes' in artifact! ? 'path' : 'digest';
        if (name.endsWith('_fail')) {
          assert.ok(error !== undefined, `round ${round} ${mode} ${name}: must fail`);
          const known =
            isSignetError(error) ||
            error instanceof SyntaxError ||
            /ERR_OSSL/.test(String((error as { code?: unknown }).code));
          assert.ok(known, `${name}: ${String(error)}`);
        } else {
          assert.equal(error, undefined, `round ${round} ${mode} ${name}: ${String(error)}`);
        }
      }
    }
  }
});
