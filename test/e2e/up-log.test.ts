import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MessageSignatureBundleBuilder, RekorWitness, type Signer } from '@sigstore/sign';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { verifyConsistency } from '../../src/merkle/index.js';
import { startSignet, tempDir } from '../helpers/process.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

async function postEntry(url: string, entry: unknown) {
  const r = await fetch(`${url}/api/v1/log/entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(entry),
  });
  return { status: r.status, location: r.headers.get('location'), json: (await r.json()) as Record<string, any> };
}

const logInfo = async (url: string) => (await (await fetch(`${url}/api/v1/log`)).json()) as Record<string, any>;

describe('signet up: the transparency log end to end', () => {
  it('logs entries, keeps its key and tree across a restart, and drains writes on SIGTERM', async () => {
    const dataDir = tempDir('signet-up-');
    dirs.push(dataDir);
    const signer = hashedRekordSigner();
    let stack = await startSignet(['up'], { dataDir });
    try {
      const created = await Promise.all([1, 2, 3].map(() => postEntry(stack.url, signer.entry())));
      for (const c of created) assert.equal(c.status, 201);
      const before = await logInfo(stack.url);
      assert.equal(before.treeSize, 3);
      const pem = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
      assert.equal((await fetch(`${stack.url}/readyz`)).status, 200);
      assert.equal(await stack.stop('SIGTERM'), 0);
      assert.equal(statSync(join(dataDir, 'log', 'log-signing-key.pem')).mode & 0o777, 0o600);

      stack = await startSignet(['up'], { dataDir });
      const again = await logInfo(stack.url);
      assert.equal(again.treeID, before.treeID);
      assert.equal(again.treeSize, 3);
      assert.equal(again.rootHash, before.rootHash);
      assert.equal(await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text(), pem);
      const byLocation = await fetch(stack.url + created[1]!.location!);
      assert.equal(byLocation.status, 200);
      const d = await postEntry(stack.url, signer.entry());
      assert.equal(d.status, 201);
      assert.equal((Object.values(d.json)[0] as { logIndex: number }).logIndex, 3);
      const now = await logInfo(stack.url);
      const proof = (await (
        await fetch(`${stack.url}/api/v1/log/proof?firstSize=3&lastSize=${now.treeSize}`)
      ).json()) as {
        hashes: string[];
      };
      const hex = (h: string) => Buffer.from(h, 'hex');
      assert.ok(verifyConsistency(3, now.treeSize, proof.hashes.map(hex), hex(before.rootHash), hex(now.rootHash)));

      // SIGTERM while writes are in flight: every acknowledged entry must be there after the restart.
      const inflight = Array.from({ length: 40 }, () => postEntry(stack.url, signer.entry()).catch(() => undefined));
      await Promise.race(inflight);
      const stopped = stack.stop('SIGTERM');
      const results = await Promise.all(inflight);
      assert.equal(await stopped, 0);
      stack = await startSignet(['up'], { dataDir });
      const acked = results.filter((r) => r?.status === 201);
      assert.ok(acked.length >= 1);
      for (const r of acked) assert.equal((await fetch(stack.url + r!.location!)).status, 200);
    } finally {
      await stack.stop('SIGKILL');
    }
  });

  it('@sigstore/sign logs a signature and @sigstore/verify accepts the bundle against the log key', async () => {
    const stack = await startSignet(['up']);
    dirs.push(stack.dataDir);
    try {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const signer: Signer = {
        sign: async (data) => ({
          signature: sign('sha256', data, privateKey),
          key: { $case: 'publicKey', publicKey: pem, hint: 'test-key' },
        }),
      };
      const witness = new RekorWitness({ rekorBaseURL: stack.url, fetchOnConflict: true });
      const bundler = new MessageSignatureBundleBuilder({ signer, witnesses: [witness] });
      const artifact = Buffer.from('hello from sigstore-js');
      const bundle = await bundler.create({ data: artifact });
      assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);

      const logKeyPem = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
      const logKey = createPublicKey(logKeyPem);
      const der = logKey.export({ type: 'spki', format: 'der' });
      const info = await logInfo(stack.url);
      const logId = Buffer.from(
        (bundle.verificationMaterial.tlogEntries[0]!.logId.keyId as Buffer).toString('hex'),
        'hex',
      );
      const root = TrustedRoot.fromJSON({
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [
          {
            baseUrl: stack.url,
            hashAlgorithm: 'SHA2_256',
            publicKey: {
              rawBytes: der.toString('base64'),
              keyDetails: 'PKIX_ECDSA_P256_SHA_256',
              validFor: { start: '2020-01-01T00:00:00Z' },
            },
            logId: { keyId: logId.toString('base64') },
          },
        ],
        certificateAuthorities: [],
        ctlogs: [],
        timestampAuthorities: [],
      });
      assert.ok(info.signedTreeHead.includes(` - ${info.treeID}\n`));
      const trust = toTrustMaterial(root, (hint) => {
        assert.equal(hint, 'test-key');
        return { publicKey, validFor: () => true };
      });
      const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 0 });
      verifier.verify(toSignedEntity(bundle, artifact));
      // A tampered artifact must not verify.
      assert.throws(() => verifier.verify(toSignedEntity(bundle, Buffer.from('other'))));
    } finally {
      await stack.stop('SIGKILL');
    }
  });
});
