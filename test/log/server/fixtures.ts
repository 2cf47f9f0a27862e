import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../../src/encoding/canonical-json.js';

/** A signer of hashedrekord 0.0.1 entries with one P-256 key. */
export function hashedRekordSigner() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return {
    publicKey,
    pem,
    /** A proposed entry over `artifact` (random when omitted). */
    entry(artifact: Buffer = randomBytes(32)) {
      const digest = createHash('sha256').update(artifact).digest('hex');
      return {
        kind: 'hashedrekord',
        apiVersion: '0.0.1',
        spec: {
          signature: {
            content: sign('sha256', artifact, privateKey).toString('base64'),
            publicKey: { content: Buffer.from(pem).toString('base64') },
          },
          data: { hash: { algorithm: 'sha256', value: digest } },
        },
      };
    },
  };
}

/** RFC 6962 root of a list of leaf hashes, computed directly (a test oracle independent of src/merkle). */
export function oracleRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return createHash('sha256').digest();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  const l = oracleRoot(leaves.slice(0, k));
  const r = oracleRoot(leaves.slice(k));
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(l)
    .update(r)
    .digest();
}

export const oracleLeafHash = (body: Buffer): Buffer =>
  createHash('sha256')
    .update(Buffer.from([0]))
    .update(body)
    .digest();

/**
 * Checks a Rekor v1 checkpoint by hand: body lines, one `— <name> <base64(hint||sig)>` line whose hint is the
 * logID prefix and whose ECDSA/Ed25519 signature verifies. Returns the parsed body.
 */
export function checkCheckpoint(note: string, publicKey: KeyObject, logId: string) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('checkpoint has no signature block');
  const text = note.slice(0, split + 1);
  const [origin, size, root] = text.split('\n');
  const sigLines = note
    .slice(split + 2)
    .split('\n')
    .filter(Boolean);
  if (sigLines.length !== 1) throw new Error(`expected one signature line, got ${sigLines.length}`);
  const m = /^\u2014 (\S+) (\S+)$/.exec(sigLines[0]!);
  if (!m) throw new Error(`bad signature line ${sigLines[0]}`);
  const raw = Buffer.from(m[2]!, 'base64');
  if (raw.subarray(0, 4).toString('hex') !== logId.slice(0, 8)) throw new Error('key hint is not the logID prefix');
  const alg = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  if (!verify(alg, Buffer.from(text), publicKey, raw.subarray(4))) throw new Error('checkpoint signature is bad');
  return { origin: origin!, name: m[1]!, size: Number(size), rootHash: Buffer.from(root!, 'base64') };
}

/** Verifies a SET as Rekor's clients do: JCS of {body, integratedTime, logID, logIndex}. */
export function checkSet(
  e: { body: string; integratedTime: number; logID: string; logIndex: number },
  set: Buffer,
  publicKey: KeyObject,
): boolean {
  const payload = canonicalJson({
    body: e.body,
    integratedTime: e.integratedTime,
    logID: e.logID,
    logIndex: e.logIndex,
  });
  const alg = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return verify(alg, Buffer.from(payload), publicKey, set);
}
