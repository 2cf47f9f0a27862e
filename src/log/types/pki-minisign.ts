import {
  minisignKeyText,
  minisignSignatureText,
  parseMinisignPublicKey,
  parseMinisignSignature,
  verifyMinisign,
  type MinisignPublicKey,
  type MinisignSignature,
} from '../../crypto/index.js';
import { invalidInput } from '../../errors.js';
import type { PkiFormat, PkiKey, PkiSignature } from './pki-format.js';

/** Rekor's "minisign" PKI format (`rekor:pkg/pki/minisign`); minisign keys carry no subjects. */
interface MinisignKey extends PkiKey {
  key: MinisignPublicKey;
}
interface MinisignSig extends PkiSignature {
  sig: MinisignSignature;
}

export const minisignPki: PkiFormat<MinisignKey, MinisignSig> = {
  parseKey(raw, path) {
    let key: MinisignPublicKey;
    try {
      key = parseMinisignPublicKey(raw);
    } catch (e) {
      throw invalidInput(`${path}: ${(e as Error).message}`);
    }
    return { key, canonical: Buffer.from(minisignKeyText(key), 'latin1'), subjects: [] };
  },
  parseSignature(raw, path) {
    let sig: MinisignSignature;
    try {
      sig = parseMinisignSignature(raw);
    } catch (e) {
      throw invalidInput(`${path}: ${(e as Error).message}`);
    }
    return { sig, canonical: Buffer.from(minisignSignatureText(sig), 'latin1') };
  },
  verify(sig, key, content) {
    if (!verifyMinisign(sig.sig, key.key, content)) {
      throw invalidInput('verifying signature: the minisign signature does not verify over spec.data.content');
    }
  },
};
