import { api, only } from '../api.js';
import { facts, formatTime, h, link, message, mono, section } from '../dom.js';
import { ciProvenance, sigstoreExtensionRows, signerIdentity, type CertificateInfo } from '../lib/certificate.js';
import { decodeEntryBody, type EntrySummary, type SignatureInfo } from '../lib/entry-body.js';
import { importLogKey } from '../lib/log-key.js';
import { verifyEntry, type LogEntryJson } from '../lib/verify-entry.js';

/** The entry page: `#/entry/<uuid or entry ID>` or `#/index/<log index>`. */
export async function entryPage(root: HTMLElement, ref: { id?: string; index?: number }): Promise<void> {
  root.replaceChildren(message('info', 'Loading entry…'));
  let id: string;
  let entry: LogEntryJson;
  try {
    [id, entry] = only(ref.id !== undefined ? await api.entryById(ref.id) : await api.entryByIndex(ref.index!));
  } catch (e) {
    root.replaceChildren(message('error', `Could not load the entry: ${(e as Error).message}`));
    return;
  }
  const verification = h('div', { id: 'verification' }, message('info', 'Verifying in the browser…'));
  root.replaceChildren(
    h('h1', {}, `Entry ${entry.logIndex}`),
    section('Verification', verification),
    ...bodySections(entry),
    section(
      'Log entry',
      facts([
        ['Log index', String(entry.logIndex)],
        ['Entry ID', mono(id)],
        [
          'Integrated time',
          h(
            'time',
            { datetime: new Date(entry.integratedTime * 1000).toISOString() },
            formatTime(entry.integratedTime),
          ),
        ],
        ['Log ID', mono(entry.logID)],
      ]),
    ),
    proofSection(entry),
    section(
      'Raw body',
      h('details', {}, h('summary', {}, 'Canonical JSON'), h('pre', { class: 'mono' }, rawBody(entry.body))),
    ),
  );
  await showVerification(verification, id, entry);
}

export function bodySections(entry: { body: string }): HTMLElement[] {
  let s: EntrySummary;
  try {
    s = decodeEntryBody(entry.body);
  } catch (e) {
    return [section('Body', message('error', `The body is not a Rekor entry: ${(e as Error).message}`))];
  }
  const digest = (d: EntrySummary['artifactDigest']) => (d ? mono(`${d.algorithm}:${d.value}`) : undefined);
  return [
    section(
      'Artifact',
      facts([
        ['Kind', `${s.kind} ${s.apiVersion}`],
        [s.kind === 'intoto' || s.kind === 'dsse' ? 'Payload digest' : 'Artifact digest', digest(s.artifactDigest)],
        ['Envelope digest', digest(s.envelopeDigest)],
        ['Payload type', s.payloadType],
        [
          'Search',
          s.artifactDigest
            ? link(
                `#/search/${encodeURIComponent(`${s.artifactDigest.algorithm}:${s.artifactDigest.value}`)}`,
                'other entries for this digest',
              )
            : undefined,
        ],
      ]),
    ),
    ...s.signatures.map((sig, i) => signerSection(sig, s.signatures.length > 1 ? ` ${i + 1}` : '')),
  ];
}

function signerSection(sig: SignatureInfo, n: string): HTMLElement {
  const cert = sig.certificate;
  return section(
    `Signer${n}`,
    cert ? certificateFacts(cert) : facts([['Key', sig.keyAlgorithm ?? `${sig.format} key`]]),
    facts([['Signature', sig.signature ? mono(sig.signature) : undefined]]),
    sig.keyText
      ? h(
          'details',
          {},
          h('summary', {}, cert ? 'Certificate (PEM)' : 'Public key'),
          h('pre', { class: 'mono' }, sig.keyText),
        )
      : undefined,
  );
}

/** Identity, issuer and (for CI certificates) the workflow facts, then the certificate's own fields. */
export function certificateFacts(cert: CertificateInfo): HTMLElement {
  const who = signerIdentity(cert);
  const ci = ciProvenance(cert);
  const ext = sigstoreExtensionRows(cert);
  return h(
    'div',
    {},
    facts([
      ['Identity', who.identity ? h('strong', { class: 'identity' }, who.identity) : undefined],
      ['OIDC issuer', who.issuer],
      ['Workflow', ci.workflow],
      ['Repository', ci.repository],
      ['Ref', ci.ref],
      ['Commit', ci.commit ? mono(ci.commit) : undefined],
      ['Trigger', ci.trigger],
      ['Valid', `${cert.notBefore.toISOString()} → ${cert.notAfter.toISOString()}`],
      ['Key', cert.keyAlgorithm],
      ['Issuer', cert.issuer],
      ['Serial', mono(cert.serialHex)],
    ]),
    ext.length
      ? h(
          'details',
          {},
          h('summary', {}, `Sigstore extensions (${ext.length})`),
          facts(ext.map((r) => [`${r.name} (${r.oid})`, r.value])),
        )
      : undefined,
  );
}

function proofSection(entry: LogEntryJson): HTMLElement {
  const p = entry.verification?.inclusionProof;
  if (!p) return section('Inclusion proof', message('info', 'The log returned no inclusion proof.'));
  return section(
    'Inclusion proof',
    facts([
      ['Tree size', String(p.treeSize)],
      ['Root hash', mono(p.rootHash)],
      [
        'Hashes',
        p.hashes.length
          ? h(
              'ol',
              { class: 'hashes' },
              p.hashes.map((x) => h('li', {}, mono(x))),
            )
          : '(none: a one-entry tree)',
      ],
      ['Checkpoint', h('pre', { class: 'mono' }, p.checkpoint)],
    ]),
  );
}

export async function showVerification(out: HTMLElement, id: string, entry: LogEntryJson): Promise<void> {
  try {
    const key = await importLogKey(await api.publicKey());
    const checks = await verifyEntry(id, entry, key);
    const ok = checks.every((c) => c.ok);
    out.replaceChildren(
      h(
        'p',
        {
          class: `verdict ${ok ? 'pass' : 'fail'}`,
          id: 'verdict',
          'data-result': ok ? 'pass' : 'fail',
          role: 'status',
        },
        ok ? '✓ Verified in your browser' : '✗ Verification FAILED',
      ),
      h(
        'ul',
        { class: 'checks' },
        checks.map((c) =>
          h(
            'li',
            { class: c.ok ? 'pass' : 'fail' },
            h('span', { class: 'mark' }, c.ok ? '✓' : '✗'),
            ` ${c.name}: `,
            h('span', { class: 'wrap' }, c.detail),
          ),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        `Log key ${key.algorithm}, log ID ${key.logId.slice(0, 16)}…, checked with WebCrypto against /api/v1/log/publicKey.`,
      ),
    );
  } catch (e) {
    out.replaceChildren(
      h(
        'p',
        { class: 'verdict fail', id: 'verdict', 'data-result': 'fail', role: 'status' },
        `✗ Could not verify: ${(e as Error).message}`,
      ),
    );
  }
}

export function rawBody(b64: string): string {
  try {
    return JSON.stringify(
      JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)))),
      null,
      2,
    );
  } catch {
    return b64;
  }
}
