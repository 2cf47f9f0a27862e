import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Key, Signature } from '@tufjs/models';
import { canonicalJson } from '../encoding/index.js';
import { invalidInput } from '../errors.js';

/** The four top-level TUF roles. */
export type RoleName = 'root' | 'targets' | 'snapshot' | 'timestamp';
export const ROLES: readonly RoleName[] = ['root', 'targets', 'snapshot', 'timestamp'];

/** A role key: the private key and its TUF form (ecdsa-sha2-nistp256, PEM SPKI, as Sigstore's root-signing). */
export interface RoleKey {
  privateKey: KeyObject;
  key: Key;
}

/** Signs metadata bytes (canonical JSON of `signed`) for @tufjs/models' `Metadata.sign`: hex of a DER signature. */
export function signerFor(k: RoleKey): (data: Buffer) => Signature {
  return (data) => new Signature({ keyID: k.key.keyID, sig: sign('sha256', data, k.privateKey).toString('hex') });
}

/** The TUF key object for a public key; its id is the SHA-256 of its canonical JSON, the TUF convention. */
export function tufKey(publicKey: KeyObject): Key {
  const body = {
    keytype: 'ecdsa',
    scheme: 'ecdsa-sha2-nistp256',
    keyval: { public: publicKey.export({ type: 'spki', format: 'pem' }) as string },
  };
  const keyID = createHash('sha256').update(canonicalJson(body)).digest('hex');
  return new Key({ keyID, keyType: body.keytype, scheme: body.scheme, keyVal: body.keyval });
}

/**
 * Role keys in `<tufDir>/keys/`: `<role>-<keyid prefix>.pem`, PKCS#8, mode 0600. Root keys are encrypted with the
 * password (AES-256-CBC, as the CA keys); the online keys (targets, snapshot, timestamp) are not, because the
 * server signs with them unattended. Retired keys move to `keys/retired/`.
 */
export class KeyStore {
  readonly #dir: string;
  readonly #password: string;
  constructor(dir: string, password: string) {
    this.#dir = dir;
    this.#password = password;
  }

  /** Every current key of a role. */
  load(role: RoleName): RoleKey[] {
    if (!existsSync(this.#dir)) return [];
    return readdirSync(this.#dir)
      .filter((f) => f.startsWith(`${role}-`) && f.endsWith('.pem'))
      .sort()
      .map((f) => this.#read(join(this.#dir, f), role));
  }

  generate(role: RoleName): RoleKey {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const k: RoleKey = { privateKey, key: tufKey(createPublicKey(privateKey)) };
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const pem =
      role === 'root'
        ? privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: this.#password })
        : privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(this.#dir, fileName(role, k)), pem, { mode: 0o600 });
    return k;
  }

  /** Moves a key out of use (kept, so an operator can still inspect what signed old versions). */
  retire(role: RoleName, k: RoleKey): void {
    const retired = join(this.#dir, 'retired');
    mkdirSync(retired, { recursive: true, mode: 0o700 });
    renameSync(join(this.#dir, fileName(role, k)), join(retired, fileName(role, k)));
  }

  #read(path: string, role: RoleName): RoleKey {
    let privateKey: KeyObject;
    try {
      const pem = readFileSync(path, 'utf8');
      privateKey = createPrivateKey(role === 'root' ? { key: pem, passphrase: this.#password } : pem);
    } catch (e) {
      throw invalidInput(`cannot read the TUF ${role} key ${path} (wrong password?)`, e);
    }
    return { privateKey, key: tufKey(createPublicKey(privateKey)) };
  }
}

function fileName(role: RoleName, k: RoleKey): string {
  return `${role}-${k.key.keyID.slice(0, 16)}.pem`;
}

/**
 * The password of the root keys: `SIGNET_TUF_PASSWORD`, else `<tufDir>/root-password` (0600), generated on first
 * use so `signet up` starts unattended. Anyone who can read the data directory can then sign a new root; an
 * operator who wants the root key offline sets the variable and keeps the password elsewhere.
 */
export function rootPassword(tufDir: string): string {
  const fromEnv = process.env.SIGNET_TUF_PASSWORD;
  if (fromEnv) return fromEnv;
  const path = join(tufDir, 'root-password');
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(tufDir, { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('base64url');
  writeFileSync(path, password + '\n', { mode: 0o600 });
  return password;
}
