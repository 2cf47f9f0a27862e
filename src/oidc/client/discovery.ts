import { SignetError, invalidOption } from '../../errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The parts of an OpenID Provider's discovery document the client flows use. */
export interface ProviderMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  device_authorization_endpoint?: string;
}

/** GET `{issuer}/.well-known/openid-configuration`; the document's issuer must be the one asked for. */
export async function discoverProvider(issuer: string, fetchFn: FetchLike = fetch): Promise<ProviderMetadata> {
  let base: URL;
  try {
    base = new URL(issuer);
  } catch {
    throw invalidOption('oidcIssuer', `the OIDC issuer is not a URL: ${issuer}`);
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:')
    throw invalidOption('oidcIssuer', `the OIDC issuer must be http(s): ${issuer}`);
  const url = issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
  const res = await fetchOrFail('oidc discovery', url, { signal: AbortSignal.timeout(30_000) }, fetchFn);
  const text = await res.text();
  if (!res.ok) throw httpError('oidc discovery', res.status, text);
  let meta: ProviderMetadata;
  try {
    meta = JSON.parse(text) as ProviderMetadata;
  } catch {
    throw new SignetError('invalid-input', `oidc discovery: ${url} is not JSON`);
  }
  for (const field of ['issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const) {
    if (typeof meta[field] !== 'string')
      throw new SignetError('invalid-input', `oidc discovery: ${url} has no ${field}`);
  }
  if (meta.issuer.replace(/\/+$/, '') !== issuer.replace(/\/+$/, '')) {
    throw new SignetError('verification-failed', `oidc discovery: ${url} names a different issuer ${meta.issuer}`);
  }
  return meta;
}

/** fetch with transport failures turned into one line naming the step. */
export async function fetchOrFail(what: string, url: string, init: RequestInit, fetchFn: FetchLike = fetch) {
  try {
    return await fetchFn(url, init);
  } catch (e) {
    const err = e as Error;
    const why = (err.cause as Error | undefined)?.message ?? err.message;
    throw new SignetError('pushback', `${what}: cannot reach ${url}: ${why}`, { cause: e });
  }
}

/** POST an application/x-www-form-urlencoded body to the token endpoint family; answers JSON and status. */
export async function postForm(
  what: string,
  url: string,
  form: Record<string, string>,
  fetchFn: FetchLike = fetch,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetchOrFail(
    what,
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      signal: AbortSignal.timeout(30_000),
    },
    fetchFn,
  );
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw httpError(what, res.status, text);
  }
  return { status: res.status, json };
}

/** A failed answer from the provider as one line: `<what> answered 400: invalid_grant: <description>`. */
export function httpError(what: string, status: number, text: string): SignetError {
  let message = text.trim().split('\n')[0]!.slice(0, 200);
  try {
    const j = JSON.parse(text) as { error?: unknown; error_description?: unknown; message?: unknown };
    const parts = [j.error, j.error_description ?? j.message].filter((x) => typeof x === 'string' && x);
    if (parts.length) message = parts.join(': ');
  } catch {
    // keep the text
  }
  return new SignetError(
    status === 401 ? 'unauthenticated' : 'invalid-input',
    `${what} answered ${status}: ${message}`,
  );
}
