import { createPublicKey, type KeyObject } from 'node:crypto';
import { Option, type Command } from 'commander';
import { invalidInput } from '../errors.js';
import type { IdentityPolicy, TrustMaterial } from '../verify/index.js';
import { authoritiesFromFlags, checkCaFlags } from './ca-roots.js';
import { CliExit } from './exit.js';
import { readText } from './files.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const trustCode = () => import('../trust/index.js');
const verifyCode = () => import('../verify/index.js');

/** The verification flags shared by verify-blob, verify-blob-attestation, verify and verify-attestation. */
export interface VerifyFlags {
  key?: string;
  bundle?: string;
  signature?: string;
  certificate?: string;
  certificateChain?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  certificateGithubWorkflowTrigger?: string;
  certificateGithubWorkflowSha?: string;
  certificateGithubWorkflowName?: string;
  certificateGithubWorkflowRepository?: string;
  certificateGithubWorkflowRef?: string;
  trustedRoot?: string;
  caRoots?: string;
  caIntermediates?: string;
  rekorUrl?: string;
  offline?: boolean;
  insecureIgnoreTlog?: boolean;
  insecureIgnoreSct?: boolean;
  /** Unset unless given: cosign's --new-bundle-format (see addVerifyOptions). */
  newBundleFormat?: boolean;
  privateInfrastructure?: boolean;
  experimentalOci11?: boolean;
  maxWorkers?: string;
  // cosign's short aliases
  cert?: string;
  certChain?: string;
  certIdentity?: string;
  certOidcIssuer?: string;
}

/** Key, identity policy and trust root options (cosign's names; `--cert*` aliases hidden). */
export function addVerifyOptions(cmd: Command): Command {
  cmd
    .option('--key <file>', 'PEM public key the signature must verify with (cosign.pub)')
    .option('--certificate-identity <id>', 'expected identity (a SAN of the signing certificate), exact')
    .option('--certificate-identity-regexp <re>', 'expected identity as a Go regular expression (unanchored)')
    .option('--certificate-oidc-issuer <url>', 'expected OIDC issuer of the signing certificate, exact')
    .option('--certificate-oidc-issuer-regexp <re>', 'expected OIDC issuer as a Go regular expression (unanchored)')
    .option('--certificate-github-workflow-trigger <s>', 'expected GitHub workflow trigger claim')
    .option('--certificate-github-workflow-sha <s>', 'expected GitHub workflow commit SHA claim')
    .option('--certificate-github-workflow-name <s>', 'expected GitHub workflow name claim')
    .option('--certificate-github-workflow-repository <s>', 'expected GitHub workflow repository claim (owner/repo)')
    .option('--certificate-github-workflow-ref <s>', 'expected GitHub workflow ref claim')
    .option('--trusted-root <file|url>', 'trusted root JSON (default: Sigstore public-good through TUF, or embedded)')
    .option(
      '--ca-roots <file|url>',
      'PEM CA certificates to verify the signing certificate with, instead of the CAs of the trusted root',
    )
    .option('--ca-intermediates <file|url>', 'PEM intermediate CA certificates between --ca-roots and the signer')
    .option('--offline', 'never use the network (the embedded public-good root unless --trusted-root is a file)')
    .option('--insecure-ignore-tlog', 'do not require a transparency log entry')
    .option('--insecure-ignore-sct', 'do not require an SCT in the signing certificate')
    // No default: unset, images are checked in both layouts; given, it does what cosign v3 does (see --help).
    .option(
      '--new-bundle-format',
      'expect Sigstore bundles (images: the bundle referrers when there are any); =false: only cosign v2 formats',
    );
  // cosign's deprecated spellings, accepted so scripts keep working: --private-infrastructure is
  // --insecure-ignore-tlog; signet always reads OCI referrers (--experimental-oci11) and verifies in one worker.
  cmd.addOption(new Option('--private-infrastructure').hideHelp());
  cmd.addOption(new Option('--experimental-oci11').hideHelp());
  cmd.addOption(new Option('--max-workers <n>').hideHelp());
  cmd.addOption(new Option('--cert-identity <id>').hideHelp());
  cmd.addOption(new Option('--cert-oidc-issuer <url>').hideHelp());
  return cmd;
}

export function normaliseAliases(f: VerifyFlags): void {
  if (f.privateInfrastructure) {
    process.stderr.write(
      'Flag --private-infrastructure has been deprecated, please use --insecure-ignore-tlog instead\n',
    );
    f.insecureIgnoreTlog = true;
  }
  if (f.experimentalOci11) {
    process.stderr.write(
      'Flag --experimental-oci11 has been deprecated, OCI referrers will be the default behavior in future versions\n',
    );
  }
  if (f.maxWorkers !== undefined && !/^\d+$/.test(f.maxWorkers)) {
    throw invalidInput(`--max-workers takes a number, got ${JSON.stringify(f.maxWorkers)}`);
  }
  f.certificate ??= f.cert;
  f.certificateChain ??= f.certChain;
  f.certificateIdentity ??= f.certIdentity;
  f.certificateOidcIssuer ??= f.certOidcIssuer;
}

/** cosign's rules, checked before any work: keyless needs an identity and an issuer; one identity flag at most. */
export function checkPolicyFlags(f: VerifyFlags): void {
  checkCaFlags(f);
  if (f.certificateIdentity && f.certificateIdentityRegexp) {
    throw new CliExit(1, 'give only one of --certificate-identity and --certificate-identity-regexp');
  }
  if (f.certificateOidcIssuer && f.certificateOidcIssuerRegexp) {
    throw new CliExit(1, 'give only one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp');
  }
  if (f.key) return;
  if (!f.certificateIdentity && !f.certificateIdentityRegexp) {
    throw new CliExit(
      1,
      '--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode',
      'or pass --key for a key-signed bundle',
    );
  }
  if (!f.certificateOidcIssuer && !f.certificateOidcIssuerRegexp) {
    throw new CliExit(
      1,
      '--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required for verification in keyless mode',
    );
  }
}

export function policyFrom(f: VerifyFlags): IdentityPolicy {
  const policy: IdentityPolicy = {};
  if (f.certificateIdentity) policy.identity = { exact: f.certificateIdentity };
  else if (f.certificateIdentityRegexp) policy.identity = { regexp: f.certificateIdentityRegexp };
  if (f.certificateOidcIssuer) policy.issuer = { exact: f.certificateOidcIssuer };
  else if (f.certificateOidcIssuerRegexp) policy.issuer = { regexp: f.certificateOidcIssuerRegexp };
  const claims = [
    ['githubWorkflowTrigger', f.certificateGithubWorkflowTrigger],
    ['githubWorkflowSha', f.certificateGithubWorkflowSha],
    ['githubWorkflowName', f.certificateGithubWorkflowName],
    ['githubWorkflowRepository', f.certificateGithubWorkflowRepository],
    ['githubWorkflowRef', f.certificateGithubWorkflowRef],
  ] as const;
  for (const [k, v] of claims) if (v !== undefined) policy[k] = v;
  return policy;
}

/**
 * The trust material the flags name: --trusted-root, else public-good (TUF, or embedded with --offline). The CAs
 * of --ca-roots/--ca-intermediates or --certificate-chain replace the root's CAs; its logs and TSAs still apply.
 */
export async function trustFrom(f: VerifyFlags): Promise<TrustMaterial> {
  const authorities = await authoritiesFromFlags(f);
  const source = { ...(f.trustedRoot ? { trustedRoot: f.trustedRoot } : {}), offline: !!f.offline };
  const { root } = await (await trustCode()).loadTrustedRoot(source);
  const material = (await verifyCode()).trustMaterial(root);
  return authorities ? { ...material, certificateAuthorities: authorities } : material;
}

export async function readPublicKey(path: string): Promise<KeyObject> {
  const text = await readText(path, 'key');
  try {
    return createPublicKey(
      text.includes('-----BEGIN') ? text : { key: Buffer.from(text.trim(), 'base64'), format: 'der', type: 'spki' },
    );
  } catch (e) {
    throw invalidInput(`the key ${path} is not a PEM public key`, e);
  }
}

/** cosign's --rekor-url on all four verify commands: where detached signatures are looked up by hash. */
export function rekorUrlOption(): Option {
  return new Option(
    '--rekor-url <url>',
    'transparency log for online look-ups of signatures without a stapled entry (default $SIGNET_REKOR_URL or public-good)',
  );
}
