import { X509Certificate, sign, type KeyObject } from 'node:crypto';
import { SignetError, invalidInput } from '../errors.js';
import { postJson, type FetchLike } from './http-json.js';
import { messageHash } from '../crypto/index.js';

export interface IssuedCertificate {
  /** PEM certificates, leaf first, as the CA returned them. */
  chainPem: string[];
  leaf: X509Certificate;
  /** True when the CA answered with an embedded SCT (signedCertificateEmbeddedSct). */
  embeddedSct: boolean;
}

/**
 * The challenge a Fulcio proof of possession signs: the token's `email` claim when it has one (email identities),
 * else its `sub`, exactly as sigstore-js and sigstore-go do.
 */
export function proofOfPossessionChallenge(idToken: string): string {
  let claims: Record<string, unknown>;
  try {
    claims = jwtClaims(idToken);
  } catch {
    throw invalidInput('the identity token is not a JWT');
  }
  const subject = typeof claims.email === 'string' && claims.email ? claims.email : claims.sub;
  if (typeof subject !== 'string' || !subject) throw invalidInput('the identity token has neither email nor sub');
  return subject;
}

/** The claims of a compact JWS, unverified (the CA verifies the token; this only picks the challenge). */
function jwtClaims(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
    throw new Error('claims are not an object');
  return claims as Record<string, unknown>;
}

/**
 * Asks a Fulcio-compatible CA (`POST {fulcioUrl}/api/v2/signingCert`) for a certificate binding `key` to the
 * identity in `idToken`.
 */
export async function requestSigningCertificate(
  fulcioUrl: string,
  idToken: string,
  key: { privateKey: KeyObject; publicKey: KeyObject },
  options: { fetch?: FetchLike; retryDelayMs?: number } = {},
): Promise<IssuedCertificate> {
  const challenge = Buffer.from(proofOfPossessionChallenge(idToken), 'utf8');
  const hash = messageHash(key.privateKey, 'sha256');
  const body = {
    credentials: { oidcIdentityToken: idToken },
    publicKeyRequest: {
      publicKey: {
        algorithm: key.publicKey.asymmetricKeyType === 'rsa' ? 'RSA' : 'ECDSA',
        content: key.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      proofOfPossession: sign(hash, challenge, key.privateKey).toString('base64'),
    },
  };
  const url = fulcioUrl.replace(/\/+$/, '') + '/api/v2/signingCert';
  const { json } = await postJson('fulcio', url, body, {
    headers: { authorization: `Bearer ${idToken}` },
    fetch: options.fetch,
    retryDelayMs: options.retryDelayMs,
  });
  return parseSigningCertResponse(json, key.publicKey);
}

export function parseSigningCertResponse(json: unknown, publicKey: KeyObject): IssuedCertificate {
  const j = (json ?? {}) as Record<string, { chain?: { certificates?: unknown } } | undefined>;
  const embedded = j.signedCertificateEmbeddedSct;
  const chain = (embedded ?? j.signedCertificateDetachedSct)?.chain?.certificates;
  if (!Array.isArray(chain) || chain.length === 0 || !chain.every((c) => typeof c === 'string')) {
    throw new SignetError('internal', 'fulcio: the answer has no certificate chain');
  }
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(chain[0] as string);
  } catch {
    throw new SignetError('internal', 'fulcio: the leaf certificate does not parse');
  }
  const leafKey = leaf.publicKey.export({ type: 'spki', format: 'der' });
  if (!leafKey.equals(publicKey.export({ type: 'spki', format: 'der' }))) {
    throw new SignetError('verification-failed', 'fulcio: the certificate is for a different key than the one sent');
  }
  return { chainPem: chain as string[], leaf, embeddedSct: embedded !== undefined };
}
