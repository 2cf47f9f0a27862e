import { invalidInput } from '../errors.js';
import { FieldReader, type Obj } from './json-fields.js';
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  type DsseEnvelope,
  type HashAlgorithm,
  type MessageSignature,
  type TransparencyLogEntry,
  type VerificationMaterial,
} from './types.js';

/** The bundle versions signet reads; v0.3 has two spellings. The media type decides the rules. */
export type BundleVersion = '0.1' | '0.2' | '0.3';

const VERSIONS: Record<string, BundleVersion> = {
  [BUNDLE_V01_MEDIA_TYPE]: '0.1',
  [BUNDLE_V02_MEDIA_TYPE]: '0.2',
  [BUNDLE_V03_LEGACY_MEDIA_TYPE]: '0.3',
  [BUNDLE_V03_MEDIA_TYPE]: '0.3',
};

const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['SHA2_256', 'SHA2_384', 'SHA2_512', 'SHA3_256', 'SHA3_384'];

export function bundleVersion(bundle: Bundle): BundleVersion {
  const v = VERSIONS[bundle.mediaType];
  if (!v) throw invalidInput(`bundle: unsupported media type ${JSON.stringify(bundle.mediaType)}`);
  return v;
}

/** Parses bundle JSON text; malformed JSON is one clear error, not a SyntaxError. */
export function parseBundleJson(text: string): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`bundle: not valid JSON (${(e as Error).message})`, e);
  }
  return parseBundle(json);
}

/**
 * Validates a bundle against the rules of its media type (protobuf-specs sigstore_bundle.proto): v0.1 entries
 * carry a SET; v0.2+ entries carry an inclusion proof with a checkpoint; v0.3 keyless bundles carry a single
 * `certificate`; DSSE envelopes have exactly one signature. Returns a normalised copy (int64 as strings, base64
 * in standard form, unknown fields dropped).
 */
export function parseBundle(json: unknown): Bundle {
  const r = new FieldReader('bundle');
  const o = r.object(json, 'bundle');
  const mediaType = r.string(o.mediaType, 'mediaType');
  const version = VERSIONS[mediaType];
  if (!version) r.fail('mediaType', `${JSON.stringify(mediaType)} is not a supported bundle version`);
  const verificationMaterial = parseMaterial(r, r.object(o.verificationMaterial, 'verificationMaterial'), version);
  const bundle: Bundle = { mediaType, verificationMaterial };
  const content = r.oneOf(o, ['messageSignature', 'dsseEnvelope'] as const, 'bundle');
  if (content === 'messageSignature') bundle.messageSignature = parseMessageSignature(r, o.messageSignature);
  else bundle.dsseEnvelope = parseDsseEnvelope(r, o.dsseEnvelope, 'dsseEnvelope');
  return bundle;
}

function parseMaterial(r: FieldReader, o: Obj, version: BundleVersion): VerificationMaterial {
  const kind = r.oneOf(o, ['certificate', 'x509CertificateChain', 'publicKey'] as const, 'verificationMaterial');
  const m: VerificationMaterial = { tlogEntries: [] };
  if (kind === 'certificate') {
    const c = r.object(o.certificate, 'verificationMaterial.certificate');
    m.certificate = { rawBytes: r.bytes(c.rawBytes, 'verificationMaterial.certificate.rawBytes') };
  } else if (kind === 'x509CertificateChain') {
    if (version === '0.3') r.fail('verificationMaterial', 'must use certificate, not x509CertificateChain (v0.3)');
    const chain = r.object(o.x509CertificateChain, 'verificationMaterial.x509CertificateChain');
    const certs = r.array(chain.certificates, 'verificationMaterial.x509CertificateChain.certificates');
    if (certs.length === 0) r.fail('verificationMaterial.x509CertificateChain', 'has no certificates');
    m.x509CertificateChain = {
      certificates: certs.map((c, i) => {
        const path = `verificationMaterial.x509CertificateChain.certificates[${i}]`;
        return { rawBytes: r.bytes(r.object(c, path).rawBytes, `${path}.rawBytes`) };
      }),
    };
  } else {
    const k = r.object(o.publicKey, 'verificationMaterial.publicKey');
    m.publicKey = {};
    const hint = r.optionalString(k.hint, 'verificationMaterial.publicKey.hint');
    if (hint !== undefined) m.publicKey.hint = hint;
  }
  m.tlogEntries = r
    .array(o.tlogEntries, 'verificationMaterial.tlogEntries')
    .map((e, i) => parseTlogEntry(r, e, `verificationMaterial.tlogEntries[${i}]`, version));
  const tsData = r.optionalObject(o.timestampVerificationData, 'verificationMaterial.timestampVerificationData');
  if (tsData) {
    const path = 'verificationMaterial.timestampVerificationData.rfc3161Timestamps';
    const stamps = r.array(tsData.rfc3161Timestamps, path).map((t, i) => ({
      signedTimestamp: r.bytes(r.object(t, `${path}[${i}]`).signedTimestamp, `${path}[${i}].signedTimestamp`),
    }));
    m.timestampVerificationData = { rfc3161Timestamps: stamps };
  }
  return m;
}

export function parseTlogEntry(r: FieldReader, v: unknown, path: string, version: BundleVersion): TransparencyLogEntry {
  const o = r.object(v, path);
  const logId = r.object(o.logId, `${path}.logId`);
  const kv = r.object(o.kindVersion, `${path}.kindVersion`);
  const entry: TransparencyLogEntry = {
    logIndex: r.int64(o.logIndex ?? '0', `${path}.logIndex`),
    logId: { keyId: r.bytes(logId.keyId, `${path}.logId.keyId`) },
    kindVersion: {
      kind: r.string(kv.kind, `${path}.kindVersion.kind`),
      version: r.string(kv.version, `${path}.kindVersion.version`),
    },
  } as TransparencyLogEntry;
  if (o.integratedTime !== undefined && o.integratedTime !== null) {
    const t = r.int64(o.integratedTime, `${path}.integratedTime`);
    if (t !== '0') entry.integratedTime = t;
  }
  const promise = r.optionalObject(o.inclusionPromise, `${path}.inclusionPromise`);
  if (promise) {
    const p = `${path}.inclusionPromise.signedEntryTimestamp`;
    entry.inclusionPromise = { signedEntryTimestamp: r.bytes(promise.signedEntryTimestamp, p) };
  }
  const proof = r.optionalObject(o.inclusionProof, `${path}.inclusionProof`);
  if (proof) entry.inclusionProof = parseInclusionProof(r, proof, `${path}.inclusionProof`);
  // Field order as protobuf-specs emits it, so serializeBundle writes what other clients write.
  entry.canonicalizedBody = r.bytes(o.canonicalizedBody, `${path}.canonicalizedBody`);
  if (version === '0.1' && !entry.inclusionPromise) r.fail(path, 'has no inclusionPromise (required in v0.1)');
  if (version !== '0.1' && !entry.inclusionProof?.checkpoint) {
    r.fail(path, `has no inclusionProof with a checkpoint (required in v${version})`);
  }
  return entry;
}

function parseInclusionProof(
  r: FieldReader,
  o: Obj,
  path: string,
): NonNullable<TransparencyLogEntry['inclusionProof']> {
  const proof: NonNullable<TransparencyLogEntry['inclusionProof']> = {
    logIndex: r.int64(o.logIndex ?? '0', `${path}.logIndex`),
    rootHash: r.bytes(o.rootHash, `${path}.rootHash`),
    treeSize: r.int64(o.treeSize, `${path}.treeSize`),
    hashes: r.array(o.hashes, `${path}.hashes`).map((h, i) => r.bytes(h, `${path}.hashes[${i}]`)),
  };
  const cp = r.optionalObject(o.checkpoint, `${path}.checkpoint`);
  if (cp) proof.checkpoint = { envelope: r.string(cp.envelope, `${path}.checkpoint.envelope`) };
  return proof;
}

function parseMessageSignature(r: FieldReader, v: unknown): MessageSignature {
  const o = r.object(v, 'messageSignature');
  const sig: MessageSignature = { signature: r.bytes(o.signature, 'messageSignature.signature') };
  const d = r.optionalObject(o.messageDigest, 'messageSignature.messageDigest');
  if (d) {
    const algorithm = r.string(d.algorithm, 'messageSignature.messageDigest.algorithm') as HashAlgorithm;
    if (!HASH_ALGORITHMS.includes(algorithm)) r.fail('messageSignature.messageDigest.algorithm', 'is not supported');
    sig.messageDigest = { algorithm, digest: r.bytes(d.digest, 'messageSignature.messageDigest.digest') };
  }
  return sig;
}

export function parseDsseEnvelope(r: FieldReader, v: unknown, path: string): DsseEnvelope {
  const o = r.object(v, path);
  const sigs = r.array(o.signatures, `${path}.signatures`);
  if (sigs.length !== 1) r.fail(`${path}.signatures`, `must hold exactly one signature (has ${sigs.length})`);
  return {
    payload: r.bytes(o.payload, `${path}.payload`, { allowEmpty: true }),
    payloadType: r.string(o.payloadType, `${path}.payloadType`),
    signatures: sigs.map((s, i) => {
      const so = r.object(s, `${path}.signatures[${i}]`);
      const keyid = r.optionalString(so.keyid, `${path}.signatures[${i}].keyid`);
      return { sig: r.bytes(so.sig, `${path}.signatures[${i}].sig`), ...(keyid ? { keyid } : {}) };
    }),
  };
}

/** Proto3 JSON of a bundle (the field order protobuf-specs' generators emit), pretty or compact. */
export function serializeBundle(bundle: Bundle, { pretty = false } = {}): string {
  return JSON.stringify(bundle, null, pretty ? 2 : undefined);
}

export { FieldReader };
