import { constants, publicDecrypt, timingSafeEqual, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';

export type DigestHash = 'sha256' | 'sha384' | 'sha512';

type Nist = typeof import('@noble/curves/nist.js');
type Curve = Nist['p256'] | Nist['p384'] | Nist['p521'];
let curves: Map<string, Curve> | undefined;

/**
 * @noble/curves' P-256/384/521, set up on first use (about 70 ms of CPU): only this fallback needs them, and with the
 * native addon built it never runs. Loaded with require (an ES module without top-level await, which Node >= 20.19
 * requires synchronously) so that verification stays synchronous.
 */
function curve(name: string | undefined): Curve | undefined {
  if (!curves) {
    const { p256, p384, p521 } = createRequire(import.meta.url)('@noble/curves/nist.js') as Nist;
    curves = new Map<string, Curve>([
      ['prime256v1', p256],
      ['secp384r1', p384],
      ['secp521r1', p521],
    ]);
  }
  return name === undefined ? undefined : curves.get(name);
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1) that PKCS#1 v1.5 puts in front of the digest. */
const DIGEST_INFO: Record<DigestHash, Buffer> = {
  sha256: Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  sha384: Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  sha512: Buffer.from('3051300d060960864801650304020305000440', 'hex'),
};

/**
 * The fallback used when the native addon is absent: ECDSA with @noble/curves over the digest (no prehash), RSA
 * PKCS#1 v1.5 by recovering the encoded DigestInfo with the public key and comparing it in constant time.
 */
export function verifyDigestJs(key: KeyObject, hash: DigestHash, digest: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'rsa') return verifyRsa(key, hash, digest, signature);
  const ec = curve(key.asymmetricKeyDetails?.namedCurve);
  if (!ec) return false;
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  try {
    return ec.verify(signature, digest, point, { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false; // a malformed DER signature
  }
}

function verifyRsa(key: KeyObject, hash: DigestHash, digest: Buffer, signature: Buffer): boolean {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (signature.length !== modulusBytes) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false; // the padding did not check out: not a signature by this key
  }
  const expected = Buffer.concat([DIGEST_INFO[hash], digest]);
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}
