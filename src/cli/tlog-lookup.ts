import { createHash } from 'node:crypto';
import type { TransparencyLogEntry } from '../bundle/index.js';
import { verificationFailed } from '../errors.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const signCode = () => import('../sign/index.js');

/**
 * cosign's tlog search for a detached signature: the log's index by the artifact's SHA-256
 * (`POST /api/v1/index/retrieve`), those entries (`POST /api/v1/log/entries/retrieve`), and the one whose
 * hashedrekord (or, for an attestation, dsse or intoto entry) holds this signature. The caller verifies it as a bundle entry (SET, inclusion, body, and the
 * certificate at its integrated time), so nothing here is trusted yet.
 */
export async function findEntryForSignature(
  rekorUrl: string | undefined,
  artifactSha256: Buffer,
  signature: Buffer,
): Promise<TransparencyLogEntry> {
  const { RekorClient, toTransparencyLogEntry } = await import('../rekor-client/index.js');
  const client = new RekorClient(
    rekorUrl ?? process.env.SIGNET_REKOR_URL ?? (await signCode()).PUBLIC_GOOD_SERVICES.rekorUrl!,
  );
  const uuids = await client.searchIndex({ hash: `sha256:${artifactSha256.toString('hex')}`, operator: 'or' });
  const wanted = signature.toString('base64');
  for (let i = 0; i < uuids.length; i += 10) {
    for (const found of await client.retrieveEntries({ entryUUIDs: uuids.slice(i, i + 10) })) {
      const body = JSON.parse(Buffer.from(found.entry.body, 'base64').toString('utf8')) as EntryBody;
      if (signaturesOf(body).includes(wanted)) return toTransparencyLogEntry(found.uuid, found.entry);
    }
  }
  throw verificationFailed(
    `no transparency log entry for this signature at ${client.baseUrl} (searched by the artifact's sha256)`,
  );
}

interface EntryBody {
  kind?: string;
  spec?: {
    signature?: { content?: string };
    signatures?: { signature?: string }[];
    content?: { envelope?: { signatures?: { sig?: string }[] } };
  };
}

/**
 * The signatures an entry records, base64: hashedrekord's one, dsse's list, and intoto v0.0.2's envelope, where
 * Rekor stores each `sig` base64-encoded once more.
 */
function signaturesOf(body: EntryBody): string[] {
  const spec = body.spec ?? {};
  if (body.kind === 'hashedrekord') return [spec.signature?.content ?? ''];
  if (body.kind === 'dsse') return (spec.signatures ?? []).map((s) => s.signature ?? '');
  if (body.kind === 'intoto') {
    return (spec.content?.envelope?.signatures ?? []).flatMap((s) => [
      s.sig ?? '',
      Buffer.from(s.sig ?? '', 'base64').toString('utf8'),
    ]);
  }
  return [];
}

export const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();
