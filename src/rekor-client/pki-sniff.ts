import type { PkiFormat } from './types.js';

/**
 * Which PKI format a key or signature file looks like, from its armor or first bytes, or undefined when it is
 * not recognisable. Used only to name the right `--pki-format` when the given one does not fit: the log and the
 * verifiers parse the bytes for real.
 */
export function sniffPkiFormat(bytes: Buffer, what: 'key' | 'signature'): PkiFormat | undefined {
  const text = bytes.subarray(0, 256).toString('latin1').trimStart();
  if (/^-----BEGIN PGP (PUBLIC KEY BLOCK|SIGNATURE|MESSAGE)-----/.test(text)) return 'pgp';
  if (/^-----BEGIN SSH SIGNATURE-----/.test(text)) return 'ssh';
  if (/^-----BEGIN (PUBLIC KEY|CERTIFICATE|RSA PUBLIC KEY|EC PUBLIC KEY)-----/.test(text)) return 'x509';
  if (/^untrusted comment:/.test(text)) return 'minisign';
  if (what === 'key') {
    if (/^(ssh-(rsa|ed25519|dss) |ecdsa-sha2-nistp\d+ |sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com )/.test(text))
      return 'ssh';
    if (/^\{/.test(text) && /"signed"/.test(bytes.toString('latin1')) && /"signatures"/.test(bytes.toString('latin1')))
      return 'tuf';
    const line = text.trim();
    if (/^[A-Za-z0-9+/]{56}$/.test(line) && Buffer.from(line, 'base64').subarray(0, 2).toString() === 'Ed')
      return 'minisign';
  }
  const first = bytes[0];
  if (first === undefined) return undefined;
  if (first === 0x30) return 'x509'; // a DER SEQUENCE: SubjectPublicKeyInfo, certificate or ECDSA signature
  if (first & 0x80) {
    // An OpenPGP packet header: tag 6 (public key) or 2 (signature), old or new format.
    const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
    if (tag === (what === 'key' ? 6 : 2)) return 'pgp';
  }
  return undefined;
}
