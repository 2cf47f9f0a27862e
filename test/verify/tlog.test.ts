import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import type { Bundle, TransparencyLogEntry, TrustedRoot } from '../../src/bundle/types.js';
import { SignetError } from '../../src/errors.js';
import { canonicalJson } from '../../src/encoding/canonical-json.js';
import {
  tlogAuthoritiesFromTrustedRoot,
  verifyTransparencyLogEntry,
  type TlogAuthority,
} from '../../src/verify/tlog.js';
import { conformanceDir } from '../helpers/env.js';
import { ed25519NoteSigner, formatCheckpoint, rekorNoteSigner, signNote } from '../../src/note/index.js';
import { verifyCheckpoint } from '../../src/verify/index.js';

const corpus = join(conformanceDir, 'bundle-verify');
const readJson = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;

function caseOf(name: string): { entry: TransparencyLogEntry; logs: TlogAuthority[]; bundle: Bundle } {
  const dir = join(corpus, name);
  const rootPath = existsSync(join(dir, 'trusted_root.json'))
    ? join(dir, 'trusted_root.json')
    : join(conformanceDir, 'production_trusted_root.json');
  const bundle = readJson<Bundle>(join(dir, 'bundle.sigstore.json'));
  return {
    bundle,
    entry: bundle.verificationMaterial.tlogEntries[0]!,
    logs: tlogAuthoritiesFromTrustedRoot(readJson<TrustedRoot>(rootPath)),
  };
}

function fails(fn: () => unknown, message: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SignetError, String(e));
    assert.equal(e.code, 'verification-failed');
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'));
    return true;
  });
}

const HAPPY = [
  'happy-path-v0.1',
  'happy-path-v0.2',
  'happy-path-v0.3',
  'happy-path-v0.3-new-mediaType',
  'happy-path-intoto-in-dsse-v3',
  'managed-key-happy-path',
  'intoto-with-custom-trust-root',
  'rekor2-happy-path',
  'rekor2-dsse-happy-path',
  'rekor2-checkpoint-cosigned',
  'rekor2-checkpoint-multiple-cosigs',
  'rekor2-checkpoint-origin-not-first',
  'rekor2-checkpoint-two-sigs-cosigned',
  'rekor2-checkpoint-two-sigs-from-origin',
  'trust-root-tlog-validity-end-inclusive',
];

test('real production and staging entries verify', () => {
  for (const name of HAPPY) {
    const { entry, logs, bundle } = caseOf(name);
    const v01 = bundle.mediaType.endsWith('version=0.1');
    const r = verifyTransparencyLogEntry(entry, logs, { requireInclusionProof: !v01, requireSet: v01 });
    assert.equal(r.logIndex, Number(entry.logIndex), name);
    if (entry.inclusionPromise) assert.equal(r.integratedTime?.getTime(), Number(entry.integratedTime) * 1000, name);
    else assert.equal(r.integratedTime, undefined, name);
    assert.equal(
      r.verifiedBy,
      entry.inclusionPromise && entry.inclusionProof ? 'both' : entry.inclusionPromise ? 'set' : 'proof',
    );
  }
});

const FAILING: [string, RegExp][] = [
  ['inclusion-proof-corrupted-hash_fail', /inclusion proof/],
  ['invalid-inclusion-proof_fail', /inclusion proof/],
  ['checkpoint-wrong-roothash_fail', /checkpoint/],
  ['checkpoint-bad-keyhint_fail', /checkpoint is not signed by the log's key/],
  ['invalid-checkpoint-signature_fail', /checkpoint is not signed by the log's key/],
  ['set-invalid-signature_fail', /signed entry timestamp is not a valid signature/],
  ['bundle-negative-log-index_fail', /log index is not a non-negative integer/],
  ['rekor2-checkpoint-missing-log-signature_fail', /checkpoint/],
  ['rekor2-checkpoint-missing-origin_fail', /checkpoint/],
  ['rekor2-checkpoint-missing-root-hash_fail', /checkpoint/],
  ['rekor2-checkpoint-missing-size_fail', /checkpoint/],
  ['rekor2-checkpoint-no-matching-signature_fail', /checkpoint is not signed/],
  ['rekor2-no-inclusion-proof_fail', /no inclusion proof|neither/],
];

test('broken entries fail for the right reason', () => {
  for (const [name, message] of FAILING) {
    const { entry, logs } = caseOf(name);
    fails(() => verifyTransparencyLogEntry(entry, logs, { requireInclusionProof: true }), message);
  }
});

test('integrated time in the future or outside the key validity is refused', () => {
  const { entry, logs } = caseOf('integrated-time-in-future_fail');
  const t0 = Number(entry.integratedTime) * 1000;
  verifyTransparencyLogEntry(entry, logs, { now: new Date(t0) });
  fails(
    () => verifyTransparencyLogEntry(entry, logs, { now: new Date(t0 - 1000) }),
    /integrated time is in the future/,
  );
  const expired = logs.map((l) => ({ ...l, validFor: { start: l.validFor.start, end: new Date(t0 - 1000) } }));
  fails(() => verifyTransparencyLogEntry(entry, expired, {}), /outside the validity of the log's key/);
});

test('an unknown log and a trusted root without a validity start are refused', () => {
  const { entry } = caseOf('happy-path-v0.3');
  fails(() => verifyTransparencyLogEntry(entry, [], {}), /not a trusted log/);
  const root = readJson<TrustedRoot>(join(corpus, 'trust-root-tlog-missing-validity-start_fail', 'trusted_root.json'));
  assert.throws(() => tlogAuthoritiesFromTrustedRoot(root), /validFor.start/);
});

test('v0.1 needs a SET, v0.2+ an inclusion proof with a checkpoint', () => {
  const { entry, logs } = caseOf('happy-path-v0.3');
  const { inclusionPromise: _p, ...noSet } = entry;
  fails(() => verifyTransparencyLogEntry(noSet, logs, { requireSet: true }), /no signed entry timestamp/);
  assert.equal(
    verifyTransparencyLogEntry(noSet, logs, {}).integratedTime,
    undefined,
    'an unsigned time is not trusted',
  );
  const { inclusionProof: _q, ...noProof } = entry;
  fails(() => verifyTransparencyLogEntry(noProof, logs, { requireInclusionProof: true }), /no inclusion proof/);
  fails(() => verifyTransparencyLogEntry({ ...noProof, inclusionPromise: undefined }, logs, {}), /neither/);
  const noCheckpoint = { ...entry, inclusionProof: { ...entry.inclusionProof!, checkpoint: undefined } };
  fails(() => verifyTransparencyLogEntry(noCheckpoint, logs, { requireInclusionProof: true }), /no checkpoint/);
});

/** A two-entry log signed by a fresh key, so tampering can touch every field. */
function localLog(): { entry: TransparencyLogEntry; log: TlogAuthority } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
  const bodies = ['{"a":1}', '{"kind":"hashedrekord","apiVersion":"0.0.1"}'].map((b) => Buffer.from(b));
  const leaves = bodies.map((b) => sha256(Buffer.from([0]), b));
  const root = sha256(Buffer.from([1]), leaves[0]!, leaves[1]!);
  const body = bodies[1]!.toString('base64');
  const time = 1_700_000_000;
  const set = sign(
    'sha256',
    Buffer.from(canonicalJson({ body, integratedTime: time, logID: logId.toString('hex'), logIndex: 1 })),
    privateKey,
  );
  const checkpoint = signedNote(`signet.test - 42\n2\n${root.toString('base64')}\n`, 'signet.test', logId, privateKey);
  const entry: TransparencyLogEntry = {
    logIndex: '1',
    logId: { keyId: logId.toString('base64') },
    kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
    integratedTime: String(time),
    inclusionPromise: { signedEntryTimestamp: set.toString('base64') },
    inclusionProof: {
      logIndex: '1',
      treeSize: '2',
      rootHash: root.toString('base64'),
      hashes: [leaves[0]!.toString('base64')],
      checkpoint: { envelope: checkpoint },
    },
    canonicalizedBody: body,
  };
  return { entry, log: { logId, publicKey, baseUrl: 'http://signet.test', validFor: { start: new Date(0) } } };
}

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  parts.forEach((p) => h.update(p));
  return h.digest();
}

function signedNote(text: string, name: string, logId: Buffer, key: KeyObject): string {
  const sig = Buffer.concat([logId.subarray(0, 4), sign('sha256', Buffer.from(text), key)]);
  return `${text}\n\u2014 ${name} ${sig.toString('base64')}\n`;
}

test('a locally signed entry verifies by SET and proof', () => {
  const { entry, log } = localLog();
  assert.deepEqual(verifyTransparencyLogEntry(entry, [log], { requireInclusionProof: true, requireSet: true }), {
    logIndex: 1,
    verifiedBy: 'both',
    integratedTime: new Date(1_700_000_000_000),
    body: Buffer.from(entry.canonicalizedBody, 'base64'),
  });
});

test('tampering with any verified field fails verification', () => {
  const { entry, log } = localLog();
  const flip = (b64: string, bit: number) => {
    const b = Buffer.from(b64, 'base64');
    b[Math.floor(bit / 8) % b.length]! ^= 1 << (bit % 8);
    return b.toString('base64');
  };
  const tamper: ((e: TransparencyLogEntry, bit: number) => TransparencyLogEntry)[] = [
    (e, bit) => ({ ...e, canonicalizedBody: flip(e.canonicalizedBody, bit) }),
    (e, bit) => ({
      ...e,
      inclusionPromise: { signedEntryTimestamp: flip(e.inclusionPromise!.signedEntryTimestamp, bit) },
    }),
    (e, bit) => ({ ...e, inclusionProof: { ...e.inclusionProof!, hashes: [flip(e.inclusionProof!.hashes[0]!, bit)] } }),
    (e, bit) => ({ ...e, inclusionProof: { ...e.inclusionProof!, rootHash: flip(e.inclusionProof!.rootHash, bit) } }),
    (e, bit) => ({ ...e, integratedTime: String(Number(e.integratedTime) + 1 + (bit % 1000)) }),
    (e, bit) => ({ ...e, logIndex: String(bit % 2 === 0 ? 0 : 2 + bit) }),
    (e, bit) => ({ ...e, logId: { keyId: flip(e.logId.keyId, bit) } }),
    (e, bit) => {
      const env = e.inclusionProof!.checkpoint!.envelope;
      const i = bit % env.indexOf('\n\n'); // the signed text: any change must break the signature
      const c = env[i] === 'A' ? 'B' : 'A';
      return {
        ...e,
        inclusionProof: { ...e.inclusionProof!, checkpoint: { envelope: env.slice(0, i) + c + env.slice(i + 1) } },
      };
    },
  ];
  fc.assert(
    fc.property(fc.integer({ min: 0, max: tamper.length - 1 }), fc.nat(10_000), (which, bit) => {
      const bad = tamper[which]!(entry, bit);
      try {
        verifyTransparencyLogEntry(bad, [log], { requireInclusionProof: true, requireSet: true });
        return false;
      } catch (e) {
        return e instanceof SignetError && e.code === 'verification-failed';
      }
    }),
    { numRuns: 300 },
  );
});

test('checkpoints of an Ed25519 log verify whether signed Rekor v1 style (SPKI key hint) or C2SP style', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const rootHash = Buffer.alloc(32, 7);
  const text = formatCheckpoint({ origin: 'log.example - 42', size: 3, rootHash });
  const proof = { logIndex: 0, treeSize: 3, rootHash };
  for (const signer of [rekorNoteSigner('log.example', privateKey), ed25519NoteSigner('log.example', privateKey)]) {
    verifyCheckpoint(signNote(text, [signer]), publicKey, proof);
  }
  const other = generateKeyPairSync('ed25519');
  const forged = signNote(text, [rekorNoteSigner('log.example', other.privateKey)]);
  assert.throws(() => verifyCheckpoint(forged, publicKey, proof), /not signed by the log's key/);
});

test('an entry without an integrated time (Rekor v2) is dated by the signed timestamps, else by now', () => {
  const { entry: withTime, log } = localLog();
  const { integratedTime: _t, inclusionPromise: _p, ...entry } = withTime;
  const end = new Date('2024-01-01T00:00:00Z');
  const ended = { ...log, validFor: { start: new Date(0), end } };
  const opts = { requireInclusionProof: true, now: new Date('2025-01-01T00:00:00Z') };
  verifyTransparencyLogEntry(entry, [ended], { ...opts, signedTimes: [end] });
  fails(
    () => verifyTransparencyLogEntry(entry, [ended], { ...opts, signedTimes: [end, new Date(end.getTime() + 1000)] }),
    /^signed timestamp 2024-01-01T00:00:01.000Z is outside the validity of the log's key \(1970.* to 2024.*\)$/,
  );
  fails(() => verifyTransparencyLogEntry(entry, [ended], opts), /^current time .* outside the validity/);
  verifyTransparencyLogEntry(entry, [log], opts);
});
