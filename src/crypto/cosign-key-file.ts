import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { decryptCosignKey, isCosignEncryptedKey } from './cosign-key.js';

/** Where a password comes from when a key needs one; called at most once per key. */
export type PasswordSource = () => Promise<string>;

/**
 * A signing key from `--key`: a cosign encrypted key (asks `password`), or a plain PEM private key (PKCS#8, PKCS#1,
 * SEC1), as cosign accepts for sign-blob.
 */
export async function loadPrivateKey(pemText: string, password: PasswordSource, source: string): Promise<KeyObject> {
  if (isCosignEncryptedKey(pemText)) return decryptCosignKey(pemText, await password(), source);
  return importPrivateKey(pemText, source);
}

/**
 * A plaintext private key PEM as `cosign import-key-pair` accepts it: `RSA PRIVATE KEY` (PKCS#1), `EC PRIVATE KEY`
 * (SEC1) or `PRIVATE KEY` (PKCS#8 RSA/ECDSA/Ed25519), checked by cosign's goodkey rules (RSA 2048-4096 bits,
 * ECDSA P-256/P-384/P-521).
 */
export function importPrivateKey(pemText: string, source: string): KeyObject {
  const m = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----/.exec(pemText);
  if (!m)
    throw invalidInput(`${source}: no private key PEM block (want PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)`);
  if (m[1] === 'ENCRYPTED PRIVATE KEY') {
    throw invalidInput(`${source}: PKCS#8 encrypted keys are not supported; decrypt it first (openssl pkcs8)`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pemText);
  } catch (e) {
    throw invalidInput(`${source}: the private key does not parse`, e);
  }
  checkGoodKey(key, source);
  return key;
}

/** cosign's goodkey policy for keys it will import or use. */
export function checkGoodKey(key: KeyObject, source: string): void {
  const t = key.asymmetricKeyType;
  if (t === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048 || bits > 4096) throw invalidInput(`${source}: RSA keys must be 2048 to 4096 bits, got ${bits}`);
    return;
  }
  if (t === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (!['prime256v1', 'secp384r1', 'secp521r1'].includes(curve ?? '')) {
      throw invalidInput(`${source}: unsupported elliptic curve ${curve ?? 'unknown'} (use P-256, P-384 or P-521)`);
    }
    return;
  }
  if (t === 'ed25519') return;
  throw invalidInput(`${source}: unsupported key type ${t ?? 'unknown'}`);
}

/** The PEM `PUBLIC KEY` (PKIX) of a private or public key, what cosign writes to cosign.pub. */
export function publicKeyPem(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ type: 'spki', format: 'pem' }).toString();
}
