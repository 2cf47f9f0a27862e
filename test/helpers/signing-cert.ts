import { generateKeyPairSync, sign } from 'node:crypto';
import { requestDevIdToken } from '../../src/oidc/provider/index.js';

/**
 * A POST /api/v2/signingCert body for a running stack (`signet up`): a dev-provider ID token for `email`, a fresh
 * P-256 key and its proof of possession (the email signed), as JSON.
 */
export async function devSigningCertBody(stackUrl: string, email: string): Promise<string> {
  const token = await requestDevIdToken(`${stackUrl}/oidc`, email);
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return JSON.stringify({
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: key.publicKey.export({ format: 'pem', type: 'spki' }) },
      proofOfPossession: sign('sha256', Buffer.from(email), key.privateKey).toString('base64'),
    },
  });
}
