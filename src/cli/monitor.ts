import { readFileSync } from 'node:fs';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { invalidInput, isSignetError, verificationFailed } from '../errors.js';
import type { LogSource, MonitorEvent, RoundResult } from '../monitor/index.js';
import { CliExit } from './exit.js';
import { parseInterval } from './duration.js';
import { summary } from './commands.js';

/** Loaded on first use so the rest of the CLI starts without the monitor's dependencies. */
const lib = () => import('../monitor/index.js');

/** Exit codes of `signet monitor --once`, for cron: alerts outrank matches, matches outrank a clean pass. */
export const MONITOR_EXIT = { clean: 0, error: 1, match: 2, misbehaviour: 3 } as const;

interface MonitorFlags {
  url: string;
  api: 'rekor-v1' | 'tiles';
  publicKey?: string;
  trustedRoot?: string;
  config?: string;
  stateDir?: string;
  once?: boolean;
  interval: number;
  startIndex?: number;
  compareUrl: string[];
  witness: string[];
  witnessThreshold?: number;
  output: 'text' | 'json';
  webhook?: string;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseIndex(value: string): number {
  if (!/^[0-9]{1,15}$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
}

export function registerMonitor(program: Command): void {
  program
    .command('monitor')
    .description(summary('monitor'))
    .requiredOption('--url <url>', 'the log to follow (its base URL)')
    .addOption(new Option('--api <api>', 'how to read it').choices(['rekor-v1', 'tiles']).default('rekor-v1'))
    .option('--public-key <file>', "the log's public key (PEM); default: asked of the log (trust on first use)")
    .option('--trusted-root <file|url>', "take the log's key from this trusted root: the one that signs its checkpoint")
    .option('--config <file>', 'the watch list (JSON: identities, fingerprints, githubRepositories, ...)')
    .option('--state-dir <dir>', 'where verified checkpoints are kept (default ~/.signet/monitor)')
    .option('--once', 'one pass, then exit: 0 clean, 2 watched entry found, 3 log misbehaved, 1 error')
    .option('--interval <duration>', 'time between passes when running as a daemon', parseInterval, 60_000)
    .option('--start-index <n>', 'on the first run, match entries from this index (default: only new ones)', parseIndex)
    .option('--compare-url <url>', 'another view of the same log; it must agree (repeatable)', collect, [])
    .option('--witness <vkey>', "a witness's note verifier key whose cosignature is required (repeatable)", collect, [])
    .option('--witness-threshold <n>', 'how many of the witnesses must cosign (default: all)', parseIndex)
    .addOption(new Option('--output <form>', 'event format').choices(['text', 'json']).default('text'))
    .option('--webhook <url>', 'POST each alert (match or misbehaviour) as JSON to this URL')
    .action((flags: MonitorFlags) => runMonitor(flags));
}

async function runMonitor(flags: MonitorFlags): Promise<void> {
  const m = await lib();
  const url = checkUrl(flags.url, '--url');
  for (const u of flags.compareUrl) checkUrl(u, '--compare-url');
  if (flags.webhook) checkUrl(flags.webhook, '--webhook');
  const watch = flags.config ? m.loadWatchList(flags.config) : m.emptyWatchList();
  const witnesses = flags.witness.map((k) => m.parseWitnessKey(k));
  const threshold = flags.witnessThreshold ?? witnesses.length;
  if (threshold > witnesses.length) {
    throw invalidInput(`--witness-threshold ${threshold} is more than the ${witnesses.length} --witness keys given`);
  }
  // Witness cosignatures ride on the checkpoint a log publishes at /checkpoint, never on a v1 signedTreeHead.
  const makeSource = (u: string) =>
    flags.api === 'tiles' ? m.tilesSource(u) : m.rekorV1Source(u, { cosigned: witnesses.length > 0 });
  const source = makeSource(url);
  // A daemon started while the log is unreachable reports it and asks again on the next pass, as on any pass; a
  // bad flag or file, or a key that does not sign the log, stops it at once.
  let logKey = await logPublicKey(flags, url, source).catch((e: unknown) => {
    if (flags.once || !unreachable(e)) throw e;
    return undefined;
  });
  const emit = async (e: MonitorEvent) => {
    const line = m.formatEvent(e, flags.output);
    if (m.isAlert(e) || e.event === 'error') console.error(line);
    else console.log(line);
    if (flags.webhook && m.isAlert(e)) {
      await m
        .postWebhook(flags.webhook, e)
        .catch((err: Error) =>
          console.error(m.formatEvent({ event: 'error', url, message: err.message }, flags.output)),
        );
    }
  };
  const round = async () =>
    m.monitorOnce({
      source,
      trust: {
        logKey: (logKey ??= await logPublicKey(flags, url, source)),
        baseUrl: url,
        witnesses,
        witnessThreshold: threshold,
      },
      watch,
      statePath: m.monitorStatePath(url, flags.stateDir),
      vantages: flags.compareUrl.map(makeSource),
      ...(flags.startIndex !== undefined ? { startIndex: flags.startIndex } : {}),
      emit,
    });
  if (flags.once) {
    const result = await round();
    process.exitCode = exitCodeOf(result);
    return;
  }
  await daemon(round, flags.interval, (message) => emit({ event: 'error', url, message }));
}

export function exitCodeOf(r: RoundResult): number {
  if (r.misbehaviour) return MONITOR_EXIT.misbehaviour;
  return r.matches > 0 ? MONITOR_EXIT.match : MONITOR_EXIT.clean;
}

/** Runs a pass every `interval` until SIGINT/SIGTERM; an unreachable log is reported and retried, not fatal. */
async function daemon(
  round: () => Promise<RoundResult>,
  interval: number,
  report: (m: string) => Promise<void>,
): Promise<void> {
  let stop = false;
  let wake: () => void = () => {};
  const onSignal = () => {
    stop = true;
    wake();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  while (!stop) {
    await round().catch((e: Error) => report(e.message));
    // A referenced timer: between passes it is all that keeps the daemon running (idle sockets are unref'd).
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, interval);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** A failure to reach the log (network, HTTP 5xx), not a wrong flag, file or key. */
function unreachable(e: unknown): boolean {
  if (e instanceof CliExit) return false;
  return !isSignetError(e) || e.code === 'pushback' || e.code === 'internal';
}

async function logPublicKey(flags: MonitorFlags, url: string, source: LogSource): Promise<KeyObject> {
  if (flags.publicKey && flags.trustedRoot)
    throw invalidInput('give the log key by --public-key or --trusted-root, not both');
  if (flags.trustedRoot) return keyFromTrustedRoot(flags.trustedRoot, url, source);
  let pem: string;
  if (flags.publicKey) {
    try {
      pem = readFileSync(flags.publicKey, 'utf8');
    } catch (e) {
      throw invalidInput(`cannot read --public-key ${flags.publicKey}: ${(e as NodeJS.ErrnoException).code}`);
    }
  } else if (flags.api === 'rekor-v1') {
    const { RekorClient } = await import('../rekor-client/index.js');
    pem = await new RekorClient(url).getPublicKey();
  } else {
    throw new CliExit(
      1,
      'the tiles API does not serve the log key',
      'give it with --public-key FILE (PEM) or --trusted-root FILE|URL',
    );
  }
  try {
    return createPublicKey(pem);
  } catch {
    throw invalidInput("the log's public key is not a PEM public key");
  }
}

/**
 * A trusted root may list several logs (signet up: Rekor v1 and v2 on one host), so the key is the one whose
 * signature on the log's current checkpoint verifies; a log none of them signs for is refused, not trusted.
 */
async function keyFromTrustedRoot(where: string, url: string, source: LogSource): Promise<KeyObject> {
  const [{ loadTrustedRoot }, { tlogAuthoritiesFromTrustedRoot }, { openTreeHead }] = await Promise.all([
    import('../trust/index.js'),
    import('../verify/index.js'),
    import('../monitor/index.js'),
  ]);
  const { root } = await loadTrustedRoot({ trustedRoot: where });
  const note = await source.latestCheckpoint();
  for (const { publicKey } of tlogAuthoritiesFromTrustedRoot(root)) {
    try {
      openTreeHead(note, { logKey: publicKey, baseUrl: url, witnesses: [], witnessThreshold: 0 });
      return publicKey;
    } catch {
      // not this log's key: try the next one
    }
  }
  throw verificationFailed(`no log key in the trusted root ${where} verifies the checkpoint of ${url}`);
}

function checkUrl(value: string, flag: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw invalidInput(`${flag} ${JSON.stringify(value)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidInput(`${flag} must be an http(s) URL`);
  return value.replace(/\/+$/, '');
}
