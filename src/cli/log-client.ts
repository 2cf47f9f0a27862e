import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { SignetError, invalidInput } from '../errors.js';
import type {
  ArtifactProperties,
  FetchLike,
  ParsedLogEntry,
  PkiFormat,
  ProposedEntry,
  RekorClient,
  SearchIndexQuery,
} from '../rekor-client/index.js';

/** Loaded on first use so the rest of the CLI starts without the log client's dependencies. */
const lib = () => import('../rekor-client/index.js');
import { boolFlag } from './bool-flags.js';
import { CliExit } from './exit.js';
import { withRekorConfig } from './rekor-config.js';

type Opts = Record<string, string | undefined>;
type LogInfoOpts = Opts & { storeTreeState?: boolean; store_tree_state?: boolean };
const PKI_FORMATS = ['x509', 'ssh', 'pgp', 'minisign', 'tuf'];

/** rekor-cli's commands as `signet log upload|get|verify|search|loginfo|logproof`. */
export function registerLogClient(log: Command): void {
  withLog(log.command('upload').description('add an entry to the log (rekor-cli upload)'))
    .option('--artifact <file>', 'the signed artifact (or the DSSE envelope for --type intoto|dsse)')
    .option('--artifact-hash <hash>', 'sha256:<hex> of the artifact, instead of --artifact (hashedrekord)')
    .option('--signature <file>', 'the detached signature (DER or base64, armored PGP, SSHSIG, minisign)')
    .option('--public-key <files>', 'the public key or certificate (comma-separated list for intoto/dsse)')
    .addOption(pkiFormatOption())
    .option(
      '--type <kind[:version]>',
      'entry type: hashedrekord|rekord|intoto|dsse (default: hashedrekord for x509, else rekord)',
    )
    .option('--entry <file>', 'a prepared proposed entry (JSON) to upload as is')
    .action((opts: Opts) => upload(opts));

  withLog(log.command('get').description('fetch an entry and verify it (rekor-cli get)'))
    .option('--log-index <n>', 'the entry at this index')
    .option('--uuid <id>', 'the entry with this UUID (64 or 80 hex)')
    .action((opts: Opts) => get(opts));

  withArtifactFlags(withLog(log.command('verify').description('verify an entry is in the log (rekor-cli verify)')))
    .option('--log-index <n>', 'the entry at this index')
    .option('--uuid <id>', 'the entry with this UUID')
    .action((opts: Opts) => verifyCommand(opts));

  withLog(log.command('search').description('find entries in the search index (rekor-cli search)'))
    .option('--artifact <file>', 'entries for this file (its SHA-256)')
    .option('--sha <hash>', 'entries for this digest (sha1/sha256/sha512, prefix optional)')
    .option('--email <email>', 'entries whose key or certificate names this email')
    .option('--subject <san>', 'entries whose certificate has this subject alternative name')
    .option('--public-key <file>', 'entries signed by this key')
    .addOption(new Option('--pki-format <format>', 'format of --public-key').choices(PKI_FORMATS).default('x509'))
    .addOption(new Option('--operator <op>', 'combine the criteria').choices(['and', 'or']).default('or'))
    .action((opts: Opts) => search(opts));

  withLog(log.command('loginfo').description("verify and print the log's signed tree head (rekor-cli loginfo)")).action(
    (opts: LogInfoOpts) => loginfo(opts),
  );

  withLog(log.command('logproof').description('print a consistency proof (rekor-cli logproof)'))
    .option('--first-size <n>', 'the older tree size', '1')
    .requiredOption('--last-size <n>', 'the newer tree size')
    .option('--tree-id <id>', 'the tree (shard) ID')
    .action((opts: Opts) => logproof(opts));
}

function withLog(cmd: Command): Command {
  return withRekorConfig(cmd)
    .option(
      '--rekor-url <url>',
      'address of the log',
      process.env.SIGNET_REKOR_URL ?? process.env.REKOR_SERVER ?? 'http://localhost:3000',
    )
    .addOption(new Option('--rekor_server <url>', 'alias of --rekor-url (rekor-cli)').hideHelp())
    .addOption(new Option('--rekor-server <url>', 'alias of --rekor-url (rekor-cli, dash spelling)').hideHelp())
    .option('--rekor-public-key <file>', "the log's PEM public key (else fetched from the log)")
    .addOption(
      new Option('--format <format>', 'output format (tle: the entry as a bundle holds it; get only)')
        .choices(['default', 'json', 'tle'])
        .default('default'),
    )
    .option('--timeout <duration>', 'per-request timeout (e.g. 30s, 500ms)', '30s')
    .option('--retry <n>', 'times to retry an HTTP request that failed to connect or got 429 or 5xx', '3')
    .addOption(
      boolFlag('--store-tree-state', 'loginfo: check consistency with, and save, the last tree head seen', true),
    )
    .addOption(new Option('--store_tree_state').hideHelp());
}

/** rekor-cli's --pki-format; pgp by default as in the rekor-cli the classic walkthroughs use (before v1.5.4). */
function pkiFormatOption(): Option {
  return new Option('--pki-format <format>', 'format of the key and signature').choices(PKI_FORMATS).default('pgp');
}

function withArtifactFlags(cmd: Command): Command {
  return cmd
    .option('--artifact <file>', 'the signed artifact (or DSSE envelope)')
    .option('--artifact-hash <hash>', 'sha256:<hex> of the artifact')
    .option('--signature <file>', 'the detached signature')
    .option('--public-key <files>', 'the public key or certificate')
    .addOption(pkiFormatOption())
    .option('--type <kind[:version]>', 'entry type (as for upload)')
    .option('--entry <file>', 'a prepared proposed entry');
}

async function clientFor(opts: Opts): Promise<RekorClient> {
  return new (await lib()).RekorClient(
    opts.rekor_server ?? opts.rekorServer ?? opts.rekorUrl ?? 'http://localhost:3000',
    {
      timeoutMs: duration(opts.timeout ?? '30s'),
      fetch: retryingFetch(retryCount(opts.retry ?? '3')),
    },
  );
}

function retryCount(s: string): number {
  if (!/^\d+$/.test(s.trim())) throw invalidInput(`--retry: not a number of retries: ${s}`);
  return Number(s);
}

/**
 * rekor-cli's retryablehttp: a request that fails to connect, or answers 429 or a 5xx other than 501, is sent again
 * up to `retries` times (at once, as rekor-cli's zero back-off does, or after Retry-After up to 10 s). The last
 * answer is returned as it is; the last transport error says how many attempts were made.
 */
function retryingFetch(retries: number): FetchLike {
  return async (input, init) => {
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(input, init);
      } catch (e) {
        if (init?.signal?.aborted || attempt > retries) {
          if (init?.signal?.aborted || retries === 0) throw e;
          const cause = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
          // RekorHttp prints an error's cause if it has one; this message, with the count, is the one to print.
          // eslint-disable-next-line preserve-caught-error
          throw new Error(`giving up after ${attempt} attempt(s): ${cause}`);
        }
        continue;
      }
      const retryable = res.status === 429 || (res.status >= 500 && res.status !== 501);
      if (!retryable || attempt > retries) return res;
      await res.body?.cancel();
      const after = Number(res.headers.get('retry-after'));
      if (after > 0) await new Promise((r) => setTimeout(r, Math.min(after, 10) * 1000));
    }
  };
}

function duration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) throw invalidInput(`--timeout: not a duration: ${s} (e.g. 30s)`);
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 }[m[2] ?? 's'] ?? 1000);
}

function readInput(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw invalidInput(`${flag} ${path}: ${why}`);
  }
}

/** The proposed entry the upload/verify flags describe. */
async function proposedEntryFrom(opts: Opts): Promise<ProposedEntry> {
  const { buildProposedEntry, parseProposedEntry, signatureBytes } = await lib();
  if (opts.entry) return parseProposedEntry(readInput(opts.entry, '--entry').toString('utf8'));
  const pkiFormat = (opts.pkiFormat ?? 'pgp') as PkiFormat;
  const type = opts.type ?? (pkiFormat === 'x509' ? 'hashedrekord' : 'rekord');
  const kind = type.split(':')[0];
  const props: ArtifactProperties = {
    pkiFormat,
    publicKeys: (opts.publicKey ?? '')
      .split(',')
      .filter(Boolean)
      .map((f) => readInput(f, '--public-key')),
  };
  if (opts.artifact) props.artifact = readInput(opts.artifact, '--artifact');
  if (opts.artifactHash) props.artifactHash = opts.artifactHash;
  if (opts.signature) {
    // An x509 signature file holds raw DER or its base64 text (cosign's --output-signature); others are as is.
    const file = readInput(opts.signature, '--signature');
    props.signature = pkiFormat === 'x509' ? signatureBytes(file) : file;
  }
  if (kind === 'hashedrekord' || kind === 'rekord') {
    await checkPkiFormat(pkiFormat, props.publicKeys[0], 'public key', 'key');
    if (opts.signature) await checkPkiFormat(pkiFormat, readInput(opts.signature, '--signature'), 'signature');
  }
  if (!props.artifact && !(props.artifactHash && kind === 'hashedrekord')) throw invalidInput('--artifact is required');
  if (!props.signature && (kind === 'hashedrekord' || kind === 'rekord')) throw invalidInput('--signature is required');
  if (props.publicKeys.length === 0) throw invalidInput('--public-key is required');
  return buildProposedEntry(type, props);
}

/** A key or signature in another format than --pki-format says: name the format it looks like. */
async function checkPkiFormat(
  given: PkiFormat,
  bytes: Buffer | undefined,
  what: string,
  as: 'key' | 'signature' = 'signature',
) {
  const looks = bytes && (await lib()).sniffPkiFormat(bytes, as);
  if (looks && looks !== given) {
    throw new CliExit(1, `the ${what} looks like ${looks}, not ${given} (--pki-format)`, `pass --pki-format ${looks}`);
  }
}

async function upload(opts: Opts): Promise<void> {
  const client = await clientFor(opts);
  const proposed = await proposedEntryFrom(opts);
  const result = await client.createEntry(proposed);
  const url = `${client.baseUrl}/api/v1/log/entries/${result.uuid}`;
  await verifyFound(client, result, opts);
  if (opts.format === 'json') {
    print(JSON.stringify({ Location: url, Index: result.entry.logIndex, UUID: result.uuid, Created: result.created }));
  } else if (result.created) {
    print(`Created entry at index ${result.entry.logIndex}, available at: ${url}`);
  } else {
    print(`Entry already exists; available at: ${url}`);
  }
}

/** rekor-cli checks every entry it is handed: the SET, the inclusion proof and the checkpoint signature. */
async function verifyFound(client: RekorClient, found: ParsedLogEntry, opts: Opts) {
  const { logAuthorityFor, treeIdOf, verifyLogEntry } = await lib();
  const pinned = opts.rekorPublicKey
    ? readInput(opts.rekorPublicKey, '--rekor-public-key').toString('utf8')
    : undefined;
  const log = await logAuthorityFor(client, pinned, treeIdOf(found.uuid));
  return verifyLogEntry(found, log);
}

async function fetchOne(client: RekorClient, opts: Opts): Promise<ParsedLogEntry> {
  if (opts.uuid && opts.logIndex) throw invalidInput('give either --uuid or --log-index, not both');
  if (opts.uuid) return client.getEntryByUuid(opts.uuid);
  if (opts.logIndex) return client.getEntryByIndex(logIndexFlag(opts.logIndex));
  throw invalidInput('give --uuid or --log-index');
}

function logIndexFlag(s: string): number {
  if (!/^\d+$/.test(s.trim()) || !Number.isSafeInteger(Number(s)))
    throw invalidInput(`--log-index: not a non-negative integer: ${s}`);
  return Number(s);
}

async function get(opts: Opts): Promise<void> {
  const client = await clientFor(opts);
  const found = await fetchOne(client, opts);
  await verifyFound(client, found, opts);
  if (opts.format === 'tle')
    return print(JSON.stringify((await lib()).toTransparencyLogEntry(found.uuid, found.entry)));
  const e = found.entry;
  const body = rekorCliBody(JSON.parse(Buffer.from(e.body, 'base64').toString('utf8')));
  const attestation = e.attestation?.data ? Buffer.from(e.attestation.data, 'base64').toString('utf8') : '';
  if (opts.format === 'json') {
    // rekor-cli's getCmdOutput, field for field: empty attestation fields stay present.
    const out = {
      Attestation: attestation,
      AttestationType: '',
      Body: body,
      LogIndex: e.logIndex,
      IntegratedTime: e.integratedTime,
      UUID: found.uuid,
      LogID: e.logID,
    };
    return print(JSON.stringify(out));
  }
  const time = new Date(e.integratedTime * 1000).toISOString().replace('.000Z', 'Z');
  print(
    `LogID: ${e.logID}\n${attestation ? `Attestation: ${attestation}\n` : ''}Index: ${e.logIndex}\n` +
      `IntegratedTime: ${time}\nUUID: ${found.uuid}\nBody: ${JSON.stringify(body, null, 2)}`,
  );
}

/** rekor-cli prints the body as its Go entry type marshals it: the spec under the type's field name. */
const BODY_FIELDS: Record<string, string> = {
  alpine: 'AlpineModel',
  cose: 'CoseObj',
  dsse: 'DSSEObj',
  hashedrekord: 'HashedRekordObj',
  helm: 'HelmObj',
  intoto: 'IntotoObj',
  jar: 'JARModel',
  rekord: 'RekordObj',
  rfc3161: 'Rfc3161Obj',
  rpm: 'RPMModel',
  tuf: 'TufObj',
};

function rekorCliBody(body: { kind?: string; spec?: unknown }): unknown {
  const field = body.kind && BODY_FIELDS[body.kind];
  return field ? { [field]: body.spec } : body;
}

async function verifyCommand(opts: Opts): Promise<void> {
  const client = await clientFor(opts);
  let found: ParsedLogEntry;
  if (opts.uuid || opts.logIndex) {
    found = await fetchOne(client, opts);
  } else {
    const matches = await client.retrieveEntries({ entries: [await proposedEntryFrom(opts)] });
    if (matches.length === 0) throw new SignetError('not-found', 'no matching entry is in the log');
    found = matches[0]!;
  }
  await verifyFound(client, found, opts);
  const proof = found.entry.verification!.inclusionProof!;
  if (opts.format === 'json') {
    return print(
      JSON.stringify({
        RootHash: proof.rootHash,
        EntryUUID: found.uuid,
        Index: found.entry.logIndex,
        Size: proof.treeSize,
        Hashes: proof.hashes,
      }),
    );
  }
  print(
    [
      `Current Root Hash: ${proof.rootHash}`,
      `Entry Hash: ${found.uuid}`,
      `Entry Index: ${found.entry.logIndex}`,
      `Current Tree Size: ${proof.treeSize}`,
      `Checkpoint:\n${proof.checkpoint.trimEnd()}`,
      `Inclusion Proof:`,
      ...proof.hashes,
    ].join('\n'),
  );
}

async function search(opts: Opts): Promise<void> {
  const query: SearchIndexQuery = { operator: (opts.operator ?? 'or') as 'and' | 'or' };
  if (opts.artifact && opts.sha) throw invalidInput('give either --artifact or --sha, not both');
  if (opts.sha) query.hash = shaFlag(opts.sha);
  if (opts.artifact)
    query.hash = 'sha256:' + createHash('sha256').update(readInput(opts.artifact, '--artifact')).digest('hex');
  if (opts.email) query.email = opts.email;
  if (opts.subject) query.subject = opts.subject;
  if (opts.publicKey) {
    const key = readInput(opts.publicKey, '--public-key');
    query.publicKey = { format: (opts.pkiFormat ?? 'x509') as PkiFormat, content: key.toString('base64') };
  }
  if (!query.hash && !query.email && !query.subject && !query.publicKey) {
    throw invalidInput('give at least one of --artifact, --sha, --email, --subject, --public-key');
  }
  const uuids = await (await clientFor(opts)).searchIndex(query);
  if (opts.format === 'json') return print(JSON.stringify(uuids));
  if (uuids.length === 0) throw new CliExit(1, 'no matching entries were found');
  print('Found matching entries (listed by UUID):\n' + uuids.join('\n'));
}

function shaFlag(s: string): string {
  const m = /^(sha1:|sha256:|sha512:)?([0-9a-fA-F]+)$/.exec(s.trim());
  const byLength: Record<number, string> = { 40: 'sha1', 64: 'sha256', 128: 'sha512' };
  const alg = m ? byLength[m[2]!.length] : undefined;
  if (!m || !alg || (m[1] && m[1] !== `${alg}:`))
    throw invalidInput(`--sha: not a sha1, sha256 or sha512 hex digest: ${s}`);
  return `${alg}:${m[2]!.toLowerCase()}`;
}

async function loginfo(opts: LogInfoOpts): Promise<void> {
  const { checkLogInfo, logAuthorityFor, treeStatePath } = await lib();
  const client = await clientFor(opts);
  const pinned = opts.rekorPublicKey
    ? readInput(opts.rekorPublicKey, '--rekor-public-key').toString('utf8')
    : undefined;
  const info = await client.getLogInfo();
  const log = await logAuthorityFor(client, pinned, info.treeID);
  const statePath = treeStatePath(client.baseUrl, info.treeID);
  let check;
  try {
    check = await checkLogInfo(
      client,
      log,
      opts.storeTreeState === false || opts.store_tree_state === false ? undefined : statePath,
      info,
    );
  } catch (e) {
    if (e instanceof SignetError && e.code === 'verification-failed') {
      console.error(
        'signet: WARNING: the log is NOT consistent with the tree head seen before, or its tree head is not validly signed',
      );
      console.error(`signet: WARNING: saved state: ${statePath}`);
    }
    throw e;
  }
  const i = check.info;
  const total = i.treeSize + (i.inactiveShards ?? []).reduce((n, s) => n + s.treeSize, 0);
  if (opts.format === 'json') {
    return print(
      JSON.stringify({ ActiveTreeSize: i.treeSize, TotalTreeSize: total, RootHash: i.rootHash, TreeID: i.treeID }),
    );
  }
  print(
    `Verification Successful!\nActive Tree Size:       ${i.treeSize}\nTotal Tree Size:        ${total}\n` +
      `Root Hash:              ${i.rootHash}\nTreeID:                 ${i.treeID}`,
  );
}

async function logproof(opts: Opts): Promise<void> {
  const first = logIndexFlag(opts.firstSize ?? '1');
  const last = logIndexFlag(opts.lastSize ?? '');
  if (first < 1 || first > last) throw invalidInput('--first-size must be at least 1 and at most --last-size');
  const proof = await (await clientFor(opts)).getConsistencyProof(first, last, opts.treeId);
  if (opts.format === 'json') return print(JSON.stringify(proof));
  print(`Current Root Hash: ${proof.rootHash}\nHashes: [${proof.hashes.join(', ')}]`);
}

function print(s: string): void {
  process.stdout.write(s + '\n');
}
