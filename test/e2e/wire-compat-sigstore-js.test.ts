// The npm sigstore packages as clients of `signet up`: a keyless DSSE attestation (Fulcio v2 + Rekor dsse entry),
// and @sigstore/sign's 409 path (Location header -> GET /api/v1/log/entries/{uuid}) for an entry already logged.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as signRaw } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import { MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { attest } from 'sigstore';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

let stack: RunningStack;
const dataDir = tempDir('signet-wire-');

before(async () => {
  stack = await startSignet(['up'], { dataDir, env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/trusted_root.json' });
});
after(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function trustedVerifier() {
  const root = TrustedRoot.fromJSON(await (await fetch(`${stack.url}/trusted_root.json`)).json());
  return new Verifier(toTrustMaterial(root), { ctlogThreshold: 1, tlogThreshold: 1 });
}

/** protojson equivalence: empty repeated fields may be omitted and timestamps may carry .000 fractions. */
function normalize(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v), (_k, x) =>
    Array.isArray(x) && x.length === 0 ? undefined : typeof x === 'string' ? x.replace(/\.000Z$/, 'Z') : x,
  );
}

describe('npm sigstore clients against signet up', () => {
  it('trusted_root.json and signing_config.json round-trip through the protobuf-specs types (no unknown fields)', async () => {
    const root = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as Record<string, unknown>;
    assert.equal(root.mediaType, 'application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    assert.deepEqual(normalize(TrustedRoot.toJSON(TrustedRoot.fromJSON(root))), normalize(root));
    const config = (await (await fetch(`${stack.url}/signing_config.json`)).json()) as Record<string, unknown>;
    assert.equal(config.mediaType, 'application/vnd.dev.sigstore.signingconfig.v0.2+json');
    assert.deepEqual(normalize(SigningConfig.toJSON(SigningConfig.fromJSON(config))), normalize(config));
  });

  it('sigstore.attest: keyless DSSE bundle, logged as a Rekor dsse entry, verifies with the trusted root', async () => {
    const email = 'attester@example.com';
    const tok = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', `${stack.url}/oidc`]);
    assert.equal(tok.status, 0, tok.stderr);
    const statement = Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'a', digest: { sha256: 'ab'.repeat(32) } }],
        predicateType: 'https://example.com/p',
        predicate: {},
      }),
    );
    const serialized = await attest(statement, 'application/vnd.in-toto+json', {
      fulcioURL: stack.url,
      rekorURL: stack.url,
      identityToken: tok.stdout.trim(),
    });
    const bundle = bundleFromJSON(serialized);
    const tle = bundle.verificationMaterial.tlogEntries[0]!;
    assert.equal(tle.kindVersion?.kind, 'dsse');
    const signer = (await trustedVerifier()).verify(toSignedEntity(bundle), { subjectAlternativeName: email });
    assert.equal(signer.identity?.subjectAlternativeName, email);

    const r = await fetch(`${stack.url}/api/v1/log/entries?logIndex=${tle.logIndex}`);
    assert.equal(r.status, 200);
    const [entry] = Object.values((await r.json()) as Record<string, { body: string; integratedTime: number }>);
    assert.equal(JSON.parse(Buffer.from(entry!.body, 'base64').toString()).kind, 'dsse');
    assert.equal(String(entry!.integratedTime), tle.integratedTime);
  });

  it('@sigstore/sign: a second upload of the same entry takes the 409 + Location path to the same entry', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const signatures = new Map<string, Buffer>(); // the same signature each time, so the same Rekor entry
    const signer: Signer = {
      sign: async (data) => {
        const k = data.toString('hex');
        if (!signatures.has(k)) signatures.set(k, signRaw('sha256', data, privateKey));
        return { signature: signatures.get(k)!, key: { $case: 'publicKey', publicKey: pem, hint: 'k' } };
      },
    };
    const builder = () =>
      new MessageSignatureBundleBuilder({
        signer,
        witnesses: [new RekorWitness({ rekorBaseURL: stack.url, fetchOnConflict: true })],
      });
    const artifact = Buffer.from('logged twice');
    const first = await builder().create({ data: artifact });
    const second = await builder().create({ data: artifact });
    const [a, b] = [first, second].map((x) => x.verificationMaterial.tlogEntries[0]!);
    assert.equal(b!.logIndex, a!.logIndex);
    assert.equal(b!.integratedTime, a!.integratedTime);
    assert.deepEqual(b!.canonicalizedBody, a!.canonicalizedBody);
    assert.deepEqual(b!.inclusionPromise, a!.inclusionPromise);
  });
});
