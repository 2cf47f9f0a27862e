import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseExpiry } from './duration.js';
import { CliExit } from './exit.js';
import { summary } from './commands.js';

/** The metadata lifetimes of the TUF repository (`signet up` and `signet tuf`). */
export function addTufExpiryOptions(cmd: Command): Command {
  return cmd
    .option('--tuf-root-expiry <duration>', 'lifetime of each TUF root version', parseExpiry, parseExpiry('365d'))
    .option('--tuf-targets-expiry <duration>', 'lifetime of TUF targets metadata', parseExpiry, parseExpiry('365d'))
    .option('--tuf-snapshot-expiry <duration>', 'lifetime of TUF snapshot metadata', parseExpiry, parseExpiry('7d'))
    .option(
      '--tuf-timestamp-expiry <duration>',
      'lifetime of TUF timestamp metadata (re-signed at half-life while running)',
      parseExpiry,
      parseExpiry('1d'),
    );
}

/** What `signet up` prints so clients can bootstrap from its TUF repository. */
export function printTufBootstrap(publicUrl: string, dataDir: string): void {
  const root = join(dataDir, 'tuf', 'repository', 'root.json');
  console.log(`  TUF mirror:                  ${publicUrl}/tuf`);
  console.log(`  TUF root to bootstrap from:  ${root}`);
  console.log(`  signet initialize --mirror ${publicUrl}/tuf --root ${root}`);
}

interface TufFlags {
  dataDir: string;
  tufRootExpiry: number;
  tufTargetsExpiry: number;
  tufSnapshotExpiry: number;
  tufTimestampExpiry: number;
}

const ROLE_NAMES = ['root', 'targets', 'snapshot', 'timestamp'] as const;

async function openRepository(flags: TufFlags) {
  const { TufRepository, rootPassword } = await import('../tuf/index.js');
  const dir = join(resolve(flags.dataDir), 'tuf');
  const repo = new TufRepository({
    dir,
    password: rootPassword(dir),
    expiry: {
      root: flags.tufRootExpiry,
      targets: flags.tufTargetsExpiry,
      snapshot: flags.tufSnapshotExpiry,
      timestamp: flags.tufTimestampExpiry,
    },
  });
  if (!repo.exists())
    throw new CliExit(1, `no TUF repository in ${dir}`, 'run `signet up --data-dir` once to create it');
  return repo;
}

/** `signet tuf ...`: the operator's commands on the repository `signet up` publishes (safe while it runs). */
export function registerTuf(program: Command): void {
  const tuf = program.command('tuf').description(summary('tuf'));
  const withDir = (cmd: Command) =>
    addTufExpiryOptions(cmd.option('--data-dir <dir>', 'the data directory of `signet up`', './signet-data'));

  withDir(
    tuf
      .command('rotate-keys')
      .description('sign a new root version with fresh keys for the roles (old and new root keys sign it)')
      .option('--role <role...>', `roles to rotate: ${ROLE_NAMES.join(', ')}`, ['root']),
  ).action(async (flags: TufFlags & { role: string[] }) => {
    const roles = flags.role.map((r) => {
      if (!(ROLE_NAMES as readonly string[]).includes(r))
        throw new CliExit(1, `--role must be one of ${ROLE_NAMES.join(', ')}, got ${JSON.stringify(r)}`);
      return r as (typeof ROLE_NAMES)[number];
    });
    const version = await (await openRepository(flags)).rotateKeys(roles);
    console.log(`signed root version ${version} with new ${roles.join(', ')} keys`);
  });

  withDir(
    tuf
      .command('end-log <url-or-log-id>')
      .description('end a transparency log (a frozen shard, a retired key) in the published trusted root')
      .option('--at <time>', 'end of validity, RFC 3339 (default now)'),
  ).action(async (log: string, flags: TufFlags & { at?: string }) => {
    const at = flags.at ? new Date(flags.at) : new Date();
    if (Number.isNaN(at.getTime()))
      throw new CliExit(1, `--at must be an RFC 3339 time, got ${JSON.stringify(flags.at)}`);
    const { endLog, publishedTrust, sigstoreTargets } = await import('../tuf/index.js');
    const repo = await openRepository(flags);
    const published = publishedTrust(repo);
    if (!published.root || !published.config) throw new CliExit(1, 'the repository publishes no trust material yet');
    const ended = endLog(published.root, published.config, log, at);
    if (ended.matched === 0) throw new CliExit(1, `no transparency log with base URL or log ID ${log}`);
    await repo.publishTargets(sigstoreTargets(ended.root, ended.config!));
    console.log(
      `ended ${ended.matched} log(s) at ${at.toISOString()}; published targets version ${repo.targets().signed.version}`,
    );
  });

  withDir(tuf.command('status').description('versions and expiry of the published metadata')).action(
    async (flags: TufFlags) => {
      const repo = await openRepository(flags);
      const targets = Object.keys(repo.targets().signed.targets).join(', ');
      for (const [role, { version, expires }] of Object.entries(repo.published())) {
        console.log(
          `${role.padEnd(9)} version ${version}, expires ${expires}${role === 'targets' ? `: ${targets}` : ''}`,
        );
      }
      console.log(`repository ${repo.repoDir}`);
    },
  );
}

/** `signet initialize`: cosign's command and flags; trust this instance from now on. */
export function registerInitialize(program: Command): void {
  program
    .command('initialize')
    .description(summary('initialize'))
    .option('--mirror <url>', 'the TUF mirror', 'https://tuf-repo-cdn.sigstore.dev')
    .option('--root <file|url>', "the instance's initial root.json (required for any mirror but public-good)")
    .option('--root-checksum <sha256:hex>', 'expected checksum of --root (sha256:<hex> or sha512:<hex>)')
    .action(async (flags: { mirror: string; root?: string; rootChecksum?: string }) => {
      const { initializeInstance, PUBLIC_GOOD_TUF_URL, seedsPath, tufRootDir } = await import('../trust/index.js');
      let root = flags.root;
      if (!root) {
        if (flags.mirror.replace(/\/+$/, '') !== PUBLIC_GOOD_TUF_URL)
          throw new CliExit(
            1,
            '--root is required for a mirror other than public-good',
            'pass the root.json `signet up` printed',
          );
        root = await publicGoodRoot(seedsPath());
      }
      const instance = await initializeInstance({ mirror: flags.mirror, root, rootChecksum: flags.rootChecksum });
      const t = instance.trustedRoot;
      console.log(`initialized TUF root version ${instance.rootVersion} from ${instance.mirror} in ${tufRootDir()}`);
      console.log(
        `trusted root: ${t.tlogs?.length ?? 0} transparency log(s), ${t.certificateAuthorities?.length ?? 0} CA(s), ` +
          `${t.ctlogs?.length ?? 0} CT log(s), ${t.timestampAuthorities?.length ?? 0} TSA(s); ` +
          `signing config: ${instance.signingConfig ? 'yes' : 'none'}`,
      );
    });
}

/** The public-good root.json embedded in @sigstore/tuf, written to a temporary file for the TUF client to copy. */
async function publicGoodRoot(seeds: string): Promise<string> {
  const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const json = JSON.parse(readFileSync(seeds, 'utf8')) as Record<string, { 'root.json': string }>;
  const path = join(mkdtempSync(join(tmpdir(), 'signet-root-')), 'root.json');
  writeFileSync(path, Buffer.from(json['https://tuf-repo-cdn.sigstore.dev']!['root.json'], 'base64'));
  return path;
}
