import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TransparencyLogInstance, TrustedRoot } from '../bundle/index.js';
import { keyDetails } from '../crypto/index.js';
import { invalidInput } from '../errors.js';

/** cosign's trust variables: each replaces one part of the trusted root (CO:pkg/cosign/env/env.go). */
export const COSIGN_TRUST_ENV = ['SIGSTORE_ROOT_FILE', 'SIGSTORE_REKOR_PUBLIC_KEY', 'SIGSTORE_CT_LOG_PUBLIC_KEY_FILE'];

/** Valid from the epoch: a key given by hand carries no validity period, as in cosign. */
const FOREVER = { start: '1970-01-01T00:00:00Z' };

/**
 * The trusted root with cosign's environment applied: `SIGSTORE_ROOT_FILE` (PEM CA certificates) replaces the CAs,
 * `SIGSTORE_REKOR_PUBLIC_KEY` the transparency logs, `SIGSTORE_CT_LOG_PUBLIC_KEY_FILE` the CT logs (each a PEM
 * file). Parts not named keep what the instance's trusted root says.
 */
export function applyCosignEnv(root: TrustedRoot, env: NodeJS.ProcessEnv = process.env): TrustedRoot {
  const out = { ...root };
  const caFile = env.SIGSTORE_ROOT_FILE;
  if (caFile) {
    const certs = (
      read(caFile, 'SIGSTORE_ROOT_FILE').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
    ).map((p) => new X509Certificate(p));
    if (certs.length === 0) throw invalidInput(`SIGSTORE_ROOT_FILE ${caFile} holds no PEM certificate`);
    // Leaf-most first, self-signed roots last, as trusted_root.json orders a chain.
    const selfSigned = (c: X509Certificate) => c.issuer === c.subject && c.verify(c.publicKey);
    const ordered = [...certs.filter((c) => !selfSigned(c)), ...certs.filter(selfSigned)];
    out.certificateAuthorities = [
      { certChain: { certificates: ordered.map((c) => ({ rawBytes: c.raw.toString('base64') })) }, validFor: FOREVER },
    ];
  }
  const rekorKey = env.SIGSTORE_REKOR_PUBLIC_KEY;
  if (rekorKey) out.tlogs = [logFromKey(readKey(rekorKey, 'SIGSTORE_REKOR_PUBLIC_KEY'))];
  const ctKey = env.SIGSTORE_CT_LOG_PUBLIC_KEY_FILE;
  if (ctKey) out.ctlogs = [logFromKey(readKey(ctKey, 'SIGSTORE_CT_LOG_PUBLIC_KEY_FILE'))];
  return out;
}

function logFromKey(key: KeyObject): TransparencyLogInstance {
  const spki = key.export({ type: 'spki', format: 'der' });
  return {
    baseUrl: '',
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: spki.toString('base64'), keyDetails: keyDetails(key), validFor: FOREVER },
    logId: { keyId: createHash('sha256').update(spki).digest('base64') },
  };
}

function readKey(path: string, variable: string): KeyObject {
  try {
    return createPublicKey(read(path, variable));
  } catch (e) {
    if ((e as { code?: string }).code === 'invalid-input') throw e;
    throw invalidInput(`${variable} ${path} is not a PEM public key`);
  }
}

function read(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw invalidInput(`cannot read ${variable} ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}
