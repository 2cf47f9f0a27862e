import { parseSigningConfig, type ServiceUrl, type SigningConfig } from '../bundle/index.js';
import { SignetError, invalidInput } from '../errors.js';

/** Where to sign: the CA, the log and the identity provider. */
export interface SigningServices {
  fulcioUrl?: string;
  rekorUrl?: string;
  oidcIssuer?: string;
}

/** Sigstore public-good defaults (cosign's flag defaults). */
export const PUBLIC_GOOD_SERVICES: Required<SigningServices> = {
  fulcioUrl: 'https://fulcio.sigstore.dev',
  rekorUrl: 'https://rekor.sigstore.dev',
  oidcIssuer: 'https://oauth2.sigstore.dev/auth',
};

/**
 * Picks the services a signing config lists, the way the protobuf-specs comments say: one CA and one OIDC provider
 * with the highest supported API version (CA v1, Rekor v1 here), valid now, newest start first.
 */
export function servicesFromSigningConfig(config: SigningConfig, now: Date = new Date()): SigningServices {
  return {
    fulcioUrl: pick(config.caUrls, 1, now),
    rekorUrl: pick(config.rekorTlogUrls, 1, now),
    oidcIssuer: pick(config.oidcUrls, 1, now),
  };
}

function pick(urls: ServiceUrl[] | undefined, maxVersion: number, now: Date): string | undefined {
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
  return usable[0]?.url.replace(/\/+$/, '');
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
      res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
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
