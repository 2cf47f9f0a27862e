import { SignetError } from '../../errors.js';
import { fetchOrFail, type FetchLike } from './discovery.js';

type Env = Record<string, string | undefined>;

/**
 * GitHub Actions' OIDC token for audience `sigstore` (cosign's github-actions provider): GET
 * `$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sigstore` with the request token as bearer; the answer is `{value}`.
 * Returns undefined when not running in an Actions job with `id-token: write`.
 */
export async function githubActionsToken(
  env: Env = process.env,
  fetchFn: FetchLike = fetch,
): Promise<string | undefined> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !bearer) return undefined;
  const u = new URL(url);
  u.searchParams.set('audience', 'sigstore');
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const res = await fetchOrFail(
      'github actions id token',
      u.toString(),
      {
        headers: { authorization: `bearer ${bearer}`, accept: 'application/json' },
        signal: AbortSignal.timeout(30_000),
      },
      fetchFn,
    );
    const text = await res.text();
    if (res.ok) {
      try {
        const value = (JSON.parse(text) as { value?: unknown }).value;
        if (typeof value === 'string' && value) return value;
      } catch {
        // fall through to the error
      }
      throw new SignetError('invalid-input', 'github actions id token: the answer has no token value');
    }
    lastError = new SignetError('unauthenticated', `github actions id token answered ${res.status}`);
    if (res.status < 500) break;
  }
  throw lastError!;
}
