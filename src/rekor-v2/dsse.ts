import { createHash, verify } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { readArray, readBytes, readMessage, readString, type Json } from './proto-json.js';
import { readVerifier, type EntryVerifier } from './verifier.js';
import { messageHash } from '../crypto/index.js';

const MAX_VERIFIERS = 10;
const MAX_SIGNATURES = 10;

/**
 * dsse 0.0.2 (`DSSERequestV002`: an envelope and the verifiers of its signatures), as rekor-tiles v2.0-2.2 admitted
 * it: every envelope signature must verify over PAE(payloadType, payload) with one of the verifiers; the stored
 * spec keeps the SHA-256 of the payload and each signature with the verifier that accepted it, sorted by the raw
 * signature bytes. The payload itself is not stored.
 */
export function dsseV002Spec(request: unknown): Json {
  const path = 'dsseRequestV002';
  const msg = readMessage(request, path, { envelope: 'envelope', verifiers: 'verifiers' });
  if (msg.envelope === undefined) throw invalidInput(`${path}.envelope: missing`);
  const env = readMessage(msg.envelope, `${path}.envelope`, {
    payload: 'payload',
    payloadType: 'payloadType',
    signatures: 'signatures',
  });
  const payload = readBytes(env.payload, `${path}.envelope.payload`);
  const payloadType = readString(env.payloadType, `${path}.envelope.payloadType`, 1024);
  const rawVerifiers = readArray(msg.verifiers, `${path}.verifiers`, MAX_VERIFIERS);
  if (rawVerifiers.length === 0) throw invalidInput(`${path}.verifiers: missing`);
  const verifiers = rawVerifiers.map((v, i) => readVerifier(v, `${path}.verifiers[${i}]`));
  const seen = new Set<string>();
  for (const v of verifiers) {
    if (seen.has(v.raw.toString('base64'))) throw invalidInput(`${path}.verifiers: duplicate verifier`);
    seen.add(v.raw.toString('base64'));
  }
  const rawSigs = readArray(env.signatures, `${path}.envelope.signatures`, MAX_SIGNATURES);
  if (rawSigs.length === 0) throw invalidInput(`${path}.envelope.signatures: missing`);
  const signatures = rawSigs.map((s, i) => {
    const p = `${path}.envelope.signatures[${i}]`;
    const sig = readMessage(s, p, { sig: 'sig', keyid: 'keyid' });
    readString(sig.keyid, `${p}.keyid`, 1024);
    const bytes = readBytes(sig.sig, `${p}.sig`);
    if (bytes.length === 0) throw invalidInput(`${p}.sig: missing`);
    return bytes;
  });
  const pae = preAuthEncoding(payloadType, payload);
  const accepted = new Map<string, EntryVerifier>();
  signatures.forEach((sig, i) => {
    const v = verifiers.find((candidate) => verifiesPae(candidate, pae, sig));
    if (!v) throw invalidInput(`${path}.envelope.signatures[${i}]: no verifier accepts this signature`);
    accepted.set(sig.toString('latin1'), v);
  });
  const sorted = [...accepted.keys()].sort((a, b) =>
    Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')),
  );
  return {
    dsseV002: {
      payloadHash: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signatures: sorted.map((s) => ({
        content: Buffer.from(s, 'latin1').toString('base64'),
        verifier: accepted.get(s)!.json,
      })),
    },
  };
}

/** DSSE v1 pre-authentication encoding: the bytes a DSSE signature covers. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

function verifiesPae(v: EntryVerifier, pae: Buffer, signature: Buffer): boolean {
  try {
    return verify(messageHash(v.key, v.hash), pae, v.key, signature);
  } catch {
    return false;
  }
}
