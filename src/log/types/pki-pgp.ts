import {
  parsePgpPublicKeys,
  parsePgpSignature,
  verifyPgpDetached,
  type PgpDetachedSignature,
  type PgpPublicKeys,
} from '../../crypto/index.js';
import { invalidInput } from '../../errors.js';
import { isEmail } from './email.js';
import type { PkiFormat, PkiKey, PkiSignature } from './pki-format.js';

/**
 * Rekor's "pgp" PKI format (`rekor:pkg/pki/pgp`): the key ring is stored re-serialized and armored by Go's
 * openpgp; an armored signature is stored verbatim and a binary one is armored. Subjects are the user IDs' emails.
 */
interface PgpKey extends PkiKey {
  keys: PgpPublicKeys;
}
interface PgpSig extends PkiSignature {
  sig: PgpDetachedSignature;
}

export const pgpPki: PkiFormat<PgpKey, PgpSig> = {
  async parseKey(raw, path) {
    let keys: PgpPublicKeys;
    try {
      keys = await parsePgpPublicKeys(raw);
    } catch (e) {
      throw invalidInput(`${path}: invalid PGP public key: ${oneLine(e)}`);
    }
    return { keys, canonical: Buffer.from(keys.canonical, 'latin1'), subjects: keys.emails.filter(isEmail) };
  },
  async parseSignature(raw, path) {
    let sig: PgpDetachedSignature;
    try {
      sig = await parsePgpSignature(raw);
    } catch (e) {
      throw invalidInput(`${path}: invalid PGP signature: ${oneLine(e)}`);
    }
    return { sig, canonical: sig.canonical };
  },
  async verify(sig, key, content) {
    if (!(await verifyPgpDetached(sig.sig, key.keys, content))) {
      throw invalidInput(
        'verifying signature: the PGP signature does not verify over spec.data.content with the given key',
      );
    }
  },
};

function oneLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
}
