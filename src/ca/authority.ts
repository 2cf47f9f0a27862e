import type { KeyObject } from 'node:crypto';
import { encodePem } from '../encoding/index.js';
import { SignetError } from '../errors.js';
import {
  buildLeafTbs,
  encodeLeafTbs,
  signFinalCertificate,
  signPrecertificate,
  type IssuingCa,
} from './certificate/leaf.js';
import { encodeSctList, type CtLog, type Sct } from './certificate/sct-list.js';
import type { CaChain } from './keys/ca-store.js';
import { keyFromCsr } from './keys/csr.js';
import { assertAcceptableKey, parseRequestPublicKey, verifyProofOfPossession } from './keys/request-key.js';
import type { IssuerPool } from './oidc/issuer-pool.js';
import { principalFromClaims } from './oidc/principal.js';

/** A signing request after the HTTP layer decoded it: the token plus a key with its proof, or a PEM CSR. */
export type SigningRequest =
  { token: string; publicKey: string | Buffer; proofOfPossession: Buffer } | { token: string; csrPem: string };

export interface IssuedCertificate {
  /** Leaf first, then the CA chain (intermediate, root), as DER. */
  chainDer: Buffer[];
  /** The SCT embedded in the leaf, when a CT log is configured. */
  sct?: Sct;
}

/**
 * The CA's one operation (Fulcio's CreateSigningCertificate): authenticate the token first, then the key (proof of
 * possession or CSR self-signature), then issue a precertificate, log it, and sign the final certificate with the
 * SCT embedded. No certificate is returned when the CT log fails.
 */
export class CertificateAuthority {
  readonly #issuing: IssuingCa;
  /** The CA chain (intermediate, root) as DER, read once: every response and CT submission carries it. */
  readonly #caChain: Buffer[];

  readonly #ctLog: CtLog | undefined;
  readonly #now: () => Date;
  constructor(
    readonly ca: CaChain,
    readonly issuers: IssuerPool,
    ctLog?: CtLog,
    now: () => Date = () => new Date(),
  ) {
    this.#ctLog = ctLog;
    this.#now = now;
    this.#caChain = ca.chain.map((c) => c.raw);
    this.#issuing = { certDer: this.#caChain[0]!, key: ca.key };
  }

  async issueCertificate(req: SigningRequest): Promise<IssuedCertificate> {
    const { issuer, claims } = await this.issuers.authenticate(req.token);
    const principal = principalFromClaims(issuer, claims, this.issuers.config);
    const key =
      'csrPem' in req
        ? keyFromCsr(req.csrPem).key
        : this.#checkedKey(req.publicKey, req.proofOfPossession, principal.name);
    const tbs = buildLeafTbs(this.#issuing, {
      publicKey: key,
      san: principal.san,
      extensions: principal.extensions,
      now: this.#now(),
    });
    const caChain = this.#caChain;
    if (!this.#ctLog) return { chainDer: [await signFinalCertificate(this.#issuing, tbs), ...caChain] };
    const precert = await signPrecertificate(this.#issuing, tbs);
    let sct: Sct;
    try {
      // A log in this process takes the precertificate as the CA knows it (no re-parse, no re-verification of
      // the CA's own fresh signature); a remote log gets add-pre-chain and checks everything.
      sct = this.#ctLog.addOwnPrecertificate
        ? await this.#ctLog.addOwnPrecertificate({
            precertDer: precert,
            tbsDer: encodeLeafTbs(tbs),
            caChainDer: caChain,
          })
        : await this.#ctLog.addPreChain([precert, ...caChain]);
    } catch (e) {
      if (e instanceof SignetError && e.code === 'pushback') throw e;
      throw new SignetError('pushback', 'error entering certificate in CTL', { cause: e });
    }
    const sctList = encodeSctList([sct]);
    return { chainDer: [await signFinalCertificate(this.#issuing, tbs, sctList), ...caChain], sct };
  }

  /** The CA chain (intermediate, root) as PEM strings. */
  chainPem(): string[] {
    return this.ca.chain.map((c) => c.toString());
  }

  #checkedKey(content: string | Buffer, proof: Buffer, name: string): KeyObject {
    const key = parseRequestPublicKey(content);
    assertAcceptableKey(key);
    verifyProofOfPossession(key, proof, name);
    return key;
  }
}

/**
 * PEM of a DER certificate the CA issued or holds, trimmed as Fulcio trims the strings of a signing response (the
 * DER is the CA's own: encoding it needs no parse).
 */
export function certPem(der: Buffer): string {
  return encodePem('CERTIFICATE', der).trim();
}
