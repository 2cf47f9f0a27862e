import { createHash, X509Certificate } from 'node:crypto';
import { invalidInput } from '../errors.js';
import {
  extensionOids,
  OID_CT_POISON,
  OID_CT_PRECERT_SIGNING,
  subjectPublicKeyInfo,
  tbsWithoutExtension,
} from '../encoding/index.js';
import type { SignedEntry } from './sct.js';

const MAX_CHAIN = 10;

export interface AcceptedChain {
  entry: SignedEntry;
  /** The chain as stored: the submission, plus the accepted root when the submitter left it off. */
  chain: Buffer[];
}

/**
 * Checks a submitted chain (RFC 6962 §4.1): leaf first, each certificate signed by the next, ending at (or issued
 * by) one of the accepted roots. A precert chain's leaf must carry the poison extension; a plain chain's must not.
 */
export function acceptChain(chainDer: Buffer[], roots: Buffer[], precert: boolean): AcceptedChain {
  if (chainDer.length === 0) throw invalidInput('chain is empty');
  if (chainDer.length > MAX_CHAIN) throw invalidInput(`chain has more than ${MAX_CHAIN} certificates`);
  const certs = chainDer.map((der, i) => parse(der, i));
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i]!.checkIssued(certs[i + 1]!) || !certs[i]!.verify(certs[i + 1]!.publicKey)) {
      throw invalidInput(`certificate ${i} of the chain is not signed by certificate ${i + 1}`);
    }
  }
  const chain = [...chainDer];
  const last = certs[certs.length - 1]!;
  if (!roots.some((r) => r.equals(chainDer[chainDer.length - 1]!))) {
    const root = roots.find((r) => {
      const rc = new X509Certificate(r);
      return last.checkIssued(rc) && last.verify(rc.publicKey);
    });
    if (!root) throw invalidInput('chain does not end at a root this log accepts (see get-roots)');
    chain.push(root);
  }
  const oids = extensionOids(chainDer[0]!);
  const poisoned = oids.some((o) => o.equals(OID_CT_POISON));
  if (precert !== poisoned) {
    throw invalidInput(
      precert
        ? 'precertificate has no CT poison extension'
        : 'certificate has the CT poison extension: use add-pre-chain',
    );
  }
  if (!precert) return { entry: { type: 'x509', certDer: chainDer[0]! }, chain };
  if (chain.length < 2) throw invalidInput('precertificate chain has no issuer');
  if (chain[1]!.includes(Buffer.concat([Buffer.from([0x06, OID_CT_PRECERT_SIGNING.length]), OID_CT_PRECERT_SIGNING]))) {
    throw invalidInput('precertificate signing certificates are not supported: sign the precert with the CA key');
  }
  const issuerKeyHash = createHash('sha256').update(subjectPublicKeyInfo(chain[1]!)).digest();
  return { entry: { type: 'precert', issuerKeyHash, tbsDer: tbsWithoutExtension(chainDer[0]!, OID_CT_POISON) }, chain };
}

function parse(der: Buffer, i: number): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw invalidInput(`certificate ${i} of the chain is not a DER X.509 certificate`);
  }
}
