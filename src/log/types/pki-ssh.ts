import {
  marshalAuthorizedKey,
  marshalSshSignature,
  parseAuthorizedKey,
  parseSshSignature,
  sshSignedData,
  verifySshSignature,
  type SshPublicKey,
  type SshSignature,
} from '../../crypto/index.js';
import { invalidInput } from '../../errors.js';
import { isEmail } from './email.js';
import { decodePem, encodePem } from '../../encoding/index.js';
import type { PkiFormat, PkiKey, PkiSignature } from './pki-format.js';

/**
 * Rekor's "ssh" PKI format (`rekor:pkg/pki/ssh`). The stored signature is re-armored by Go with the namespace
 * "file" and hash algorithm "sha512" whatever the original said, and Rekor then verifies that canonical form, so
 * only `ssh-keygen -Y sign -n file` signatures with SHA-512 (ssh-keygen's default) can be logged; signet rejects
 * the rest up front with a message saying why.
 */
interface SshKey extends PkiKey {
  key: SshPublicKey;
}
interface SshSig extends PkiSignature {
  sig: SshSignature;
}

export const sshPki: PkiFormat<SshKey, SshSig> = {
  parseKey(raw, path) {
    if (raw.length > 65536) throw invalidInput(`${path}: ssh public key larger than 64 KiB`);
    let key: SshPublicKey;
    try {
      key = parseAuthorizedKey(raw.toString('latin1'));
    } catch (e) {
      throw invalidInput(`${path}: invalid ssh public key: ${(e as Error).message}`);
    }
    const canonical = Buffer.from(marshalAuthorizedKey(key), 'latin1');
    return { key, canonical, subjects: isEmail(key.comment) ? [key.comment] : [] };
  },
  parseSignature(raw, path) {
    const pem = decodePem(raw.toString('latin1'));
    if (!pem) throw invalidInput(`${path}: unable to decode the armored ssh signature`);
    if (pem.block.label !== 'SSH SIGNATURE')
      throw invalidInput(`${path}: wrong PEM block type, expected SSH SIGNATURE`);
    let sig: SshSignature;
    try {
      sig = parseSshSignature(pem.block.der);
    } catch (e) {
      throw invalidInput(`${path}: invalid ssh signature: ${(e as Error).message}`);
    }
    if (sig.namespace !== 'file')
      throw invalidInput(`${path}: invalid signature namespace ${JSON.stringify(sig.namespace)}, sign with -n file`);
    if (sig.hashAlgorithm !== 'sha512') {
      throw invalidInput(`${path}: ssh signatures must use sha512 (Rekor's canonical form records sha512)`);
    }
    const canonicalSig: SshSignature = { ...sig, reserved: Buffer.alloc(0) };
    const canonical = Buffer.from(encodePem('SSH SIGNATURE', marshalSshSignature(canonicalSig)), 'latin1');
    return { sig: canonicalSig, canonical };
  },
  verify(sig, key, content) {
    if (!verifySshSignature(key.key, sig.sig, sshSignedData(sig.sig, content))) {
      throw invalidInput(
        'verifying signature: the ssh signature does not verify over spec.data.content with the given key',
      );
    }
  },
};
