import { invalidInput } from '../errors.js';
import { readBytes, readMessage, type Json } from './proto-json.js';
import { DIGEST_LENGTH, HASH_NAMES, readVerifier, verifyOverDigest } from './verifier.js';

/**
 * hashedrekord 0.0.2 (`HashedRekordRequestV002`: a digest and one signature over it with its verifier). Admission
 * checks the verifier, the digest length for its algorithm and the signature; the stored spec is
 * `HashedRekordLogEntryV002` with the digest algorithm implied by the key details, as rekor-tiles'
 * `hashedrekord.ToLogEntry` builds it.
 */
export function hashedRekordV002Spec(request: unknown): Json {
  const path = 'hashedRekordRequestV002';
  const msg = readMessage(request, path, { digest: 'digest', signature: 'signature' });
  const sigMsg = readMessage(msg.signature ?? {}, `${path}.signature`, { content: 'content', verifier: 'verifier' });
  const content = readBytes(sigMsg.content, `${path}.signature.content`);
  if (content.length === 0) throw invalidInput(`${path}.signature.content: missing`);
  if (sigMsg.verifier === undefined) throw invalidInput(`${path}.signature.verifier: missing`);
  const digest = readBytes(msg.digest, `${path}.digest`);
  if (digest.length === 0) throw invalidInput(`${path}.digest: missing`);
  const verifier = readVerifier(sigMsg.verifier, `${path}.signature.verifier`);
  if (digest.length !== DIGEST_LENGTH[verifier.hash]) {
    throw invalidInput(
      `${path}.digest: ${digest.length} bytes, but ${verifier.keyDetails} signs a ${DIGEST_LENGTH[verifier.hash]}-byte ${verifier.hash} digest`,
    );
  }
  if (!verifyOverDigest(verifier, digest, content)) {
    throw invalidInput(`${path}.signature: the signature does not verify over the digest with the given key`);
  }
  return {
    hashedRekordV002: {
      data: { algorithm: HASH_NAMES[verifier.hash], digest: digest.toString('base64') },
      signature: { content: content.toString('base64'), verifier: verifier.json },
    },
  };
}
