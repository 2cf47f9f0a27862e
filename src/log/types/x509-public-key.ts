import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { invalidInput } from '../../errors.js';
import { decodePem, encodePem, subjectAltNames } from '../../encoding/index.js';

/**
 * A public key in Rekor's "x509" PKI format (`rekor:pkg/pki/x509`): a PEM `PUBLIC KEY` (SPKI), a PEM `CERTIFICATE`,
 * or a chain of up to 10 concatenated PEM certificates, leaf first. The canonical value stored in entries is the
 * Go `pem.Encode` re-encoding of the parsed object.
 */
export interface X509PublicKey {
  /** The key that verifies signatures: the SPKI key or the leaf certificate's key. */
  key: KeyObject;
  /** Parsed certificates, leaf first; empty for a bare key. */
  certs: X509Certificate[];
  /** Rekor's `CanonicalValue()`: re-encoded PEM bytes. */
  canonical: Buffer;
}

const MAX_CHAIN = 10;

export function parseX509PublicKey(raw: Buffer, path: string): X509PublicKey {
  const text = raw.toString('latin1').trim();
  const first = decodePem(text);
  if (!first) throw invalidInput(`${path}: invalid public key: failure decoding PEM`);
  if (first.rest.length > 0) return parseChain(text, path);
  if (first.block.label === 'PUBLIC KEY') return parseSpki(first.block.der, path);
  if (first.block.label === 'CERTIFICATE')
    return cached(first.block.der, () => fromCerts([parseCert(first.block.der, path)]));
  throw invalidInput(`${path}: invalid public key: cannot handle PEM type ${JSON.stringify(first.block.label)}`);
}

function parseSpki(der: Buffer, path: string): X509PublicKey {
  return cached(der, () => parseTemplateSpki(der) ?? parseAnySpki(der, path));
}

/**
 * Parsed keys and certificates by DER, oldest evicted first: importing a key costs node:crypto ~100 µs and a
 * certificate ~250 µs, several times the digest verify itself, and signers reuse keys (and a keyless certificate
 * for its ten minutes). KeyObjects and X509Certificates are immutable, so sharing them is safe.
 */
const parsedCache = new Map<string, X509PublicKey>();
const CACHE_SIZE = 4096;

function cached(der: Buffer, parse: () => X509PublicKey): X509PublicKey {
  const cacheKey = der.toString('latin1');
  const hit = parsedCache.get(cacheKey);
  if (hit) return hit;
  const parsed = parse();
  if (parsedCache.size >= CACHE_SIZE) parsedCache.delete(parsedCache.keys().next().value!);
  parsedCache.set(cacheKey, parsed);
  return parsed;
}

/**
 * The fixed DER layouts Go's MarshalPKIXPublicKey writes for EC (uncompressed point) and Ed25519 keys. Input in
 * exactly this layout is already canonical, so it is imported through JWK (which checks the point is on the
 * curve) and not re-exported: both steps are the slow part of admission.
 */
const TEMPLATES = [
  { prefix: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d03010703420004', 'hex'), crv: 'P-256', keyLength: 64 },
  { prefix: Buffer.from('3076301006072a8648ce3d020106052b8104002203620004', 'hex'), crv: 'P-384', keyLength: 96 },
  { prefix: Buffer.from('30819b301006072a8648ce3d020106052b810400230381860004', 'hex'), crv: 'P-521', keyLength: 132 },
  { prefix: Buffer.from('302a300506032b6570032100', 'hex'), crv: 'Ed25519', keyLength: 32 },
];

function parseTemplateSpki(der: Buffer): X509PublicKey | undefined {
  const t = TEMPLATES.find(
    (x) => der.length === x.prefix.length + x.keyLength && der.subarray(0, x.prefix.length).equals(x.prefix),
  );
  if (!t) return undefined;
  const point = der.subarray(t.prefix.length);
  const half = t.keyLength / 2;
  const jwk =
    t.crv === 'Ed25519'
      ? { kty: 'OKP', crv: t.crv, x: point.toString('base64url') }
      : {
          kty: 'EC',
          crv: t.crv,
          x: point.subarray(0, half).toString('base64url'),
          y: point.subarray(half).toString('base64url'),
        };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined; // let the general path produce the error message
  }
  return { key, certs: [], canonical: Buffer.from(encodePem('PUBLIC KEY', der), 'latin1') };
}

function parseAnySpki(der: Buffer, path: string): X509PublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw invalidInput(`${path}: invalid public key: not a parseable SubjectPublicKeyInfo`);
  }
  assertGoKeyType(key, path);
  // EC and Ed25519 keys Go accepts all match a template above (named P-256/384/521 curve, uncompressed point), so a
  // key here is RSA, which Go re-encodes (MarshalPKIXPublicKey) exactly as node's export does.
  if (key.asymmetricKeyType !== 'rsa') {
    throw invalidInput(`${path}: invalid public key: only uncompressed P-256, P-384 or P-521 EC points are accepted`);
  }
  const canonical = Buffer.from(encodePem('PUBLIC KEY', key.export({ format: 'der', type: 'spki' })), 'latin1');
  return { key, certs: [], canonical };
}

function parseCert(der: Buffer, path: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    throw invalidInput(`${path}: invalid certificate: not parseable X.509 DER`);
  }
  assertGoKeyType(cert.publicKey, path);
  return cert;
}

/** Go's x509 parses RSA, ECDSA on P-224/256/384/521 and Ed25519 keys; anything else is an invalid key for Rekor. */
function assertGoKeyType(key: KeyObject, path: string): void {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const ok =
    type === 'rsa' ||
    type === 'ed25519' ||
    (type === 'ec' && ['prime256v1', 'secp384r1', 'secp521r1', 'secp224r1'].includes(curve ?? ''));
  if (!ok) throw invalidInput(`${path}: unsupported public key type ${type}${curve ? ` (${curve})` : ''}`);
}

function parseChain(text: string, path: string): X509PublicKey {
  const certs: X509Certificate[] = [];
  let rest = text;
  while (rest.length > 0) {
    if (certs.length === MAX_CHAIN) throw invalidInput(`${path}: too many certificates specified in PEM block`);
    const next = decodePem(rest);
    if (!next) throw invalidInput(`${path}: error during PEM decoding of the certificate chain`);
    certs.push(parseCert(next.block.der, path));
    rest = next.rest.trim();
  }
  return fromCerts(certs);
}

function fromCerts(certs: X509Certificate[]): X509PublicKey {
  const pem = certs.map((c) => encodePem('CERTIFICATE', c.raw)).join('');
  return { key: certs[0]!.publicKey, certs, canonical: Buffer.from(pem, 'latin1') };
}

/** The SAN subjects Rekor indexes for this key (none for a bare key). */
export function x509Subjects(k: X509PublicKey): string[] {
  if (!k.certs.length) return [];
  try {
    return subjectAltNames(k.certs[0]!.raw);
  } catch {
    return []; // a certificate node:crypto parsed but whose SAN we cannot read has no names to index
  }
}

/**
 * Rekor verifies a multi-certificate chain before trusting the leaf's key (`verifyCertChain`): the last
 * certificate is the root, the chain must hold at the leaf's NotBefore (expired material stays verifiable), and
 * every issuer must be a CA. A single certificate is taken as is.
 */
export function verifyX509Chain(k: X509PublicKey, path: string): void {
  if (k.certs.length < 2) return;
  const at = new Date(k.certs[0]!.validFrom).getTime();
  for (let i = 0; i < k.certs.length; i++) {
    const cert = k.certs[i]!;
    const from = new Date(cert.validFrom).getTime();
    const to = new Date(cert.validTo).getTime();
    if (at < from || at > to)
      throw invalidInput(`${path}: certificate ${i} of the chain is not valid at the leaf's notBefore`);
    if (i === 0) continue;
    if (!cert.ca) throw invalidInput(`${path}: certificate ${i} of the chain is not a CA`);
    const child = k.certs[i - 1]!;
    if (!child.checkIssued(cert) || !child.verify(cert.publicKey)) {
      throw invalidInput(`${path}: certificate ${i - 1} of the chain is not signed by certificate ${i}`);
    }
  }
}
