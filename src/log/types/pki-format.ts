import { invalidInput } from '../../errors.js';
import { parseX509PublicKey, verifyX509Chain, x509Subjects, type X509PublicKey } from './x509-public-key.js';
import { verifyX509Message } from './x509-verify.js';
import { minisignPki } from './pki-minisign.js';
import { pgpPki } from './pki-pgp.js';
import { sshPki } from './pki-ssh.js';

/**
 * Rekor's pluggable PKI formats for rekord (`rekor:pkg/pki`): each parses a key and a detached signature, gives
 * their canonical (stored) bytes and verifies the signature over the whole artifact.
 */
export interface PkiKey {
  canonical: Buffer;
  subjects: string[];
}

export interface PkiSignature {
  canonical: Buffer;
}

export interface PkiFormat<K extends PkiKey = PkiKey, S extends PkiSignature = PkiSignature> {
  parseKey(raw: Buffer, path: string): K | Promise<K>;
  parseSignature(raw: Buffer, path: string): S | Promise<S>;
  /** Throws SignetError 'invalid-input' when the signature does not verify. */
  verify(signature: S, key: K, content: Buffer): void | Promise<void>;
}

export type PkiFormatName = 'x509' | 'ssh' | 'pgp' | 'minisign';

interface X509Key extends PkiKey {
  key: X509PublicKey;
}

const x509Pki: PkiFormat<X509Key> = {
  parseKey(raw, path) {
    const key = parseX509PublicKey(raw, path);
    return { key, canonical: key.canonical, subjects: x509Subjects(key) };
  },
  // Rekor stores x509 signatures as the raw bytes it was given.
  parseSignature: (raw) => ({ canonical: raw }),
  verify(sig, key, content) {
    verifyX509Chain(key.key, 'spec.signature.publicKey.content');
    if (!verifyX509Message(key.key.key, content, sig.canonical)) {
      throw invalidInput('verifying signature: the x509 signature does not verify over spec.data.content');
    }
  },
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each format has its own key and signature types
export const PKI_FORMATS: Record<PkiFormatName, PkiFormat<any, any>> = {
  x509: x509Pki,
  ssh: sshPki,
  pgp: pgpPki,
  minisign: minisignPki,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as PKI_FORMATS
export function pkiFormat(name: string, path: string): PkiFormat<any, any> {
  if (!Object.hasOwn(PKI_FORMATS, name)) {
    throw invalidInput(`${path}: must be one of pgp, minisign, x509, ssh`);
  }
  return PKI_FORMATS[name as PkiFormatName];
}
