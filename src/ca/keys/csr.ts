import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificationRequest } from '@peculiar/asn1-csr';
import { SubjectPublicKeyInfo } from '@peculiar/asn1-x509';
import { SignetError, invalidInput } from '../../errors.js';
import { pemBlocks } from '../../encoding/index.js';
import { assertAcceptableKey, defaultHash } from './request-key.js';

/** CSR signature algorithms Fulcio maps to a hash (`getHashFuncForSignatureAlgorithm`); RSA-PSS is refused. */
const SIG_ALGS: Record<string, string | null> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.3.101.112': null,
};

/**
 * Parses a PEM PKCS#10 request and verifies its self-signature. Only the key is used: the subject and the requested
 * extensions are ignored, as Fulcio ignores them.
 */
export function keyFromCsr(pemText: string): { key: KeyObject; hash: string | null } {
  const block = pemBlocks(pemText).find((b) => /^(NEW )?CERTIFICATE REQUEST$/.test(b.label));
  if (!block)
    throw invalidInput('the certificate signing request could not be parsed: expected a PEM CERTIFICATE REQUEST');
  let csr: CertificationRequest;
  try {
    csr = AsnConvert.parse(block.der, CertificationRequest);
  } catch {
    throw invalidInput('the certificate signing request could not be parsed: bad DER');
  }
  let key: KeyObject;
  try {
    const spki = Buffer.from(AsnConvert.serialize(csr.certificationRequestInfo.subjectPKInfo as SubjectPublicKeyInfo));
    key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    throw invalidInput('the certificate signing request could not be parsed: its public key is unreadable');
  }
  assertAcceptableKey(key);
  const algOid = csr.signatureAlgorithm.algorithm;
  if (!(algOid in SIG_ALGS)) throw invalidInput(`unrecognized signature algorithm: ${algOid}`);
  const hash = SIG_ALGS[algOid]!;
  checkSignature(csr, key, hash);
  if (hash !== defaultHash(key)) {
    // Fulcio's default algorithm registry: the hash must match the key (P-256/SHA-256, P-384/SHA-384, RSA/SHA-256).
    throw invalidInput(`signing algorithm not permitted: ${key.asymmetricKeyType} key with ${hash ?? 'no hash'}`);
  }
  return { key, hash };
}

function checkSignature(csr: CertificationRequest, key: KeyObject, hash: string | null): void {
  const tbs = csr.certificationRequestInfoRaw;
  let ok: boolean;
  try {
    ok = !!tbs && verify(hash, Buffer.from(tbs), key, Buffer.from(csr.signature));
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new SignetError(
      'verification-failed',
      'the signature supplied in the request could not be verified: the CSR self-signature does not verify',
    );
  }
}
