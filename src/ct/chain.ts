import { createHash, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { invalidInput } from '../errors.js';
import {
  CERT_SIGNATURE_ALGORITHMS,
  derBytes,
  derChildren,
  derValue,
  extensionOids,
  OID_CT_POISON,
  OID_CT_PRECERT_SIGNING,
  parseDer,
  subjectPublicKeyInfo,
  TAG,
  tbsNamesAlgorithm,
  tbsWithoutExtension,
} from '../encoding/index.js';
import type { SignedEntry } from '../encoding/index.js';

const MAX_CHAIN = 10;
/** Issuer links remembered as verified (see `linkVerified`); a CA submits the same few with every precertificate. */
const MAX_VERIFIED_LINKS = 256;
const verifiedLinks = new Set<string>();
/** Issuer certificates parsed, by the SHA-256 of their DER: the CA's intermediate comes with every precertificate. */
const MAX_PARSED_ISSUERS = 64;
const parsedIssuers = new Map<string, X509Certificate>();

export interface AcceptedChain {
  entry: SignedEntry;
  /** The chain as stored: the submission, plus the accepted root when the submitter left it off. */
  chain: Buffer[];
}

/**
 * Checks a submitted chain (RFC 6962 §4.1): leaf first, each certificate signed by the next, ending at (or issued
 * by) one of the accepted roots. A precert chain's leaf must carry the poison extension; a plain chain's must not.
 */
export async function acceptChain(chainDer: Buffer[], roots: Buffer[], precert: boolean): Promise<AcceptedChain> {
  if (chainDer.length === 0) throw invalidInput('chain is empty');
  if (chainDer.length > MAX_CHAIN) throw invalidInput(`chain has more than ${MAX_CHAIN} certificates`);
  const certs: (X509Certificate | undefined)[] = [];
  const ids = chainDer.map((d) => createHash('sha256').update(d).digest('hex'));
  const cert = (i: number) => (certs[i] ??= i === 0 ? parse(chainDer[0]!, 0) : parseIssuer(chainDer[i]!, ids[i]!, i));
  cert(0);
  for (let i = 0; i + 1 < chainDer.length; i++) {
    const signed = await linkVerified(
      ids[i]! + ids[i + 1]!,
      async () => cert(i).checkIssued(cert(i + 1)) && (await signedBy(chainDer[i]!, cert(i), cert(i + 1).publicKey)),
    );
    if (!signed) {
      throw invalidInput(`certificate ${i} of the chain is not signed by certificate ${i + 1}`);
    }
  }
  const chain = [...chainDer];
  const lastDer = chainDer[chainDer.length - 1]!;
  if (!roots.some((r) => r.equals(lastDer))) {
    const lastId = ids[chainDer.length - 1]!;
    let root: Buffer | undefined;
    for (const r of roots) {
      const issued = await linkVerified(lastId + createHash('sha256').update(r).digest('hex'), async () => {
        const rc = new X509Certificate(r);
        const last = cert(chainDer.length - 1);
        return last.checkIssued(rc) && last.verify(rc.publicKey);
      });
      if (issued) {
        root = r;
        break;
      }
    }
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
  const issuerKeyHash = precertIssuerKeyHash(chain[1]!);
  return { entry: { type: 'precert', issuerKeyHash, tbsDer: tbsWithoutExtension(chainDer[0]!, OID_CT_POISON) }, chain };
}

/**
 * The issuer key hash of a precertificate entry (RFC 6962 3.2): SHA-256 of the issuer's SubjectPublicKeyInfo. An
 * issuer that is a precertificate signing certificate is refused (the precert must be signed by the CA key itself).
 */
export function precertIssuerKeyHash(issuerDer: Buffer): Buffer {
  if (issuerDer.includes(Buffer.concat([Buffer.from([0x06, OID_CT_PRECERT_SIGNING.length]), OID_CT_PRECERT_SIGNING]))) {
    throw invalidInput('precertificate signing certificates are not supported: sign the precert with the CA key');
  }
  return createHash('sha256').update(subjectPublicKeyInfo(issuerDer)).digest();
}

/**
 * Whether a certificate is issued and signed by its issuer, as `check` finds it. `key` is the two certificates'
 * SHA-256 (hex): a link that verified is remembered by their exact bytes, so the CA's intermediate and root, sent
 * again with every precertificate, are verified once; the leaf is new each time and always checked. Failures are
 * not remembered.
 */
async function linkVerified(key: string, check: () => Promise<boolean>): Promise<boolean> {
  if (verifiedLinks.has(key)) return true;
  if (!(await check())) return false;
  if (verifiedLinks.size >= MAX_VERIFIED_LINKS) verifiedLinks.delete(verifiedLinks.values().next().value!);
  verifiedLinks.add(key);
  return true;
}

/**
 * `cert.verify(issuerKey)` (OpenSSL's X509_verify) for the common algorithms, on the thread pool: the same checks
 * in the same order. The outer signatureAlgorithm must equal the TBS's signature field byte for byte, the key type
 * must match the algorithm, the BIT STRING must have no unused bits, and the signature must verify over the TBS
 * exactly as encoded.
 */
async function signedBy(certDer: Buffer, cert: X509Certificate, issuerKey: KeyObject): Promise<boolean> {
  const parts = derChildren(parseDer(certDer, 'certificate'));
  const [tbs, algorithm, signature] = parts;
  if (parts.length !== 3 || tbs?.tag !== TAG.sequence || algorithm?.tag !== TAG.sequence) return false;
  if (signature?.tag !== TAG.bitString) return false;
  if (!tbsNamesAlgorithm(derChildren(tbs), derBytes(algorithm))) return false;
  // The common algorithms are checked on libuv's thread pool (node:crypto's callback form): a P-384 verification
  // costs about a P-384 signature, and off the event loop it runs beside the next request's work.
  const known = CERT_SIGNATURE_ALGORITHMS.get(derBytes(algorithm).toString('hex'));
  if (!known) return cert.verify(issuerKey);
  if (issuerKey.asymmetricKeyType !== known.keyType) return false;
  const bits = derValue(signature);
  if (bits.length < 2 || bits[0] !== 0) return false;
  return new Promise<boolean>((resolve) =>
    verify(known.hash, derBytes(tbs), issuerKey, bits.subarray(1), (err, ok) => resolve(!err && ok)),
  );
}

/** An issuer of the chain, parsed once while it stays among the last few seen (it is only read, never changed). */
function parseIssuer(der: Buffer, id: string, i: number): X509Certificate {
  let c = parsedIssuers.get(id);
  if (!c) {
    c = parse(der, i);
    if (parsedIssuers.size >= MAX_PARSED_ISSUERS) parsedIssuers.delete(parsedIssuers.keys().next().value!);
    parsedIssuers.set(id, c);
  }
  return c;
}

function parse(der: Buffer, i: number): X509Certificate {
  try {
    return new X509Certificate(der);
  } catch {
    throw invalidInput(`certificate ${i} of the chain is not a DER X.509 certificate`);
  }
}
