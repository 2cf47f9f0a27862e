import type {
  CertificateAuthority,
  ServiceUrl,
  SigningConfig,
  TimeRange,
  TransparencyLogInstance,
  TrustedRoot,
} from '../bundle/index.js';

/**
 * The trusted root to publish next: what the services hold now, plus every log, CA and TSA published before that
 * is gone now, its `validFor.end` set to `now` (a rotated key or CA). Signatures made while an old key was valid
 * keep verifying; a bundle it signs later does not. An end set before (a frozen shard) is never reopened.
 */
export function mergeTrustedRoot(previous: TrustedRoot | undefined, current: TrustedRoot, now: Date): TrustedRoot {
  const end = rfc3339(now);
  return {
    ...current,
    tlogs: mergeList(previous?.tlogs, current.tlogs, logKey, logRange, end),
    ctlogs: mergeList(previous?.ctlogs, current.ctlogs, logKey, logRange, end),
    certificateAuthorities: mergeList(
      previous?.certificateAuthorities,
      current.certificateAuthorities,
      caKey,
      caRange,
      end,
    ),
    timestampAuthorities: mergeList(previous?.timestampAuthorities, current.timestampAuthorities, caKey, caRange, end),
  };
}

/** The signing config to publish: the current services, keeping an end an operator set on one before. */
export function mergeSigningConfig(previous: SigningConfig | undefined, current: SigningConfig): SigningConfig {
  const keep = (prev: ServiceUrl[] | undefined, cur: ServiceUrl[] | undefined) =>
    cur?.map((s) => {
      const ended = prev?.find((p) => p.url === s.url && p.majorApiVersion === s.majorApiVersion)?.validFor?.end;
      return ended ? { ...s, validFor: { ...s.validFor, end: ended } } : s;
    });
  return {
    ...current,
    caUrls: keep(previous?.caUrls, current.caUrls),
    oidcUrls: keep(previous?.oidcUrls, current.oidcUrls),
    rekorTlogUrls: keep(previous?.rekorTlogUrls, current.rekorTlogUrls),
    tsaUrls: keep(previous?.tsaUrls, current.tsaUrls),
  };
}

/**
 * Ends a transparency log's validity (a frozen shard, a retired key) at `at`: in the trusted root every log with
 * that base URL or log ID, in the signing config the log URL. Returns how many logs matched.
 */
export function endLog(
  root: TrustedRoot,
  config: SigningConfig | undefined,
  log: string,
  at: Date,
): { root: TrustedRoot; config: SigningConfig | undefined; matched: number } {
  const end = rfc3339(at);
  let matched = 0;
  const tlogs = root.tlogs?.map((l) => {
    if (l.baseUrl !== log && l.logId.keyId !== log) return l;
    matched++;
    return { ...l, publicKey: { ...l.publicKey, validFor: closed(l.publicKey.validFor, end) } };
  });
  const urls = new Set(root.tlogs?.filter((l) => l.baseUrl === log || l.logId.keyId === log).map((l) => l.baseUrl));
  const rekorTlogUrls = config?.rekorTlogUrls?.map((s) =>
    urls.has(s.url) ? { ...s, validFor: closed(s.validFor, end) } : s,
  );
  return { root: { ...root, tlogs }, config: config && { ...config, rekorTlogUrls }, matched };
}

function mergeList<T>(
  previous: T[] | undefined,
  current: T[] | undefined,
  key: (t: T) => string,
  range: { get(t: T): TimeRange | undefined; set(t: T, r: TimeRange): T },
  end: string,
): T[] {
  const now = new Map((current ?? []).map((t) => [key(t), t]));
  const out: T[] = [];
  for (const old of previous ?? []) {
    const cur = now.get(key(old));
    now.delete(key(old));
    const oldRange = range.get(old);
    if (cur) out.push(oldRange?.end ? range.set(cur, { ...range.get(cur), end: oldRange.end }) : cur);
    else out.push(oldRange?.end ? old : range.set(old, closed(oldRange, end)));
  }
  return [...out, ...now.values()];
}

const logKey = (l: TransparencyLogInstance) => l.logId.keyId;
const caKey = (c: CertificateAuthority) => c.certChain.certificates.map((x) => x.rawBytes).join(',');
const logRange = {
  get: (l: TransparencyLogInstance) => l.publicKey.validFor,
  set: (l: TransparencyLogInstance, r: TimeRange) => ({ ...l, publicKey: { ...l.publicKey, validFor: r } }),
};
const caRange = {
  get: (c: CertificateAuthority) => c.validFor,
  set: (c: CertificateAuthority, r: TimeRange) => ({ ...c, validFor: r }),
};

function closed(r: TimeRange | undefined, end: string): TimeRange {
  return r?.end && r.end < end ? r : { ...r, end };
}

function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
