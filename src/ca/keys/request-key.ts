import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { assertAcceptableKey as assertSigstoreKey, describeKey } from '../../crypto/index.js';
import { SignetError, invalidInput } from '../../errors.js';

/**
 * Parses the key of a signing request: PEM `PUBLIC KEY` first, then raw DER SubjectPublicKeyInfo, as Fulcio's
 * `challenges.ParsePublicKey` does.
 */
export function parseRequestPublicKey(content: string | Buffer): KeyObject {
  const text = Buffer.isBuffer(content) ? content.toString('latin1') : content;
  if (text.trim() === '') throw invalidInput('public key not provided');
  if (text.includes('-----BEGIN')) {
    if (!/-----BEGIN PUBLIC KEY-----/.test(text)) {
      throw invalidInput('the public key supplied in the request could not be parsed: expected a PEM PUBLIC KEY block');
    }
    try {
      return createPublicKey({ key: text, format: 'pem' });
    } catch {
      throw invalidInput('the public key supplied in the request could not be parsed: bad PEM PUBLIC KEY');
    }
  }
  const der = Buffer.isBuffer(content) ? content : Buffer.from(content, 'latin1');
  // Raw DER SPKI as Fulcio takes it; then base64 of DER, which some clients put in v2's string field.
  for (const candidate of [der, /^[A-Za-z0-9+/=\s]+$/.test(text) ? Buffer.from(text, 'base64') : undefined]) {
    if (!candidate) continue;
    try {
      return createPublicKey({ key: candidate, format: 'der', type: 'spki' });
    } catch {
      // try the next form
    }
  }
  throw invalidInput('the public key supplied in the request could not be parsed: neither PEM nor DER SPKI');
}

const CURVE_HASH: Record<string, string> = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' };
const RSA_SIZES = new Set([2048, 3072, 4096]);

/**
 * Fulcio's goodkey policy on top of src/crypto's key policy (ECDSA P-256/384/521, RSA, Ed25519): RSA only 2048,
 * 3072 or 4096 bits with e = 65537. Throws a 400-class error naming what is wrong with the key.
 */
export function assertAcceptableKey(key: KeyObject): void {
  try {
    assertSigstoreKey(key);
  } catch (e) {
    if (e instanceof SignetError) throw insecure(e.message, e);
    throw e;
  }
  const k = describeKey(key);
  if (k.type !== 'rsa') return;
  if (!RSA_SIZES.has(k.bits!))
    throw insecure(`RSA keys of ${k.bits} bits are not allowed (use 2048, 3072 or 4096 bits)`);
  if (key.asymmetricKeyDetails?.publicExponent !== 65537n) throw insecure('RSA public exponent must be 65537');
}

function insecure(why: string, cause?: unknown): SignetError {
  return new SignetError('unsupported', `the public key supplied in the request is insecure: ${why}`, { cause });
}

/** The hash the proof of possession uses for this key (Fulcio >= 1.7: curve-matched), or null for Ed25519. */
export function defaultHash(key: KeyObject): string | null {
  const k = describeKey(key);
  if (k.type === 'ed25519') return null;
  if (k.type === 'rsa') return 'sha256';
  return CURVE_HASH[k.curve!] ?? 'sha256';
}

/**
 * Checks the proof of possession: a signature by `key` over the UTF-8 bytes of `challenge` (the email claim for
 * email issuers, `sub` otherwise). ECDSA signatures are ASN.1 DER; RSA is PKCS#1 v1.5; Ed25519 is pure.
 */
export function verifyProofOfPossession(key: KeyObject, signature: Buffer, challenge: string): void {
  if (signature.length === 0) throw invalidInput('proof of possession is missing: sign the token subject with the key');
  let ok: boolean;
  try {
    ok = verify(defaultHash(key), Buffer.from(challenge, 'utf8'), key, signature);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new SignetError(
      'verification-failed',
      'the signature supplied in the request could not be verified: the proof of possession must sign the ' +
        `${challenge.includes('@') ? 'email' : 'subject'} claim with the submitted key`,
    );
  }
}
