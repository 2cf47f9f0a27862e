import type { SigningConfig, TransparencyLogInstance, TrustedRoot } from '../bundle/index.js';
import { encodePem } from '../encoding/index.js';
import type { TargetInput } from './repository.js';

/** Target names Sigstore clients fetch (sigstore-js, cosign, sigstore-python). */
export const TRUSTED_ROOT_TARGET = 'trusted_root.json';
export const SIGNING_CONFIG_TARGET = 'signing_config.v0.2.json';

/**
 * The targets of a Sigstore TUF repository: `trusted_root.json` and `signing_config.v0.2.json` (what current
 * clients read), plus the legacy per-key targets with `custom.sigstore` usage and status that older cosign
 * releases collect by usage (`rekor.pub`, `ctfe.pub`, `fulcio.crt.pem`, numbered when there are several).
 */
export function sigstoreTargets(root: TrustedRoot, config: SigningConfig): Record<string, TargetInput> {
  const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + '\n');
  const files: Record<string, TargetInput> = {
    [TRUSTED_ROOT_TARGET]: { bytes: json(root) },
    [SIGNING_CONFIG_TARGET]: { bytes: json(config) },
  };
  const add = (base: string, ext: string, i: number, bytes: Buffer, usage: string, ended: boolean, uri?: string) => {
    const sigstore: Record<string, string> = { usage, status: ended ? 'Expired' : 'Active' };
    if (uri) sigstore.uri = uri;
    files[`${base}${i === 0 ? '' : `_${i}`}.${ext}`] = { bytes, custom: { sigstore } };
  };
  const logPem = (l: TransparencyLogInstance) => pem('PUBLIC KEY', l.publicKey.rawBytes ?? '');
  root.tlogs?.forEach((l, i) => add('rekor', 'pub', i, logPem(l), 'Rekor', !!l.publicKey.validFor?.end, l.baseUrl));
  root.ctlogs?.forEach((l, i) => add('ctfe', 'pub', i, logPem(l), 'CTFE', !!l.publicKey.validFor?.end, l.baseUrl));
  root.certificateAuthorities?.forEach((ca, i) => {
    const chain = Buffer.concat(ca.certChain.certificates.map((c) => pem('CERTIFICATE', c.rawBytes)));
    add('fulcio', 'crt.pem', i, chain, 'Fulcio', !!ca.validFor?.end, ca.uri);
  });
  root.timestampAuthorities?.forEach((tsa, i) => {
    const chain = Buffer.concat(tsa.certChain.certificates.map((c) => pem('CERTIFICATE', c.rawBytes)));
    add('tsa', 'crt.pem', i, chain, 'TSA', !!tsa.validFor?.end, tsa.uri);
  });
  return files;
}

function pem(label: string, base64: string): Buffer {
  return Buffer.from(encodePem(label, Buffer.from(base64, 'base64')));
}
