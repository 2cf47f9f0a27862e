import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import type { CertificateAuthority, TransparencyLogInstance, TrustedRoot } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import { rekorV2KeyId } from '../note/index.js';
import { boolFlag } from './bool-flags.js';
import { CliExit } from './exit.js';
import { readText, writeOutput } from './files.js';
import { parseKeyValueSpec } from './key-value-spec.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');
const cryptoCode = () => import('../crypto/index.js');
const encodingCode = () => import('../encoding/index.js');
const trustCode = () => import('../trust/index.js');

interface TrustedRootFlags {
  fulcio: string[];
  rekor: string[];
  ctfe: string[];
  tsa: string[];
  withDefaultServices?: boolean;
  defaultFulcio?: boolean;
  defaultCtfe?: boolean;
  defaultTsa?: boolean;
  defaultRekor?: boolean;
  // cosign's deprecated one-value-per-flag form, matched by position
  certificateChain: string[];
  fulcioUri: string[];
  ctfeKey: string[];
  ctfeStartTime: string[];
  ctfeEndTime: string[];
  ctfeUrl: string[];
  rekorKey: string[];
  rekorStartTime: string[];
  rekorEndTime: string[];
  rekorUrl: string[];
  timestampCertificateChain: string[];
  timestampUri: string[];
  out?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** `signet trusted-root create` (cosign trusted-root create): a trusted_root.json from service keys and chains. */
export function registerTrustedRoot(program: Command): void {
  const cmd = program
    .command('trusted-root')
    .description(summary('trusted-root'))
    .command('create')
    .description(
      'create a trusted root (trusted_root.json) from the CA chains, log keys and TSA chains of a Sigstore deployment',
    )
    .option(
      '--fulcio <spec>',
      'a CA: url=URL,certificate-chain=PEM (intermediates then root)[,start-time=RFC3339][,end-time=RFC3339]; repeatable',
      collect,
      [],
    )
    .option(
      '--rekor <spec>',
      'a transparency log: url=URL,public-key=PEM,start-time=RFC3339[,end-time=...][,origin=NAME (Rekor v2)]; repeatable',
      collect,
      [],
    )
    .option(
      '--ctfe <spec>',
      'a CT log: url=URL,public-key=PEM,start-time=RFC3339[,end-time=...][,origin=NAME]; repeatable',
      collect,
      [],
    )
    .option(
      '--tsa <spec>',
      'a timestamp authority: url=URL,certificate-chain=PEM (leaf first)[,start-time=...][,end-time=...]; repeatable',
      collect,
      [],
    )
    .addOption(
      boolFlag('--with-default-services', 'start from the trusted root in use (initialized instance, or public-good)'),
    )
    .option('--no-default-fulcio', 'with --with-default-services: leave out its CAs')
    .option('--no-default-ctfe', 'with --with-default-services: leave out its CT logs')
    .option('--no-default-tsa', 'with --with-default-services: leave out its TSAs')
    .option('--no-default-rekor', 'with --with-default-services: leave out its transparency logs')
    .option('--out <file>', 'write the trusted root here (else it is printed)');
  // cosign's deprecated flags, still parsed (hidden from help, as cosign hides them)
  const hidden: [string, string][] = [
    ['--certificate-chain <file>', 'CA chain PEM (use --fulcio)'],
    ['--fulcio-uri <url>', 'CA URL (use --fulcio)'],
    ['--ctfe-key <file>', 'CT log key (use --ctfe)'],
    ['--ctfe-start-time <time>', 'CT log key start (use --ctfe)'],
    ['--ctfe-end-time <time>', 'CT log key end (use --ctfe)'],
    ['--ctfe-url <url>', 'CT log URL (use --ctfe)'],
    ['--rekor-key <file[,origin]>', 'log key (use --rekor)'],
    ['--rekor-start-time <time>', 'log key start (use --rekor)'],
    ['--rekor-end-time <time>', 'log key end (use --rekor)'],
    ['--rekor-url <url>', 'log URL (use --rekor)'],
    ['--timestamp-certificate-chain <file>', 'TSA chain PEM (use --tsa)'],
    ['--timestamp-uri <url>', 'TSA URL (use --tsa)'],
  ];
  for (const [flags, description] of hidden) {
    cmd.option(flags, description, collect, []);
    cmd.options.at(-1)!.hideHelp();
  }
  cmd
    .addHelpText(
      'after',
      `
Example (a signet up stack's keys and chains):
  signet trusted-root create \\
      --fulcio "url=http://127.0.0.1:3000,certificate-chain=ca-chain.pem" \\
      --rekor "url=http://127.0.0.1:3000,public-key=rekor.pub,start-time=2026-01-01T00:00:00Z" \\
      --ctfe "url=http://127.0.0.1:3000,public-key=ctfe.pub,start-time=2026-01-01T00:00:00Z" \\
      --tsa "url=http://127.0.0.1:3000/api/v1/timestamp,certificate-chain=tsa-chain.pem" \\
      --out trusted_root.json`,
    )
    .action(async (flags: TrustedRootFlags) => {
      const root = await createTrustedRoot(flags);
      const json = JSON.stringify(root);
      await writeOutput(flags.out, json);
    });
}

async function createTrustedRoot(f: TrustedRootFlags): Promise<TrustedRoot> {
  const conflict = (spec: string, old: string[]) => {
    if (old.length > 0) throw new CliExit(1, `cannot use --${spec} and old ${spec} flags at the same time`);
  };
  if (f.fulcio.length) conflict('fulcio', [...f.certificateChain, ...f.fulcioUri]);
  if (f.rekor.length) conflict('rekor', [...f.rekorKey, ...f.rekorUrl, ...f.rekorStartTime, ...f.rekorEndTime]);
  if (f.ctfe.length) conflict('ctfe', [...f.ctfeKey, ...f.ctfeUrl, ...f.ctfeStartTime, ...f.ctfeEndTime]);
  if (f.tsa.length) conflict('tsa', [...f.timestampCertificateChain, ...f.timestampUri]);

  const cas: CertificateAuthority[] = [];
  const tsas: CertificateAuthority[] = [];
  // Logs are keyed by log ID: a later one with the same key replaces an earlier one (as cosign's maps do).
  const tlogs = new Map<string, TransparencyLogInstance>();
  const ctlogs = new Map<string, TransparencyLogInstance>();
  if (f.withDefaultServices) {
    const { root } = await (await trustCode()).loadTrustedRoot({});
    if (f.defaultFulcio !== false) cas.push(...(root.certificateAuthorities ?? []));
    if (f.defaultCtfe !== false) for (const l of root.ctlogs ?? []) ctlogs.set(l.logId.keyId, l);
    if (f.defaultRekor !== false) for (const l of root.tlogs ?? []) tlogs.set(l.logId.keyId, l);
    if (f.defaultTsa !== false) tsas.push(...(root.timestampAuthorities ?? []));
  }

  for (const spec of f.fulcio) {
    const kv = parseSpec(spec, 'fulcio', ['url', 'certificate-chain']);
    const chain = await certificates(kv['certificate-chain']!, 'fulcio certificate-chain');
    const start = kv['start-time'] ? time(kv['start-time'], 'start-time') : notBefore(chain.at(-1)!);
    cas.push(authority(kv.url!, chain, start, kv['end-time'] ? time(kv['end-time'], 'end-time') : undefined));
  }
  for (const [i, path] of f.certificateChain.entries()) {
    const chain = await certificates(path, '--certificate-chain');
    cas.push(authority(f.fulcioUri[i] ?? '', chain, notBefore(chain.at(-1)!)));
  }

  for (const spec of f.rekor) {
    const log = await logFromSpec(spec, 'rekor');
    tlogs.set(log.logId.keyId, log);
  }
  for (const [i, keyArg] of f.rekorKey.entries()) {
    const [path, origin] = keyArg.split(',', 2) as [string, string | undefined];
    const log = await logInstance(f.rekorUrl[i] ?? '', await publicKey(path), {
      start: f.rekorStartTime[i] ? time(f.rekorStartTime[i]!, '--rekor-start-time') : new Date(0),
      ...(f.rekorEndTime[i] ? { end: time(f.rekorEndTime[i]!, '--rekor-end-time') } : {}),
      ...(origin ? { origin } : {}),
    });
    tlogs.set(log.logId.keyId, log);
  }

  for (const spec of f.ctfe) {
    const log = await logFromSpec(spec, 'ctfe');
    ctlogs.set(log.logId.keyId, log);
  }
  for (const [i, path] of f.ctfeKey.entries()) {
    const log = await logInstance(f.ctfeUrl[i] ?? '', await publicKey(path), {
      start: f.ctfeStartTime[i] ? time(f.ctfeStartTime[i]!, '--ctfe-start-time') : new Date(0),
      ...(f.ctfeEndTime[i] ? { end: time(f.ctfeEndTime[i]!, '--ctfe-end-time') } : {}),
    });
    ctlogs.set(log.logId.keyId, log);
  }

  for (const spec of f.tsa) {
    const kv = parseSpec(spec, 'tsa', ['url', 'certificate-chain']);
    const chain = await certificates(kv['certificate-chain']!, 'tsa certificate-chain');
    checkTsaLeaf(chain);
    const start = kv['start-time'] ? time(kv['start-time'], 'start-time') : notBefore(chain[0]!);
    tsas.push(authority(kv.url!, chain, start, kv['end-time'] ? time(kv['end-time'], 'end-time') : undefined));
  }
  for (const [i, path] of f.timestampCertificateChain.entries()) {
    const chain = await certificates(path, '--timestamp-certificate-chain');
    checkTsaLeaf(chain);
    if (chain.length < 2) throw invalidInput(`${path}: a TSA certificate chain must have at least two certificates`);
    tsas.push(authority(f.timestampUri[i] ?? '', chain, notBefore(chain.at(-1)!)));
  }

  const { TRUSTED_ROOT_MEDIA_TYPE, parseTrustedRoot } = await bundleCode();
  const root: TrustedRoot = {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [...tlogs.values()],
    certificateAuthorities: cas,
    ctlogs: [...ctlogs.values()],
    timestampAuthorities: tsas,
  };
  parseTrustedRoot(root); // what verifiers will read must parse
  return root;
}

/** cosign's key-value service spec: `k=v,k=v`, required keys present and non-empty. */
function parseSpec(spec: string, service: string, required: string[]): Record<string, string> {
  return parseKeyValueSpec(spec, required, {
    invalidPair: (pair) => invalidInput(`--${service}: invalid key-value pair: ${pair}`),
    missing: (key) => invalidInput(`--${service}: missing or empty required key '${key}' in ${service} spec`),
  });
}

async function logFromSpec(spec: string, service: 'rekor' | 'ctfe'): Promise<TransparencyLogInstance> {
  const kv = parseSpec(spec, service, ['url', 'public-key', 'start-time']);
  return logInstance(kv.url!, await publicKey(kv['public-key']!), {
    start: time(kv['start-time']!, 'start-time'),
    ...(kv['end-time'] ? { end: time(kv['end-time'], 'end-time') } : {}),
    ...(kv.origin ? { origin: kv.origin } : {}),
  });
}

/**
 * A log as trusted_root.json lists it. Its ID is SHA-256 of the DER key, or with an origin (Rekor v2, static CT)
 * the C2SP checkpoint key ID, as cosign computes them.
 */
async function logInstance(
  baseUrl: string,
  key: KeyObject,
  o: { start: Date; end?: Date; origin?: string },
): Promise<TransparencyLogInstance> {
  const spki = key.export({ format: 'der', type: 'spki' });
  const id = o.origin ? rekorV2KeyId(o.origin, key) : createHash('sha256').update(spki).digest();
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: spki.toString('base64'),
      keyDetails: (await cryptoCode()).keyDetails(key),
      validFor: { start: rfc3339(o.start), ...(o.end ? { end: rfc3339(o.end) } : {}) },
    },
    logId: { keyId: id.toString('base64') },
  };
}

/** A CA or TSA: its chain as given (leaf-most first, root last), the root's subject. */
function authority(uri: string, chain: X509Certificate[], start: Date, end?: Date): CertificateAuthority {
  const subject = Object.fromEntries(
    chain
      .at(-1)!
      .subject.split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return {
    subject: { organization: subject.O ?? '', commonName: subject.CN ?? '' },
    uri,
    certChain: { certificates: chain.map((c) => ({ rawBytes: c.raw.toString('base64') })) },
    validFor: { start: rfc3339(start), ...(end ? { end: rfc3339(end) } : {}) },
  };
}

function checkTsaLeaf(chain: X509Certificate[]): void {
  if (chain[0]!.ca) throw invalidInput('the TSA certificate chain must start with the leaf (not a CA) certificate');
}

async function certificates(path: string, what: string): Promise<X509Certificate[]> {
  const blocks = (await encodingCode()).pemBlocks(await readText(path, what), 'CERTIFICATE');
  if (blocks.length === 0) throw invalidInput(`no certificates in file ${path}`);
  return blocks.map((b, i) => {
    try {
      return new X509Certificate(b.der);
    } catch (e) {
      throw invalidInput(`${path}: certificate ${i + 1} does not parse`, e);
    }
  });
}

async function publicKey(path: string): Promise<KeyObject> {
  const text = await readText(path, 'public key');
  if (!/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) throw invalidInput(`${path} is not a PEM public key`);
  try {
    return createPublicKey(text);
  } catch (e) {
    throw invalidInput(`${path} is not a PEM public key`, e);
  }
}

function time(value: string, what: string): Date {
  const d = new Date(value);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) || Number.isNaN(d.getTime())) {
    throw invalidInput(`${what}: not an RFC 3339 time: ${value} (e.g. 2026-01-01T00:00:00Z)`);
  }
  return d;
}

const notBefore = (c: X509Certificate): Date => new Date(c.validFrom);

/** protobuf's Timestamp JSON: UTC, fractional seconds only when there are some. */
function rfc3339(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
