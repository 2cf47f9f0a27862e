import { parseSigningConfig, type ServiceUrl, type SigningConfig } from '../bundle/index.js';
import { SignetError, invalidInput } from '../errors.js';
import { nodeFetch } from '../http-client/index.js';

/** Where to sign: the CA, the log, the identity provider and, when one is listed, a timestamp authority. */
export interface SigningServices {
  fulcioUrl?: string;
  rekorUrl?: string;
  /** The log's API: 1 (`/api/v1/log/entries`, default) or 2 (rekor-tiles `/api/v2/log/entries`). */
  rekorApiVersion?: 1 | 2;
  /** RFC 3161 timestamp authority (full URL); required with a Rekor v2 log. */
  tsaUrl?: string;
  oidcIssuer?: string;
}

/** Sigstore public-good defaults (cosign's flag defaults). */
export const PUBLIC_GOOD_SERVICES: Required<Pick<SigningServices, 'fulcioUrl' | 'rekorUrl' | 'oidcIssuer'>> = {
  fulcioUrl: 'https://fulcio.sigstore.dev',
  rekorUrl: 'https://rekor.sigstore.dev',
  oidcIssuer: 'https://oauth2.sigstore.dev/auth',
};

/**
 * Picks the services a signing config lists as cosign v3 (sigstore-go's service selection) does: for each kind, the
 * services valid now whose API version this client speaks (CA 1, Rekor 1 and 2, TSA 1), the highest version first,
 * then the newest start. One log and one TSA (selector ANY; a config asking ALL or EXACT with more than one is
 * refused rather than half-honoured). A TSA is used whenever one is listed; a Rekor v2 log only with one.
 */
export function servicesFromSigningConfig(
  config: SigningConfig,
  now: Date = new Date(),
  maxRekorVersion: 1 | 2 = 2,
): SigningServices {
  const tsa = pick(config.tsaUrls, 1, now);
  // Rekor v2 entries carry no signed time: without a TSA only a v1 log can make a verifiable bundle.
  const rekor = pick(config.rekorTlogUrls, tsa ? maxRekorVersion : 1, now);
  for (const [what, c] of [
    ['rekorTlogConfig', config.rekorTlogConfig],
    ['tsaConfig', config.tsaConfig],
  ] as const) {
    if (c && c.selector !== 'ANY' && !(c.selector === 'EXACT' && (c.count ?? 1) === 1)) {
      throw invalidInput(
        `signing config ${what}.selector ${c.selector} is not supported: use ANY (or EXACT with count 1)`,
      );
    }
  }
  if (!rekor && !tsa && pick(config.rekorTlogUrls, 2, now)) {
    throw invalidInput('the signing config names only Rekor v2 logs but no timestamp authority (tsaUrls)');
  }
  return {
    fulcioUrl: pick(config.caUrls, 1, now)?.url,
    rekorUrl: rekor?.url,
    rekorApiVersion: rekor ? (rekor.majorApiVersion === 2 ? 2 : 1) : undefined,
    tsaUrl: tsa?.url,
    oidcIssuer: pick(config.oidcUrls, 1, now)?.url,
  };
}

function pick(urls: ServiceUrl[] | undefined, maxVersion: number, now: Date): ServiceUrl | undefined {
  const usable = (urls ?? []).filter((s) => {
    if (s.majorApiVersion > maxVersion) return false;
    const start = s.validFor?.start ? Date.parse(s.validFor.start) : 0;
    const end = s.validFor?.end ? Date.parse(s.validFor.end) : Infinity;
    return start <= now.getTime() && now.getTime() <= end;
  });
  usable.sort(
    (a, b) =>
      b.majorApiVersion - a.majorApiVersion ||
      Date.parse(b.validFor?.start ?? '1970-01-01T00:00:00Z') - Date.parse(a.validFor?.start ?? '1970-01-01T00:00:00Z'),
  );
  const found = usable[0];
  return found && { ...found, url: found.url.replace(/\/+$/, '') };
}

/** Reads a signing config from a file path or an http(s) URL (a stack's /signing_config.json). */
export async function loadSigningConfig(
  source: string,
  readFile: (path: string) => Promise<Buffer>,
): Promise<SigningConfig> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    let res: Response;
    try {
      res = await nodeFetch(source, { signal: AbortSignal.timeout(30_000) });
    } catch (e) {
      throw new SignetError('pushback', `cannot fetch the signing config from ${source}: ${(e as Error).message}`);
    }
    if (!res.ok)
      throw new SignetError('invalid-input', `fetching the signing config from ${source} answered ${res.status}`);
    text = await res.text();
  } else {
    text = (await readFile(source)).toString('utf8');
  }
  try {
    return parseSigningConfig(JSON.parse(text));
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw invalidInput(`the signing config ${source} is not JSON`, e);
  }
}
