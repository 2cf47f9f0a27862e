import { createPrivateKey, randomBytes, scrypt, type KeyObject } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { encodePem } from '../encoding/index.js';
import { SignetError, invalidInput } from '../errors.js';

/**
 * cosign's encrypted private key file (pkg/cosign/keys.go + go-securesystemslib/encrypted): PKCS#8 DER sealed with
 * NaCl secretbox under an scrypt-derived key, the JSON envelope PEM-armored.
 */
export const SIGSTORE_KEY_LABEL = 'ENCRYPTED SIGSTORE PRIVATE KEY';
/** The label cosign wrote before v2.0.1; still read. */
export const COSIGN_KEY_LABEL = 'ENCRYPTED COSIGN PRIVATE KEY';

/** scrypt costs go-securesystemslib accepts on decryption (legacy, standard, OWASP); anything else is a DoS risk. */
const ACCEPTED_N = [32768, 65536, 131072];
/** What cosign (go-securesystemslib v0.11 "Standard") writes. */
export const DEFAULT_SCRYPT_N = 65536;
const SALT_BYTES = 32;
const NONCE_BYTES = 24;

interface EncryptedKeyJson {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

export interface EncryptKeyOptions {
  /** scrypt cost (one of 32768, 65536, 131072); default 65536 like cosign. */
  scryptN?: number;
  /** PEM label; default `ENCRYPTED SIGSTORE PRIVATE KEY`. */
  label?: string;
}

/**
 * Seals a private key the way `cosign generate-key-pair` does and returns the PEM text.
 *
 * @example
 *   const pem = await encryptCosignKey(privateKey, 'hello'); // -----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----
 */
export async function encryptCosignKey(
  key: KeyObject,
  password: string | Uint8Array,
  options: EncryptKeyOptions = {},
): Promise<string> {
  if (key.type !== 'private') throw invalidInput('only a private key can be encrypted');
  const N = options.scryptN ?? DEFAULT_SCRYPT_N;
  if (!ACCEPTED_N.includes(N)) throw invalidInput(`scrypt N must be one of ${ACCEPTED_N.join(', ')}`);
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const secret = await deriveKey(password, salt, N);
  const sealed = xsalsa20poly1305(secret, nonce).encrypt(der);
  secret.fill(0);
  // Field order and names as Go's encoding/json writes go-securesystemslib's structs.
  const json: EncryptedKeyJson = {
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(sealed).toString('base64'),
  };
  return encodePem(options.label ?? SIGSTORE_KEY_LABEL, Buffer.from(JSON.stringify(json)));
}

/** True when the text holds a cosign encrypted private key (either label). */
export function isCosignEncryptedKey(text: string): boolean {
  return text.includes(`-----BEGIN ${SIGSTORE_KEY_LABEL}-----`) || text.includes(`-----BEGIN ${COSIGN_KEY_LABEL}-----`);
}

/**
 * Opens a cosign encrypted private key. `source` names the file in errors. A wrong password fails with
 * "wrong password for <source>" (the secretbox tag does not verify); nothing secret is put in the message.
 * Like cosign the inside must be PKCS#8; SEC1 (old cosign EC keys) is accepted too, since cosign wrote those once.
 */
export async function decryptCosignKey(
  pemText: string,
  password: string | Uint8Array,
  source = 'the key',
): Promise<KeyObject> {
  const json = parseEnvelope(unarmor(pemText, source), source);
  const secret = await deriveKey(password, json.salt, json.N);
  let der: Uint8Array;
  try {
    der = xsalsa20poly1305(secret, json.nonce).decrypt(json.ciphertext);
  } catch (e) {
    throw new SignetError('unauthenticated', `wrong password for ${source}`, {
      cause: e,
      detail: { hint: 'set COSIGN_PASSWORD (or SIGNET_PASSWORD) to the password the key was made with' },
    });
  } finally {
    secret.fill(0);
  }
  return privateKeyFromDer(Buffer.from(der), source);
}

function privateKeyFromDer(der: Buffer, source: string): KeyObject {
  for (const type of ['pkcs8', 'sec1'] as const) {
    try {
      return createPrivateKey({ key: der, format: 'der', type });
    } catch {
      // try the next encoding
    }
  }
  throw invalidInput(`${source}: the decrypted key is neither PKCS#8 nor SEC1`);
}

interface ParsedEnvelope {
  N: number;
  salt: Buffer;
  nonce: Buffer;
  ciphertext: Buffer;
}

function parseEnvelope(body: Buffer, source: string): ParsedEnvelope {
  let j: EncryptedKeyJson;
  try {
    j = JSON.parse(body.toString('utf8')) as EncryptedKeyJson;
  } catch {
    throw invalidInput(`${source}: the encrypted key is not JSON inside its PEM armor`);
  }
  const p = j?.kdf?.params;
  if (j?.kdf?.name !== 'scrypt') throw invalidInput(`${source}: unsupported key derivation ${str(j?.kdf?.name)}`);
  if (j.cipher?.name !== 'nacl/secretbox') throw invalidInput(`${source}: unsupported cipher ${str(j.cipher?.name)}`);
  if (!p || !ACCEPTED_N.includes(p.N) || p.r !== 8 || p.p !== 1) {
    throw invalidInput(`${source}: unsupported scrypt parameters (want N in ${ACCEPTED_N.join('/')}, r=8, p=1)`);
  }
  const salt = b64Field(j.kdf.salt, 'salt', source);
  const nonce = b64Field(j.cipher.nonce, 'nonce', source);
  const ciphertext = b64Field(j.ciphertext, 'ciphertext', source);
  if (nonce.length !== NONCE_BYTES) throw invalidInput(`${source}: the nonce is not ${NONCE_BYTES} bytes`);
  if (ciphertext.length < 17) throw invalidInput(`${source}: the ciphertext is too short`);
  return { N: p.N, salt, nonce, ciphertext };
}

function b64Field(v: unknown, name: string, source: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
    throw invalidInput(`${source}: the ${name} is not base64`);
  }
  return Buffer.from(v, 'base64');
}

const str = (v: unknown) => JSON.stringify(v ?? null).slice(0, 40);

function deriveKey(password: string | Uint8Array, salt: Buffer, N: number): Promise<Buffer> {
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : Buffer.from(password);
  // scrypt needs 128*N*r bytes; node's default maxmem (32 MiB) is below cosign's N=65536.
  const maxmem = 256 * N * 8 + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(pw, salt, 32, { N, r: 8, p: 1, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

function unarmor(text: string, source: string): Buffer {
  const m =
    /-----BEGIN (ENCRYPTED (?:SIGSTORE|COSIGN) PRIVATE KEY)-----\r?\n([A-Za-z0-9+/=\s]*?)-----END ([A-Z ]+)-----/.exec(
      text,
    );
  if (!m) {
    throw invalidInput(`${source} is not a cosign encrypted private key (no ENCRYPTED SIGSTORE PRIVATE KEY block)`);
  }
  if (m[1] !== m[3]) {
    throw invalidInput(`${source}: the PEM BEGIN and END labels differ`);
  }
  return Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
}
