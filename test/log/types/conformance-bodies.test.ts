import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { admitEntry } from '../../../src/log/types/index.js';
import { conformanceDir } from '../../helpers/env.js';

/**
 * Real production/staging Rekor entries from sigstore-conformance: rebuild the proposed entry a client sent from the
 * bundle, admit it, and require the canonical body to be byte-for-byte the `canonicalizedBody` Rekor logged.
 */
const corpus = join(conformanceDir, 'bundle-verify');

/** Cases whose tlog entry was deliberately made not to match the bundle's content. */
const MISMATCHED = new Set([
  'wrong-hashedrekord-entry_fail',
  'wrong-hashedrekord-cert-and-sig_fail',
  'wrong-hashedrekord-artifact_fail',
  'intoto-log-entry-mismatch_fail',
  'dsse-mismatch-envelope_fail',
  'dsse-mismatch-sig_fail',
  'dsse-invalid-sig_fail',
  'signature-mismatch_fail',
  'message-digest-mismatch_fail',
  'incorrect-public-key_fail',
  'bundle-invalid-base64-signature_fail',
  'bundle-empty-certificate-chain_fail',
  'bundle-with-root-cert_fail',
  'bundle-negative-log-index_fail',
  'bundle-unknown-version_fail',
]);

interface Case {
  name: string;
  kind: string;
  version: string;
  bundle: any;
  body: Buffer;
}

function cases(): Case[] {
  if (!existsSync(corpus)) return [];
  const out: Case[] = [];
  for (const name of readdirSync(corpus).sort()) {
    const file = join(corpus, name, 'bundle.sigstore.json');
    if (!existsSync(file)) continue;
    let bundle: any;
    try {
      bundle = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const tle = bundle.verificationMaterial?.tlogEntries?.[0];
    if (!tle?.canonicalizedBody) continue;
    const { kind, version } = tle.kindVersion;
    if (!['hashedrekord/0.0.1', 'dsse/0.0.1', 'intoto/0.0.2'].includes(`${kind}/${version}`)) continue;
    out.push({ name, kind, version, bundle, body: Buffer.from(tle.canonicalizedBody, 'base64') });
  }
  return out;
}

const pem = (type: string, b64: string) =>
  `-----BEGIN ${type}-----\n${(b64.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${type}-----\n`;

function leafCertPem(bundle: any): string | undefined {
  const vm = bundle.verificationMaterial;
  const raw = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates?.[0]?.rawBytes;
  return raw ? pem('CERTIFICATE', raw) : undefined;
}

/** The proposed entries a client could have sent for this bundle (several envelope serializations for dsse). */
function proposals(c: Case): unknown[] {
  const logged = JSON.parse(c.body.toString('utf8'));
  if (c.kind === 'hashedrekord') {
    const ms = c.bundle.messageSignature;
    // Managed-key bundles carry only a key hint: take the key from the logged body (its PEM is re-canonicalized).
    const key = leafCertPem(c.bundle) ?? Buffer.from(logged.spec.signature.publicKey.content, 'base64').toString();
    const alg = { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' }[ms.messageDigest.algorithm as string];
    return [
      {
        kind: 'hashedrekord',
        apiVersion: '0.0.1',
        spec: {
          data: { hash: { algorithm: alg, value: Buffer.from(ms.messageDigest.digest, 'base64').toString('hex') } },
          signature: { content: ms.signature, publicKey: { content: Buffer.from(key).toString('base64') } },
        },
      },
    ];
  }
  const env = c.bundle.dsseEnvelope;
  const certPem = leafCertPem(c.bundle)!;
  if (c.kind === 'intoto') {
    return [
      {
        kind: 'intoto',
        apiVersion: '0.0.2',
        spec: {
          content: {
            envelope: {
              payloadType: env.payloadType,
              payload: Buffer.from(env.payload).toString('base64'),
              signatures: env.signatures.map((s: any, i: number) => ({
                sig: Buffer.from(s.sig).toString('base64'),
                // Rekor keeps each signature's publicKey exactly as the client sent it.
                publicKey:
                  logged.spec.content.envelope.signatures[i]?.publicKey ?? Buffer.from(certPem).toString('base64'),
              })),
            },
            hash: logged.spec.content.hash, // client-computed; Rekor keeps it as given
          },
        },
      },
    ];
  }
  const sigs = env.signatures.map((s: any) => ({ keyid: s.keyid ?? '', sig: s.sig }));
  const texts = [
    JSON.stringify({ payloadType: env.payloadType, payload: env.payload, signatures: sigs }),
    JSON.stringify({ payload: env.payload, payloadType: env.payloadType, signatures: sigs }),
    JSON.stringify({ payload: env.payload, payloadType: env.payloadType, signatures: env.signatures }),
    JSON.stringify({ payloadType: env.payloadType, payload: env.payload, signatures: env.signatures }),
  ];
  const verifiers = [Buffer.from(certPem).toString('base64')];
  return texts.map((envelope) => ({
    kind: 'dsse',
    apiVersion: '0.0.1',
    spec: { proposedContent: { envelope, verifiers } },
  }));
}

test('canonical bodies equal the canonicalizedBody of real Rekor entries', async (t) => {
  const all = cases();
  assert.ok(all.length >= 20, `expected the conformance corpus to hold Rekor v1 entries, found ${all.length}`);
  let matched = 0;
  let dsseExact = 0;
  for (const c of all) {
    await t.test(c.name, async () => {
      const logged = JSON.parse(c.body.toString('utf8'));
      let built: unknown[] = [];
      try {
        built = proposals(c);
      } catch (e) {
        if (!MISMATCHED.has(c.name)) throw e; // a broken case may not even yield a proposal
      }
      const results = await Promise.allSettled(built.map(async (p) => admitEntry(p)));
      const admitted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      if (MISMATCHED.has(c.name)) {
        for (const a of admitted) assert.notDeepEqual(a.body, c.body, 'a deliberately broken entry must not reproduce');
        return;
      }
      const firstError = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      assert.ok(admitted.length > 0, `not admitted: ${firstError?.reason?.message}`);
      if (c.kind === 'dsse') {
        // The envelope hash is of the client's exact JSON text; some serialization we tried must match it.
        const hit = admitted.find((a) => a.body.equals(c.body));
        dsseExact += hit ? 1 : 0;
        if (!hit) {
          const ours = JSON.parse(admitted[0]!.body.toString());
          delete ours.spec.envelopeHash;
          delete logged.spec.envelopeHash;
          assert.deepEqual(ours, logged);
          return;
        }
      } else if (c.kind === 'intoto' && logged.spec.content.envelope.payload !== undefined) {
        // The corpus's intoto entries were made by a mock log (test certificates, payload kept in the body); real
        // Rekor drops the payload from intoto 0.0.2 leaves (its Canonicalize keeps payloadType and signatures).
        delete logged.spec.content.envelope.payload;
        assert.deepEqual(JSON.parse(admitted[0]!.body.toString('utf8')), logged);
        return;
      } else {
        assert.equal(admitted[0]!.body.toString('utf8'), c.body.toString('utf8'));
      }
      matched++;
      const leaf = createHash('sha256')
        .update(Buffer.from([0]))
        .update(c.body)
        .digest('hex');
      assert.match(leaf, /^[0-9a-f]{64}$/);
    });
  }
  assert.ok(matched >= 15, `only ${matched} bodies matched byte for byte`);
  t.diagnostic(`${matched} bodies byte-identical, of which ${dsseExact} dsse (envelope text reproduced)`);
});
