import { createHash, X509Certificate, createPublicKey } from 'node:crypto';
import { parseCertificate, signerIdentity, type SignerIdentity } from '../verify/index.js';

/** What an entry body says about who signed what, for matching against a watch list. */
export interface EntryFacts {
  kind: string;
  /** Signers named by certificates in the entry (SANs, OIDC issuer, CI claims). */
  identities: SignerIdentity[];
  /** SHA-256 hex of each certificate's DER and of each public key's SPKI DER (or raw key bytes for ssh/pgp). */
  fingerprints: string[];
  /** Lower-case SHA-256 hex digests the entry commits to (artifact, payload, envelope). */
  sha256Digests: string[];
}

/**
 * Reads a Rekor entry body (any kind, any version) without trusting its shape: keys are the base64 values at the
 * places Rekor's types keep them, digests every `{algorithm, value}` pair under `spec`. An unreadable body gives
 * empty facts, never an error: matching must not stop on one odd entry.
 */
export function entryFacts(body: Buffer): EntryFacts {
  const facts: EntryFacts = { kind: 'unknown', identities: [], fingerprints: [], sha256Digests: [] };
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return facts;
  }
  if (!isObject(json)) return facts;
  if (typeof json.kind === 'string') facts.kind = json.kind;
  const spec = json.spec;
  if (!isObject(spec)) return facts;
  for (const keyMaterial of keyFields(spec)) addKey(facts, keyMaterial);
  walk(spec, 0, (node) => {
    addV2Material(facts, node);
    addDigest(facts.sha256Digests, node);
  });
  facts.fingerprints = [...new Set(facts.fingerprints)];
  facts.sha256Digests = [...new Set(facts.sha256Digests)];
  return facts;
}

/** base64 PEM key or certificate fields in Rekor v1 bodies: hashedrekord, rekord, intoto (0.0.1, 0.0.2), dsse. */
function keyFields(spec: Record<string, unknown>): string[] {
  const out: unknown[] = [];
  const signature = spec.signature;
  if (isObject(signature) && isObject(signature.publicKey)) out.push(signature.publicKey.content);
  out.push(spec.publicKey); // intoto 0.0.1
  const content = spec.content;
  if (isObject(content) && isObject(content.envelope) && Array.isArray(content.envelope.signatures)) {
    for (const s of content.envelope.signatures) if (isObject(s)) out.push(s.publicKey); // intoto 0.0.2
  }
  if (Array.isArray(spec.signatures)) for (const s of spec.signatures) if (isObject(s)) out.push(s.verifier); // dsse
  return out.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Keys repeat across entries (the same signer, the same CI key): decoding one is far dearer than a look-up. */
const keyCache = new Map<string, Pick<EntryFacts, 'identities' | 'fingerprints'>>();
const KEY_CACHE_SIZE = 4096;

function addKey(facts: EntryFacts, b64: string): void {
  let known = keyCache.get(b64);
  if (!known) {
    known = { identities: [], fingerprints: [] };
    decodeKey(known, b64);
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(b64, known);
  }
  facts.identities.push(...known.identities);
  facts.fingerprints.push(...known.fingerprints);
}

function decodeKey(facts: Pick<EntryFacts, 'identities' | 'fingerprints'>, b64: string): void {
  const raw = Buffer.from(b64, 'base64');
  const text = raw.toString('utf8');
  for (const pem of text.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []) {
    addCertificate(facts, pem);
  }
  const keyPem = /-----BEGIN PUBLIC KEY-----[^-]+-----END PUBLIC KEY-----/.exec(text)?.[0];
  if (keyPem) {
    try {
      facts.fingerprints.push(sha256(createPublicKey(keyPem).export({ type: 'spki', format: 'der' })));
    } catch {
      // not a key Node can read: the raw bytes' fingerprint below still identifies it
    }
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----') && !keyPem) facts.fingerprints.push(sha256(raw));
}

function addCertificate(facts: Pick<EntryFacts, 'identities' | 'fingerprints'>, pemOrDer: string | Buffer): void {
  try {
    const x509 = new X509Certificate(pemOrDer);
    facts.fingerprints.push(sha256(x509.raw), sha256(x509.publicKey.export({ type: 'spki', format: 'der' })));
    facts.identities.push(signerIdentity(parseCertificate(x509.raw)));
  } catch {
    // a malformed certificate names no one
  }
}

/** Rekor v2 bodies (hashedrekord/dsse 0.0.2) hold DER: `x509Certificate.rawBytes` or `publicKey.rawBytes`. */
function addV2Material(facts: EntryFacts, node: Record<string, unknown>): void {
  const cert = node.x509Certificate;
  if (isObject(cert) && typeof cert.rawBytes === 'string') {
    addCertificate(facts, Buffer.from(cert.rawBytes, 'base64'));
  }
  const key = node.publicKey;
  if (isObject(key) && typeof key.rawBytes === 'string')
    facts.fingerprints.push(sha256(Buffer.from(key.rawBytes, 'base64')));
}

/** `{algorithm: sha256, value: hex}` (Rekor v1) or `{algorithm: SHA2_256, digest: base64}` (Rekor v2). */
function addDigest(out: string[], node: Record<string, unknown>): void {
  if (typeof node.algorithm !== 'string') return;
  if (/^sha256$/i.test(node.algorithm) && typeof node.value === 'string' && /^[0-9a-fA-F]{64}$/.test(node.value)) {
    out.push(node.value.toLowerCase());
  }
  if (node.algorithm === 'SHA2_256' && typeof node.digest === 'string') {
    const d = Buffer.from(node.digest, 'base64');
    if (d.length === 32) out.push(d.toString('hex'));
  }
}

/** Visits every object in a body, to a bounded depth (bodies are attacker-chosen). */
function walk(v: unknown, depth: number, visit: (node: Record<string, unknown>) => void): void {
  if (depth > 8 || typeof v !== 'object' || v === null) return;
  if (isObject(v)) visit(v);
  for (const child of Object.values(v)) walk(child, depth + 1, visit);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
