import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Metadata,
  MetadataKind,
  MetaFile,
  Root,
  Snapshot,
  TargetFile,
  Targets,
  Timestamp,
  type Key,
} from '@tufjs/models';
import { SignetError } from '../errors.js';
import { metadataText, readJson, withLock, writeAtomic } from './files.js';
import { KeyStore, ROLES, signerFor, type RoleKey, type RoleName } from './keys.js';

const DAY = 86_400_000;

/** How long each role's metadata stays valid after it is signed. */
export type ExpiryPeriods = Record<RoleName, number>;

/** Root and targets are signed rarely (a year); snapshot weekly; timestamp daily, re-signed at half-life. */
export const DEFAULT_EXPIRY: ExpiryPeriods = { root: 365 * DAY, targets: 365 * DAY, snapshot: 7 * DAY, timestamp: DAY };

/** A file to publish as a target, with the `custom` metadata Sigstore's legacy clients read. */
export interface TargetInput {
  bytes: Buffer;
  custom?: Record<string, unknown>;
}

export interface RepositoryOptions {
  /** `<data-dir>/tuf`: `keys/` and `repository/` (the directory served to clients). */
  dir: string;
  /** Encrypts the root keys at rest. */
  password: string;
  expiry?: Partial<ExpiryPeriods>;
  clock?: () => Date;
}

/**
 * A TUF 1.0 repository on disk, in the layout Sigstore's clients fetch with consistent snapshots:
 * `N.root.json` for every version, `timestamp.json`, `V.snapshot.json`, `V.targets.json` and
 * `targets/<sha256>.<name>`. Metadata is built and signed with @tufjs/models; keys come from a `KeyStore`.
 * Every change runs under a lock file, so the server and operator commands can share the directory.
 */
export class TufRepository {
  readonly repoDir: string;
  readonly #keys: KeyStore;
  readonly #expiry: ExpiryPeriods;
  readonly #clock: () => Date;

  readonly #o: RepositoryOptions;

  /** Each role's lifetime (signed metadata expires this long after it is signed). */
  get expiry(): Readonly<ExpiryPeriods> {
    return this.#expiry;
  }

  constructor(o: RepositoryOptions) {
    this.#o = o;
    this.repoDir = join(o.dir, 'repository');
    this.#keys = new KeyStore(join(o.dir, 'keys'), o.password);
    this.#expiry = { ...DEFAULT_EXPIRY, ...o.expiry };
    this.#clock = o.clock ?? (() => new Date());
  }

  /** True once `init` has run. */
  exists(): boolean {
    return existsSync(join(this.repoDir, '1.root.json'));
  }

  /** Creates keys (one per role, threshold 1) and version 1 of every role, with no targets yet. */
  async init(): Promise<void> {
    await withLock(this.#o.dir, () => {
      if (this.exists()) return;
      mkdirSync(join(this.repoDir, 'targets'), { recursive: true });
      const keys = Object.fromEntries(ROLES.map((r) => [r, [this.#keys.generate(r)]])) as Record<RoleName, RoleKey[]>;
      const roleKeys = Object.fromEntries(ROLES.map((r) => [r, keys[r].map((k) => k.key)])) as Record<RoleName, Key[]>;
      this.#writeRoot(sign(new Metadata(newRoot(1, this.#expires('root'), roleKeys)), keys.root));
      this.#writeTargets(new Targets({ version: 1, specVersion: '1.0.31', expires: this.#expires('targets') }));
    });
  }

  /** The newest root. */
  root(): Metadata<Root> {
    return Metadata.fromJSON(MetadataKind.Root, readJson(join(this.repoDir, 'root.json')) as never);
  }

  targets(): Metadata<Targets> {
    return Metadata.fromJSON(MetadataKind.Targets, readJson(join(this.repoDir, 'targets.json')) as never);
  }

  /** The version and expiry of each published role's metadata. */
  published(): Record<RoleName, { version: number; expires: string }> {
    const at = ({ version, expires }: { version: number; expires: string }) => ({ version, expires });
    return {
      root: at(this.root().signed),
      targets: at(this.targets().signed),
      snapshot: at(this.#current(MetadataKind.Snapshot)),
      timestamp: at(this.#current(MetadataKind.Timestamp)),
    };
  }

  /** A published target's bytes, or undefined when there is none by that name. */
  readTarget(name: string): Buffer | undefined {
    const t = this.targets().signed.targets[name];
    return t && readFileSync(join(this.repoDir, 'targets', `${t.hashes.sha256}.${name}`));
  }

  /**
   * Publishes exactly `files` as the targets (a new targets, snapshot and timestamp version). Returns false, and
   * writes nothing, when they are already what is published.
   */
  async publishTargets(files: Record<string, TargetInput>): Promise<boolean> {
    return withLock(this.#o.dir, () => {
      const current = this.targets().signed;
      const entries = Object.entries(files).map(([path, f]) => {
        const sha256 = createHash('sha256').update(f.bytes).digest('hex');
        const unrecognizedFields = f.custom ? { custom: f.custom as never } : undefined;
        return new TargetFile({ path, length: f.bytes.length, hashes: { sha256 }, unrecognizedFields });
      });
      const same =
        entries.length === Object.keys(current.targets).length &&
        entries.every((t) => current.targets[t.path]?.equals(t));
      if (same) return false;
      for (const t of entries)
        writeAtomic(join(this.repoDir, 'targets', `${t.hashes.sha256}.${t.path}`), files[t.path]!.bytes);
      const targets = new Targets({
        version: current.version + 1,
        specVersion: current.specVersion,
        expires: this.#expires('targets'),
        targets: Object.fromEntries(entries.map((t) => [t.path, t])),
      });
      this.#writeTargets(targets);
      return true;
    });
  }

  /**
   * Re-signs what is past half its validity period: targets (same content, new version), snapshot, timestamp.
   * The server calls it on a timer. Returns the roles it re-signed.
   */
  async refresh(): Promise<RoleName[]> {
    return withLock(this.#o.dir, () => {
      const stale = (role: RoleName, expires: string) =>
        new Date(expires).getTime() - this.#clock().getTime() < this.#expiry[role] / 2;
      const targets = this.targets().signed;
      if (stale('targets', targets.expires)) {
        this.#writeTargets(
          new Targets({ ...targets, version: targets.version + 1, expires: this.#expires('targets') }),
        );
        return ['targets', 'snapshot', 'timestamp'];
      }
      const snapshot = this.#current(MetadataKind.Snapshot);
      if (stale('snapshot', snapshot.expires)) {
        this.#writeSnapshot();
        return ['snapshot', 'timestamp'];
      }
      if (stale('timestamp', this.#current(MetadataKind.Timestamp).expires)) {
        this.#writeTimestamp();
        return ['timestamp'];
      }
      return [];
    });
  }

  /**
   * A new root version with fresh keys for `roles` (default: root only), signed by the old root keys and the new
   * ones, as TUF requires for clients to accept it. Online roles with new keys are re-signed at once.
   */
  async rotateKeys(roles: RoleName[] = ['root']): Promise<number> {
    return withLock(this.#o.dir, () => {
      const old = this.root().signed;
      const oldRootKeys = this.#keys.load('root');
      const roleKeys = Object.fromEntries(
        ROLES.map((r) => [r, old.roles[r]!.keyIDs.map((id) => old.keys[id]!)]),
      ) as Record<RoleName, Key[]>;
      for (const r of roles) {
        const retiring = this.#keys.load(r);
        roleKeys[r] = [this.#keys.generate(r).key];
        if (r !== 'root') for (const k of retiring) this.#keys.retire(r, k);
      }
      const next = newRoot(old.version + 1, this.#expires('root'), roleKeys);
      // The old root keys sign too, then retire: a client trusting version N accepts N+1 only with both.
      this.#writeRoot(sign(new Metadata(next), this.#keys.load('root')));
      if (roles.includes('root')) for (const k of oldRootKeys) this.#keys.retire('root', k);
      if (roles.includes('targets')) {
        const t = this.targets().signed;
        this.#writeTargets(new Targets({ ...t, version: t.version + 1, expires: this.#expires('targets') }));
      } else if (roles.includes('snapshot')) this.#writeSnapshot();
      else if (roles.includes('timestamp')) this.#writeTimestamp();
      return next.version;
    });
  }

  #writeRoot(md: Metadata<Root>): void {
    const text = metadataText(md.toJSON());
    writeAtomic(join(this.repoDir, `${md.signed.version}.root.json`), text);
    writeAtomic(join(this.repoDir, 'root.json'), text);
  }

  /** Targets, then a snapshot naming it, then a timestamp naming that: clients never see a dangling version. */
  #writeTargets(targets: Targets): void {
    const text = metadataText(sign(new Metadata(targets), this.#keys.load('targets')).toJSON());
    writeAtomic(join(this.repoDir, `${targets.version}.targets.json`), text);
    writeAtomic(join(this.repoDir, 'targets.json'), text);
    this.#writeSnapshot();
  }

  #writeSnapshot(): void {
    const targetsVersion = this.targets().signed.version;
    const previous = existsSync(join(this.repoDir, 'snapshot.json')) ? this.#current(MetadataKind.Snapshot).version : 0;
    const snapshot = new Snapshot({
      version: previous + 1,
      specVersion: '1.0.31',
      expires: this.#expires('snapshot'),
      meta: { 'targets.json': new MetaFile({ version: targetsVersion }) },
    });
    const text = metadataText(sign(new Metadata(snapshot), this.#keys.load('snapshot')).toJSON());
    writeAtomic(join(this.repoDir, `${snapshot.version}.snapshot.json`), text);
    writeAtomic(join(this.repoDir, 'snapshot.json'), text);
    this.#writeTimestamp();
  }

  #writeTimestamp(): void {
    const snapshot = this.#current(MetadataKind.Snapshot);
    const previous = existsSync(join(this.repoDir, 'timestamp.json'))
      ? this.#current(MetadataKind.Timestamp).version
      : 0;
    const timestamp = new Timestamp({
      version: previous + 1,
      specVersion: '1.0.31',
      expires: this.#expires('timestamp'),
      snapshotMeta: new MetaFile({ version: snapshot.version }),
    });
    writeAtomic(
      join(this.repoDir, 'timestamp.json'),
      metadataText(sign(new Metadata(timestamp), this.#keys.load('timestamp')).toJSON()),
    );
  }

  #current(kind: MetadataKind.Snapshot): Snapshot;
  #current(kind: MetadataKind.Timestamp): Timestamp;
  #current(kind: MetadataKind.Snapshot | MetadataKind.Timestamp): Snapshot | Timestamp {
    return Metadata.fromJSON(kind as never, readJson(join(this.repoDir, `${kind}.json`)) as never).signed as never;
  }

  /** RFC 3339 with whole seconds, as Sigstore's metadata writes it. */
  #expires(role: RoleName): string {
    return new Date(Math.floor(this.#clock().getTime() / 1000) * 1000 + this.#expiry[role])
      .toISOString()
      .replace('.000Z', 'Z');
  }
}

/** A root listing `keys` per role, threshold 1 each (one key per role, as Sigstore's scaffolding does). */
function newRoot(version: number, expires: string, keys: Record<RoleName, Key[]>): Root {
  const root = new Root({ version, specVersion: '1.0.31', expires, consistentSnapshot: true });
  for (const r of ROLES) for (const k of keys[r]) root.addKey(k, r);
  return root;
}

function sign<T extends Root | Targets | Snapshot | Timestamp>(md: Metadata<T>, keys: RoleKey[]): Metadata<T> {
  if (keys.length === 0) throw new SignetError('internal', `no key to sign ${md.signed.type} metadata`);
  for (const k of keys) md.sign(signerFor(k));
  return md;
}
