/**
 * signet's top-level commands, in help order: each name with the usage printed after it in `signet --help` and its
 * one-line summary. This is the one place the summaries live: the command modules take their description from it
 * (`summary('sign-blob')`), and `signet --help` prints the top-level help from it without loading any command module
 * or commander (test/cli/help.test.ts checks it against commander's own help of the full program).
 */
export const COMMANDS = {
  up: [
    '[options]',
    'run the whole signet stack (log, CA, CT log, dev identity provider, timestamp authority) on one port until a signal',
  ],
  log: ['', 'the transparency log: serve it (Rekor v1 API) or use it (rekor-cli)'],
  ca: ['', 'the Fulcio-compatible certificate authority: create its keys or serve it'],
  tsa: ['', 'the RFC 3161 timestamp authority (Sigstore timestamp-authority API)'],
  oidc: ['', 'identity tokens from the dev identity provider of `signet up`'],
  'generate-key-pair': [
    '[options]',
    'generate an ECDSA P-256 key pair: <prefix>.key (encrypted, 0600) and <prefix>.pub',
  ],
  'import-key-pair': ['[options]', 'import a PEM private key (PKCS#1, SEC1 or PKCS#8) as a cosign encrypted key pair'],
  'public-key': ['[options]', 'print the public key (PEM) of a private key'],
  'sign-blob': [
    '[options] <artifact>',
    'sign a file (cosign sign-blob): key-based with --key, else keyless with an OIDC identity',
  ],
  'attest-blob': [
    '[options] [artifact]',
    'sign an in-toto attestation about a file (cosign attest-blob), logged as a dsse entry',
  ],
  'verify-blob': [
    '[options] <artifact>',
    'verify a blob signature: a Sigstore bundle, or a detached signature and certificate (cosign verify-blob)',
  ],
  'verify-blob-attestation': [
    '[options] [artifact]',
    'verify an in-toto attestation bundle about a blob (cosign verify-blob-attestation)',
  ],
  sign: [
    '[options] <image...>',
    'sign container images in their registry (cosign sign): key-based with --key, else keyless',
  ],
  attest: [
    '[options] <image>',
    'attest a container image: an in-toto statement about its digest, signed (cosign attest)',
  ],
  attach: ['', 'attach artifacts to an image (cosign attach)'],
  verify: ['[options] <image...>', 'verify the signatures of container images (cosign verify)'],
  'verify-attestation': [
    '[options] <image...>',
    'verify the attestations of container images (cosign verify-attestation)',
  ],
  login: ['[options] <server>', 'store registry credentials in the docker config (~/.docker/config.json)'],
  triangulate: ['[options] <image>', 'print where cosign stores an attachment of an image'],
  generate: [
    '[options] <image>',
    'print the simple-signing payload cosign signs for an image, to sign it elsewhere (cosign generate)',
  ],
  tree: ['[options] <image>', 'show what is attached to an image'],
  download: ['', 'print what is attached to an image'],
  upload: ['', 'upload artifacts to a registry'],
  copy: [
    '[options] <source> <destination>',
    'copy an image and everything attached to it (signatures, attestations, SBOMs)',
  ],
  clean: ['[options] <image>', "delete an image's signatures, attestations, SBOMs and referrers"],
  save: [
    '[options] <image>',
    'save an image with its signatures, attestations and SBOM to an OCI image layout on disk (cosign save)',
  ],
  load: ['[options] <image>', 'push an image saved with `signet save` (or cosign save) to a registry (cosign load)'],
  monitor: ['[options]', 'follow a transparency log: prove it append-only and report entries for watched identities'],
  initialize: [
    '[options]',
    'trust a Sigstore instance through its TUF repository (cached in $TUF_ROOT, default ~/.sigstore/root)',
  ],
  tuf: ['', "operate the stack's TUF repository (keys, trust material)"],
  bundle: ['', 'work with Sigstore bundles (cosign bundle)'],
  'trusted-root': ['', 'work with Sigstore trusted roots (cosign trusted-root)'],
  'signing-config': ['', 'work with Sigstore signing configs (cosign signing-config)'],
  env: ['[options]', 'print the environment variables signet reads, with their values (cosign env)'],
  version: ['[options]', 'print the version, git commit, build date and Node version'],
} as const satisfies Record<string, readonly [usage: string, summary: string]>;

export type CommandName = keyof typeof COMMANDS;

/** A top-level command's one-line summary (its description in commander, its line in `signet --help`). */
export function summary(name: CommandName): string {
  return COMMANDS[name][1];
}

/** What `signet --help` says about signet itself. */
export const DESCRIPTION = 'Sigstore rebuilt in TypeScript: transparency log, certificate authority and signing client';
