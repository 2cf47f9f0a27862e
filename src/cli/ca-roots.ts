import { invalidInput } from '../errors.js';
import type { Authority, Certificate } from '../verify/index.js';
import { CliExit } from './exit.js';
import { readText } from './files.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const encodingCode = () => import('../encoding/index.js');
const verifyCode = () => import('../verify/index.js');

/** cosign's flags that name the certificate authorities on the command line instead of in the trusted root. */
export interface CaFlags {
  caRoots?: string;
  caIntermediates?: string;
  certificateChain?: string;
}

/** Longest path of intermediates tried between a signing certificate and an anchor. */
const MAX_INTERMEDIATES = 6;

/**
 * The certificate authorities `--ca-roots` (+ `--ca-intermediates`) or `--certificate-chain` name, as cosign's
 * loadCertsKeylessVerification pools them: every certificate of --ca-roots is a trust anchor (as in an x509 root
 * pool, self-signed or not), --ca-intermediates only helps build the path; --certificate-chain's last certificate
 * is the anchor and the others are intermediates. Undefined when none of the flags is given (the trusted root's
 * CAs then apply). The result replaces the trusted root's CAs; its logs, CT logs and TSAs still apply.
 */
export async function authoritiesFromFlags(f: CaFlags): Promise<Authority[] | undefined> {
  checkCaFlags(f);
  let anchors: Certificate[];
  let intermediates: Certificate[] = [];
  if (f.caRoots) {
    anchors = await certificates(f.caRoots, '--ca-roots');
    if (f.caIntermediates) intermediates = await certificates(f.caIntermediates, '--ca-intermediates');
  } else if (f.certificateChain) {
    const chain = await certificates(f.certificateChain, '--certificate-chain');
    anchors = chain.slice(-1);
    intermediates = chain.slice(0, -1);
  } else {
    return undefined;
  }
  return chainsTo(anchors, intermediates).map((chain) => ({
    chain,
    // Given on the command line, trusted for as long as the certificates themselves are valid (as in cosign).
    validFor: { start: new Date(0) },
    chainLinks: true,
  }));
}

/** cosign's rules for these flags, checked before any work. */
export function checkCaFlags(f: CaFlags): void {
  if (f.certificateChain && (f.caRoots || f.caIntermediates)) {
    throw new CliExit(1, '--certificate-chain cannot be used with --ca-roots or --ca-intermediates');
  }
  if (f.caIntermediates && !f.caRoots) {
    throw new CliExit(1, '--ca-intermediates needs --ca-roots', 'pass the root certificates with --ca-roots FILE');
  }
}

/**
 * Every path from an anchor down through the intermediates, leaf-most first: [anchor], [i1, anchor], [i2, i1,
 * anchor], ... The verifier looks in each for the certificate that issued the signing certificate.
 */
function chainsTo(anchors: Certificate[], intermediates: Certificate[]): Certificate[][] {
  const out: Certificate[][] = [];
  const grow = (chain: Certificate[]) => {
    out.push(chain);
    if (chain.length > MAX_INTERMEDIATES) return;
    for (const cert of intermediates) {
      if (!chain.some((c) => c.der.equals(cert.der)) && issued(chain[0]!, cert)) grow([cert, ...chain]);
    }
  };
  for (const anchor of anchors) grow([anchor]);
  return out;
}

function issued(issuer: Certificate, cert: Certificate): boolean {
  if (!cert.issuer.equals(issuer.subject)) return false;
  try {
    return cert.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The PEM certificates of a file or an http(s) URL (cosign's loadCertChainFromFileOrURL). */
async function certificates(source: string, flag: string): Promise<Certificate[]> {
  const text = /^https?:\/\//i.test(source) ? await fetchText(source, flag) : await readText(source, flag);
  const blocks = (await encodingCode()).pemBlocks(text, 'CERTIFICATE');
  if (blocks.length === 0) throw invalidInput(`${flag} ${source} holds no PEM certificate`);
  const { parseCertificate } = await verifyCode();
  return blocks.map((b, i) => {
    try {
      return parseCertificate(b.der, `${flag} ${source} certificate ${i + 1}`);
    } catch (e) {
      throw invalidInput(`${flag} ${source}: certificate ${i + 1} does not parse`, e);
    }
  });
}

async function fetchText(url: string, flag: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
  } catch (e) {
    throw invalidInput(`cannot fetch ${flag} ${url}: ${(e as Error).message}`, e);
  }
  if (!res.ok) throw invalidInput(`cannot fetch ${flag} ${url}: HTTP ${res.status}`);
  return res.text();
}
