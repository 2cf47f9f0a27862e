import { createHash, randomBytes, sign, type KeyObject, type X509Certificate } from 'node:crypto';
import { Attribute, IssuerAndSerialNumber, id_contentType, id_messageDigest, id_signedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { PKIStatus, id_ct_tstInfo } from '@peculiar/asn1-tsp';
import { Certificate, GeneralName, GeneralNames, Name } from '@peculiar/asn1-x509';
import {
  EssCertIdV2,
  IssuerSerial,
  ObjectIdentifierValue,
  SigningCertificateV2,
  id_aa_signingCertificateV2,
} from './schemas.js';
import { HASHES, type HashName, type TimestampRequest } from './request.js';
import { context, generalizedTime, integer, oid, OCTET_STRING, SEQUENCE, SET, smallInteger, tlv } from './der.js';

/** The TSA's signing key and chain: leaf (EKU timeStamping, critical) first, root last. */
export interface TsaSigner {
  key: KeyObject;
  chain: X509Certificate[];
}

export interface IssueOptions {
  /** The TSTInfo policy (the caller has checked a requested one is accepted). */
  policy: string;
  now: Date;
}

const ECDSA_WITH: Record<string, string> = {
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

/** The signing hash that matches the key's curve (P-256: SHA-256, P-384: SHA-384, P-521: SHA-512). */
export function signerHash(key: KeyObject): 'sha256' | 'sha384' | 'sha512' {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec') throw new Error('the TSA key must be ECDSA (sigstore-js verifies nothing else)');
  return curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
}

/**
 * Answers a checked request with a granted DER TimeStampResp: TSTInfo (policy, imprint, 160-bit random serial,
 * genTime in whole seconds with 1 s accuracy, the nonce echoed, tsa = leaf subject) in CMS SignedData signed by
 * the leaf, with signed attributes contentType, messageDigest and ESS signingCertificateV2, signer identified by
 * issuer and serial number. The leaf is included when the request set certReq. The DER is spliced from parts
 * encoded once per signer (see der.ts for why); the signature is made on libuv's thread pool.
 */
export async function issueTimestamp(req: TimestampRequest, signer: TsaSigner, options: IssueOptions): Promise<Buffer> {
  const p = prepare(signer);
  const tstInfoDer = tstInfo(req, p, options.policy, options.now);
  const messageDigest = tlv(SEQUENCE, OID_MESSAGE_DIGEST, tlv(SET, tlv(OCTET_STRING, digest(p.hash, tstInfoDer))));
  // DER orders a SET OF by the encodings of its members.
  const attrs = Buffer.concat([...p.fixedAttrs, messageDigest].sort(Buffer.compare));
  const signed = tlv(SET, attrs);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign(p.hash, signed, signer.key, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
  const signerInfo = tlv(
    SEQUENCE,
    smallInteger(1),
    p.sid,
    p.digestAlg,
    tlv(context(0), attrs),
    p.signatureAlg,
    tlv(OCTET_STRING, signature),
  );
  const signedData = tlv(
    SEQUENCE,
    smallInteger(3),
    tlv(SET, p.digestAlg),
    tlv(SEQUENCE, OID_TST_INFO, tlv(context(0), tlv(OCTET_STRING, tstInfoDer))),
    ...(req.certReq ? [p.certificates] : []),
    tlv(SET, signerInfo),
  );
  const token = tlv(SEQUENCE, OID_SIGNED_DATA, tlv(context(0), signedData));
  return tlv(SEQUENCE, GRANTED, token);
}

const OID_MESSAGE_DIGEST = oid(id_messageDigest);
const OID_TST_INFO = oid(id_ct_tstInfo);
const OID_SIGNED_DATA = oid(id_signedData);
/** PKIStatusInfo { status granted (0) }. */
const GRANTED = tlv(SEQUENCE, smallInteger(PKIStatus.granted));
/** Accuracy { seconds 1 }. */
const ONE_SECOND = tlv(SEQUENCE, smallInteger(1));
const IMPRINT_ALGS = Object.fromEntries(
  (Object.keys(HASHES) as HashName[]).map((h) => [h, algorithmId(HASHES[h].oid)]),
) as Record<HashName, Buffer>;
const policyOids = new Map<string, Buffer>();

/** What every token of a signer repeats, as DER (encoded once with asn1-schema, whose encoding is the slow part). */
interface Prepared {
  hash: 'sha256' | 'sha384' | 'sha512';
  /** IssuerAndSerialNumber of the leaf. */
  sid: Buffer;
  digestAlg: Buffer;
  signatureAlg: Buffer;
  /** TSTInfo's `tsa [0] GeneralName`: the leaf's subject as a directoryName. */
  tsaField: Buffer;
  /** SignedData's `certificates [0] IMPLICIT CertificateSet` holding the leaf. */
  certificates: Buffer;
  /** The contentType and signingCertificateV2 attributes. */
  fixedAttrs: Buffer[];
}

const preparedSigners = new WeakMap<TsaSigner, Prepared>();

function prepare(signer: TsaSigner): Prepared {
  const known = preparedSigners.get(signer);
  if (known) return known;
  const leaf = AsnConvert.parse(signer.chain[0]!.raw, Certificate);
  const der = (v: unknown) => Buffer.from(AsnConvert.serialize(v));
  const hash = signerHash(signer.key);
  const tsaName = new GeneralName({ directoryName: leaf.tbsCertificate.subject as Name });
  const prepared: Prepared = {
    hash,
    sid: der(
      new IssuerAndSerialNumber({
        issuer: leaf.tbsCertificate.issuer,
        serialNumber: leaf.tbsCertificate.serialNumber,
      }),
    ),
    digestAlg: algorithmId(HASHES[hash].oid),
    signatureAlg: algorithmId(ECDSA_WITH[hash]!),
    tsaField: tlv(context(0), der(tsaName)),
    certificates: tlv(context(0), signer.chain[0]!.raw),
    fixedAttrs: [
      der(attribute(id_contentType, AsnConvert.serialize(new ObjectIdentifierValue(id_ct_tstInfo)))),
      der(attribute(id_aa_signingCertificateV2, AsnConvert.serialize(essSigningCertificate(signer.chain[0]!, leaf)))),
    ],
  };
  preparedSigners.set(signer, prepared);
  return prepared;
}

function tstInfo(req: TimestampRequest, p: Prepared, policy: string, now: Date): Buffer {
  let policyOid = policyOids.get(policy);
  if (!policyOid) policyOids.set(policy, (policyOid = oid(policy)));
  return tlv(
    SEQUENCE,
    smallInteger(1),
    policyOid,
    tlv(SEQUENCE, IMPRINT_ALGS[req.hashAlgorithm], tlv(OCTET_STRING, req.digest)),
    integer(positiveSerial()),
    // Whole seconds, so GeneralizedTime has no fraction; accuracy covers the truncation.
    generalizedTime(now),
    ONE_SECOND,
    ...(req.nonce ? [integer(new Uint8Array(req.nonce))] : []),
    p.tsaField,
  );
}

/** AlgorithmIdentifier with absent parameters, as RFC 5754 asks for SHA-2 and RFC 5758 for ECDSA. */
function algorithmId(dotted: string): Buffer {
  return tlv(SEQUENCE, oid(dotted));
}

/** ESSCertIDv2 over the leaf: SHA-256 (the DEFAULT, so the algorithm is left out) and the issuer and serial. */
function essSigningCertificate(cert: X509Certificate, leaf: Certificate): SigningCertificateV2 {
  return new SigningCertificateV2({
    certs: [
      new EssCertIdV2({
        certHash: new OctetString(digest('sha256', cert.raw)),
        issuerSerial: new IssuerSerial({
          issuer: new GeneralNames([new GeneralName({ directoryName: leaf.tbsCertificate.issuer })]),
          serialNumber: leaf.tbsCertificate.serialNumber,
        }),
      }),
    ],
  });
}

function attribute(type: string, value: ArrayBuffer): Attribute {
  return new Attribute({ attrType: type, attrValues: [value] });
}

function digest(hash: string, data: Buffer): Buffer {
  return createHash(hash).update(data).digest();
}

/** A positive 160-bit serial (timestamp-authority uses 20 random bytes), minimal as DER wants. */
function positiveSerial(): Buffer {
  const b = randomBytes(20);
  b[0] = b[0]! & 0x7f || 0x01;
  return b;
}
