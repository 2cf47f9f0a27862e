import { createHash } from 'node:crypto';
import { encodePem } from '../encoding/index.js';
import { indexKeySet, parseX509PublicKey, x509Subjects } from '../log/index.js';

const DIGEST_PREFIX: Record<string, string> = { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' };

interface VerifierJson {
  publicKey?: { rawBytes: string };
  x509Certificate?: { rawBytes: string };
}

/** The `spec` of a Rekor v2 entry body (protojson), as far as its search keys need it. */
export interface V2EntrySpec {
  hashedRekordV002?: { data: { algorithm: string; digest: string }; signature: { verifier: VerifierJson } };
  dsseV002?: { payloadHash: { algorithm: string; digest: string }; signatures: Array<{ verifier: VerifierJson }> };
}

/**
 * Search keys of a Rekor v2 entry, from its canonical body, in the v1 index's forms so one query meets both logs:
 * `<alg>:<hex>` of the artifact digest (dsse: the payload hash), lower-case hex SHA-256 of each verifier's
 * canonical PEM key or certificate, and the certificate's SAN e-mails and URIs. Rekor v2 itself has no search;
 * these feed only the explorer (`/explorer/api/v2/...`).
 */
export function v2IndexKeys(body: Buffer): string[] {
  return v2SpecIndexKeys((JSON.parse(body.toString('utf8')) as { spec: V2EntrySpec }).spec);
}

/**
 * `v2IndexKeys` from the spec admission just built, before it is serialized: computed on the admission threads,
 * as the v1 types compute theirs, so the event loop neither re-parses the body nor the verifier's key.
 */
export function v2SpecIndexKeys(spec: V2EntrySpec): string[] {
  const keys: string[] = [];
  const digestKey = (d: { algorithm: string; digest: string }) => {
    const alg = DIGEST_PREFIX[d.algorithm];
    if (alg) keys.push(`${alg}:${Buffer.from(d.digest, 'base64').toString('hex')}`);
  };
  const verifierKeys = (v: VerifierJson) => {
    const cert = v.x509Certificate?.rawBytes;
    const raw = cert ?? v.publicKey?.rawBytes;
    if (raw === undefined) return;
    const label = cert !== undefined ? 'CERTIFICATE' : 'PUBLIC KEY';
    const pem = encodePem(label, Buffer.from(raw, 'base64'));
    // Admission already verified this key with Node's parser; should the v1 parser disagree, the entry is logged
    // without these keys (found by digest and index) rather than refused.
    try {
      const key = parseX509PublicKey(Buffer.from(pem), 'verifier');
      keys.push(createHash('sha256').update(key.canonical).digest('hex'), ...x509Subjects(key));
    } catch {
      return;
    }
  };
  const { hashedRekordV002: hr, dsseV002: dsse } = spec;
  if (hr) {
    digestKey(hr.data);
    verifierKeys(hr.signature.verifier);
  }
  if (dsse) {
    digestKey(dsse.payloadHash);
    for (const s of dsse.signatures) verifierKeys(s.verifier);
  }
  return indexKeySet(keys);
}
