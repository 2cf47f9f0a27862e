import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  isLegacyCosignBundle,
  legacyToBundle,
  parseBundle,
  parseBundleJson,
  parseLegacyCosignBundle,
  parseSigningConfig,
  parseTrustedRoot,
  serializeBundle,
  BUNDLE_V03_MEDIA_TYPE,
} from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import { conformanceDir } from '../helpers/env.js';

const corpus = join(conformanceDir, 'bundle-verify');
const read = (name: string) => readFileSync(join(corpus, name, 'bundle.sigstore.json'), 'utf8');
const json = (name: string) => JSON.parse(read(name)) as Record<string, any>;

function rejects(input: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseBundle(input),
    (e) => isSignetError(e, 'invalid-input') && pattern.test(e.message),
  );
}

test('every well-formed corpus bundle parses and serializes back to the same JSON value', () => {
  const malformed = [
    'bundle-empty-certificate-chain_fail',
    'bundle-invalid-base64-signature_fail',
    'bundle-malformed-json_fail',
    'bundle-negative-log-index_fail',
    'bundle-unknown-version_fail',
    'intoto-missing-inclusion-proof_fail',
    'invalid-inclusion-proof_fail',
    'rekor2-no-inclusion-proof_fail',
  ];
  for (const name of readdirSync(corpus)) {
    if (!existsSync(join(corpus, name, 'bundle.sigstore.json'))) continue;
    if (malformed.includes(name)) {
      assert.throws(
        () => parseBundleJson(read(name)),
        (e) => isSignetError(e, 'invalid-input'),
        name,
      );
      continue;
    }
    const bundle = parseBundleJson(read(name));
    const again = parseBundle(JSON.parse(serializeBundle(bundle)));
    assert.deepEqual(again, bundle, name);
  }
});

test('a protobuf-specs bundle serializes with the fields in proto order', () => {
  const bundle = parseBundleJson(read('happy-path-v0.3-new-mediaType'));
  const entry = JSON.parse(serializeBundle(bundle)).verificationMaterial.tlogEntries[0];
  assert.deepEqual(Object.keys(entry), [
    'logIndex',
    'logId',
    'kindVersion',
    'integratedTime',
    'inclusionPromise',
    'inclusionProof',
    'canonicalizedBody',
  ]);
});

test('the media type decides the rules', () => {
  const v01 = json('happy-path-v0.1');
  rejects(
    { ...v01, mediaType: 'application/vnd.dev.sigstore.bundle+json;version=99.9' },
    /not a supported bundle version/,
  );
  rejects({ ...v01, mediaType: 'application/json' }, /not a supported bundle version/);
  // v0.3 keyless bundles carry one certificate, not a chain
  rejects({ ...v01, mediaType: BUNDLE_V03_MEDIA_TYPE }, /must use certificate/);
  // v0.1 entries need a SET
  const noSet = structuredClone(v01);
  delete noSet.verificationMaterial.tlogEntries[0].inclusionPromise;
  rejects(noSet, /no inclusionPromise/);
  // v0.2+ entries need an inclusion proof with a checkpoint
  const v02 = json('happy-path-v0.2');
  delete v02.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint;
  rejects(v02, /no inclusionProof with a checkpoint/);
});

test('bad fields are named in the error', () => {
  const base = json('happy-path-v0.3-new-mediaType');
  const cases: [(b: any) => void, RegExp][] = [
    [(b) => (b.messageSignature.signature = '!!!'), /messageSignature.signature is not valid base64/],
    [(b) => (b.verificationMaterial.tlogEntries[0].logIndex = '-1'), /tlogEntries\[0\].logIndex is negative/],
    [(b) => (b.verificationMaterial.tlogEntries[0].logIndex = '1e3'), /logIndex is not an integer/],
    [(b) => (b.verificationMaterial.tlogEntries = {}), /tlogEntries is not an array/],
    [(b) => (b.dsseEnvelope = { payload: '', payloadType: 'x', signatures: [] }), /exactly one of messageSignature/],
    [(b) => delete b.verificationMaterial.certificate, /exactly one of certificate/],
    [(b) => (b.verificationMaterial.publicKey = { hint: 'k' }), /exactly one of certificate/],
    [(b) => delete b.verificationMaterial, /verificationMaterial is not an object/],
  ];
  for (const [mutate, pattern] of cases) {
    const b = structuredClone(base);
    mutate(b);
    rejects(b, pattern);
  }
});

test('a DSSE envelope has exactly one signature', () => {
  const b = json('happy-path-intoto-in-dsse-v3');
  b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
  rejects(b, /exactly one signature/);
  b.dsseEnvelope.signatures = [];
  rejects(b, /exactly one signature/);
});

test('int64 fields may be JSON numbers; base64 may be URL-safe or wrapped (as protojson reads them)', () => {
  const b = json('happy-path-v0.1');
  const entry = b.verificationMaterial.tlogEntries[0];
  entry.logIndex = Number(entry.logIndex);
  const sig = Buffer.from(b.messageSignature.signature, 'base64');
  b.messageSignature.signature = sig.toString('base64url');
  const parsed = parseBundle(b);
  assert.equal(parsed.verificationMaterial.tlogEntries[0]!.logIndex, String(entry.logIndex));
  assert.equal(parsed.messageSignature!.signature, sig.toString('base64'));
});

test('base64 fields: standard with or without padding or URL-safe pass; other characters and lengths fail', () => {
  const b = json('happy-path-v0.3-new-mediaType');
  const signature = (text: string) => parseBundle({ ...b, messageSignature: { signature: text } });
  for (const [text, standard] of [
    ['QUJD', 'QUJD'],
    ['QUI=', 'QUI='],
    ['QUI', 'QUI'],
    ['QQ==', 'QQ=='],
    ['+/+/', '+/+/'],
    ['-_-_', '+/+/'],
  ]) {
    assert.equal(signature(text!).messageSignature!.signature, standard, text);
  }
  for (const text of ['QUJDR', 'QU=I', 'QUJD=', 'Q===', 'QU\u00e9D', 'QU*D', '+/-_', 'QUJD\u0100']) {
    rejects({ ...b, messageSignature: { signature: JSON.parse(`"${text}"`) } }, /signature is not valid base64/);
  }
});

test('random JSON never crashes the parser: a Bundle or an invalid-input error', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      try {
        parseBundle(value);
      } catch (e) {
        assert.ok(isSignetError(e, 'invalid-input'), String(e));
      }
    }),
    { numRuns: 500 },
  );
});

test('random mutations of a real bundle never crash the parser', () => {
  const text = read('happy-path-v0.2');
  fc.assert(
    fc.property(fc.nat(text.length - 1), fc.string({ maxLength: 3 }), (at, insert) => {
      try {
        parseBundleJson(text.slice(0, at) + insert + text.slice(at + 1));
      } catch (e) {
        assert.ok(isSignetError(e, 'invalid-input'), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('trusted roots: the production root parses; a validFor without start is rejected', () => {
  const prod = JSON.parse(readFileSync(join(conformanceDir, 'production_trusted_root.json'), 'utf8'));
  const root = parseTrustedRoot(prod);
  assert.equal(root.tlogs!.length, 2);
  assert.equal(root.certificateAuthorities!.length, 2);
  const bad = structuredClone(prod);
  delete bad.tlogs[0].publicKey.validFor.start;
  assert.throws(() => parseTrustedRoot(bad), /tlogs\[0\].publicKey.validFor has no start/);
  const badCa = structuredClone(prod);
  delete badCa.certificateAuthorities[1].validFor.start;
  assert.throws(() => parseTrustedRoot(badCa), /certificateAuthorities\[1\].validFor has no start/);
  assert.throws(() => parseTrustedRoot({ ...prod, mediaType: 'x' }), /mediaType "x" is not supported/);
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      try {
        parseTrustedRoot(v);
      } catch (e) {
        assert.ok(isSignetError(e, 'invalid-input'));
      }
    }),
    { numRuns: 200 },
  );
});

test('signing config v0.2 parses and checks selectors', () => {
  const config = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [{ url: 'https://fulcio.example', majorApiVersion: 1, validFor: { start: '2024-01-01T00:00:00Z' } }],
    rekorTlogUrls: [{ url: 'https://rekor.example', majorApiVersion: 1, validFor: { start: '2024-01-01T00:00:00Z' } }],
    rekorTlogConfig: { selector: 'ANY' },
  };
  const parsed = parseSigningConfig(config);
  assert.equal(parsed.caUrls![0]!.url, 'https://fulcio.example');
  assert.throws(() => parseSigningConfig({ ...config, rekorTlogConfig: { selector: 'SOME' } }), /selector/);
  assert.throws(() => parseSigningConfig({ ...config, rekorTlogConfig: { selector: 'EXACT' } }), /count/);
  assert.throws(() => parseSigningConfig({ ...config, caUrls: [{ url: 'ftp://x', majorApiVersion: 1 }] }), /url/);
});

test('an old cosign bundle converts to a v0.1 bundle with the same entry', () => {
  const modern = parseBundleJson(read('happy-path-v0.1'));
  const entry = modern.verificationMaterial.tlogEntries[0]!;
  const leaf = Buffer.from(modern.verificationMaterial.x509CertificateChain!.certificates[0]!.rawBytes, 'base64');
  const pem = `-----BEGIN CERTIFICATE-----\n${leaf.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`;
  const old = {
    base64Signature: modern.messageSignature!.signature,
    cert: Buffer.from(pem).toString('base64'),
    rekorBundle: {
      SignedEntryTimestamp: entry.inclusionPromise!.signedEntryTimestamp,
      Payload: {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex),
        logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
      },
    },
  };
  assert.ok(isLegacyCosignBundle(old));
  assert.ok(!isLegacyCosignBundle(JSON.parse(read('happy-path-v0.1'))));
  const { bundle, publicKeyPem } = legacyToBundle(parseLegacyCosignBundle(old));
  assert.equal(publicKeyPem, undefined);
  assert.deepEqual(bundle.verificationMaterial.x509CertificateChain, modern.verificationMaterial.x509CertificateChain);
  const converted = bundle.verificationMaterial.tlogEntries[0]!;
  for (const k of [
    'logIndex',
    'logId',
    'kindVersion',
    'integratedTime',
    'inclusionPromise',
    'canonicalizedBody',
  ] as const) {
    assert.deepEqual(converted[k], entry[k], k);
  }
  assert.deepEqual(parseBundle(JSON.parse(serializeBundle(bundle))), bundle);
  assert.throws(() => parseLegacyCosignBundle({ ...old, cert: 'bm90IHBlbQ==' }), /not a PEM/);
  assert.throws(
    () =>
      parseLegacyCosignBundle({
        ...old,
        rekorBundle: { ...old.rekorBundle, Payload: { ...old.rekorBundle.Payload, logID: 'zz' } },
      }),
    /logID/,
  );
});

test('base64 padding: a last group of two or three characters, padded to four or not at all', () => {
  const base = json('happy-path-v0.3-new-mediaType');
  const parses = (s: string) => {
    const b = structuredClone(base);
    b.messageSignature.signature = s;
    return parseBundle(b).messageSignature!.signature;
  };
  for (const ok of ['QUJD', 'QUI=', 'QUI', 'QQ==', 'QQ', 'QUJDRA==', 'QUJDREU=', 'a+/9']) assert.equal(parses(ok), ok);
  for (const bad of ['Q', 'QUJDR', 'QUI==', 'Q===', '=QUI', 'QU=I', 'QUJD====', 'QU I=']) {
    assert.throws(() => parses(bad), /is not valid base64/, bad);
  }
});
