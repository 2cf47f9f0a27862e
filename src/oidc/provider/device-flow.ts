import { randomBytes, randomInt } from 'node:crypto';
import { OAuthError } from './oauth-error.js';
import { CLIENT_ID } from './id-token.js';
import { TtlMap } from './ttl-map.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const DEVICE_TTL_MS = 10 * 60_000;
const INTERVAL_S = 5;
// RFC 8628 §6.1: no vowels (no words), no look-alikes; 20^8 codes.
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

interface DeviceGrant {
  userCode: string;
  status: 'pending' | 'approved' | 'denied';
  email?: string;
  authTime?: number;
  intervalS: number;
  lastPollMs?: number;
}

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** RFC 8628 device authorization grant: codes, the person's approval, and polling with back-off. */
export class DeviceFlow {
  readonly #byDeviceCode: TtlMap<DeviceGrant>;
  readonly #byUserCode: TtlMap<string>;

  readonly #verificationUri: string;
  readonly #clock: () => number;
  constructor(verificationUri: string, clock: () => number) {
    this.#verificationUri = verificationUri;
    this.#clock = clock;
    this.#byDeviceCode = new TtlMap(clock);
    this.#byUserCode = new TtlMap(clock);
  }

  /** §3.1-3.2: a device asks for codes. */
  start(p: Record<string, string>): DeviceAuthorizationResponse {
    if (p.client_id !== CLIENT_ID) throw new OAuthError('invalid_client', `unknown client_id: use ${CLIENT_ID}`);
    if (p.scope !== undefined && !p.scope.split(' ').includes('openid')) {
      throw new OAuthError('invalid_scope', 'scope must include openid');
    }
    const deviceCode = randomBytes(32).toString('base64url');
    const userCode = newUserCode();
    this.#byDeviceCode.set(deviceCode, { userCode, status: 'pending', intervalS: INTERVAL_S }, DEVICE_TTL_MS);
    this.#byUserCode.set(userCode, deviceCode, DEVICE_TTL_MS);
    return {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: this.#verificationUri,
      verification_uri_complete: `${this.#verificationUri}?user_code=${encodeURIComponent(userCode)}`,
      expires_in: DEVICE_TTL_MS / 1000,
      interval: INTERVAL_S,
    };
  }

  /** The person typed the user code and an email on the verification page. */
  decide(userCodeInput: string, decision: { email: string; authTime: number } | 'deny'): void {
    const userCode = normalizeUserCode(userCodeInput);
    const deviceCode = userCode && this.#byUserCode.take(userCode);
    const grant = deviceCode && this.#byDeviceCode.get(deviceCode);
    if (!grant || grant.status !== 'pending') {
      throw new OAuthError('invalid_request', 'unknown or expired code: check it on your device');
    }
    if (decision === 'deny') grant.status = 'denied';
    else Object.assign(grant, { status: 'approved', email: decision.email, authTime: decision.authTime });
  }

  /**
   * §3.4-3.5: the device polls. A pending grant polled sooner than the interval gets slow_down and a longer interval;
   * an approved grant is answered at once (slow_down is a kind of authorization_pending) and consumed.
   */
  poll(p: Record<string, string>): { email: string; authTime: number } {
    if (p.client_id !== CLIENT_ID) throw new OAuthError('invalid_client', `unknown client_id: use ${CLIENT_ID}`);
    if (!p.device_code) throw new OAuthError('invalid_request', 'device_code is required');
    const grant = this.#byDeviceCode.get(p.device_code);
    if (!grant) throw new OAuthError('expired_token', 'the device code is unknown or has expired: start again');
    if (grant.status === 'denied') {
      this.#byDeviceCode.delete(p.device_code);
      throw new OAuthError('access_denied', 'the request was denied');
    }
    if (grant.status === 'approved') {
      this.#byDeviceCode.delete(p.device_code);
      return { email: grant.email!, authTime: grant.authTime! };
    }
    const now = this.#clock();
    const tooSoon = grant.lastPollMs !== undefined && now - grant.lastPollMs < grant.intervalS * 1000;
    grant.lastPollMs = now;
    if (tooSoon) {
      grant.intervalS += 5;
      throw new OAuthError('slow_down', `polling too fast: wait ${grant.intervalS} s between requests`);
    }
    throw new OAuthError('authorization_pending', 'the person has not approved the request yet');
  }
}

function newUserCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** §6.1: accept lower case and missing or extra separators when the person types the code. */
export function normalizeUserCode(input: string): string | undefined {
  const letters = input.toUpperCase().replace(/[^A-Z]/g, '');
  if (letters.length !== 8 || [...letters].some((c) => !USER_CODE_ALPHABET.includes(c))) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
