import { setTimeout as sleep } from 'node:timers/promises';
import { SignetError } from '../../errors.js';
import { httpError, postForm, type FetchLike, type ProviderMetadata } from './discovery.js';
import { verifyIdToken } from './id-token.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface DeviceAuthorization {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete?: string;
  expires_in: number;
  interval?: number;
}

export interface DeviceFlowOptions {
  provider: ProviderMetadata;
  clientId: string;
  clientSecret?: string;
  /** Tells the person where to go and which code to enter. */
  prompt: (auth: DeviceAuthorization) => void;
  fetch?: FetchLike;
}

/**
 * OAuth 2.0 device authorization grant (RFC 8628): ask for a device code, show the user code, poll the token
 * endpoint at the server's interval (slowing down when told), and return the verified ID token.
 */
export async function deviceLogin(options: DeviceFlowOptions): Promise<string> {
  const endpoint = options.provider.device_authorization_endpoint;
  if (!endpoint) {
    throw new SignetError(
      'unsupported',
      `${options.provider.issuer} offers no device flow (no device_authorization_endpoint)`,
    );
  }
  const client: Record<string, string> = { client_id: options.clientId };
  if (options.clientSecret) client.client_secret = options.clientSecret;
  const start = await postForm(
    'oidc device authorization',
    endpoint,
    { ...client, scope: 'openid email' },
    options.fetch,
  );
  const auth = start.json as unknown as DeviceAuthorization;
  if (start.status !== 200 || typeof auth.device_code !== 'string' || typeof auth.user_code !== 'string') {
    throw httpError('oidc device authorization', start.status, JSON.stringify(start.json));
  }
  options.prompt(auth);
  let intervalS = Math.max(1, Number(auth.interval) || 5);
  const deadline = Date.now() + Math.max(1, Number(auth.expires_in) || 600) * 1000;
  while (Date.now() < deadline) {
    await sleep(intervalS * 1000);
    const poll = await postForm(
      'oidc device token',
      options.provider.token_endpoint,
      { ...client, grant_type: DEVICE_CODE_GRANT, device_code: auth.device_code },
      options.fetch,
    );
    if (poll.status === 200 && typeof poll.json.id_token === 'string') {
      await verifyIdToken(poll.json.id_token, options.provider, options.clientId);
      return poll.json.id_token;
    }
    const error = poll.json.error;
    if (error === 'authorization_pending') continue;
    if (error === 'slow_down') {
      intervalS += 5;
      continue;
    }
    throw httpError('oidc device token', poll.status, JSON.stringify(poll.json));
  }
  throw new SignetError('unauthenticated', 'oidc device login: the code expired before it was approved');
}
