import { readFile } from 'node:fs/promises';
import { SignetError, invalidOption } from '../../errors.js';
import { githubActionsToken } from './ambient.js';
import { browserLogin } from './browser-flow.js';
import { deviceLogin } from './device-flow.js';
import { discoverProvider, type FetchLike } from './discovery.js';
import { looksLikeJwt } from './id-token.js';
import { browserCommand, openInBrowser } from './open-browser.js';

type Env = Record<string, string | undefined>;

export type AuthFlow = 'normal' | 'device';

export interface IdentityTokenOptions {
  /** `--identity-token`: a JWT, or the path of a file holding one. */
  identityToken?: string;
  /** `--oidc-issuer`; needed only for the interactive flows. */
  issuer?: string;
  /** `--oidc-client-id`, default `sigstore`. */
  clientId?: string;
  clientSecret?: string;
  /** Force a flow; default: browser when one can open, else the device flow. */
  flow?: AuthFlow;
  /**
   * True when a person is at a terminal. Without it (and without a browser command or an explicit device flow)
   * signet refuses to start a login nobody can finish, rather than wait.
   */
  interactive?: boolean;
  /** Progress for the person (stderr on a terminal). */
  log?: (line: string) => void;
  env?: Env;
  fetch?: FetchLike;
}

export interface IdentityToken {
  token: string;
  /** Which source gave it: flag, file, env, github-actions, browser, device. */
  source: string;
}

/**
 * Finds an ID token in cosign's order: `--identity-token` (value or file), `SIGSTORE_ID_TOKEN`, GitHub Actions
 * ambient credentials, then an interactive login at the OIDC issuer.
 */
export async function getIdentityToken(options: IdentityTokenOptions): Promise<IdentityToken> {
  const env = options.env ?? process.env;
  if (options.identityToken) return explicitToken(options.identityToken.trim());
  const fromEnv = env.SIGSTORE_ID_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'env' };
  const actions = await githubActionsToken(env, options.fetch);
  if (actions) return { token: actions, source: 'github-actions' };
  return interactiveToken(options, env);
}

async function explicitToken(value: string): Promise<IdentityToken> {
  if (looksLikeJwt(value)) return { token: value, source: 'flag' };
  let text: string;
  try {
    text = (await readFile(value, 'utf8')).trim();
  } catch {
    throw invalidOption('identityToken', 'the identity token is neither a JWT nor a readable file');
  }
  if (!looksLikeJwt(text)) throw invalidOption('identityToken', `the identity token file ${value} does not hold a JWT`);
  return { token: text, source: 'file' };
}

async function interactiveToken(options: IdentityTokenOptions, env: Env): Promise<IdentityToken> {
  const log = options.log ?? (() => {});
  if (!options.issuer) throw invalidOption('identityToken', 'no identity token, and no OIDC issuer to log in with');
  const browser = browserCommand(env);
  if (!options.interactive && !browser && options.flow !== 'device') {
    throw new SignetError('unauthenticated', 'no identity token and no terminal for an interactive login', {
      detail: { option: 'identityToken' },
    });
  }
  const provider = await discoverProvider(options.issuer, options.fetch);
  const clientId = options.clientId ?? 'sigstore';
  const flow = options.flow ?? (browser || !provider.device_authorization_endpoint ? 'normal' : 'device');
  if (flow === 'device') {
    const token = await deviceLogin({
      provider,
      clientId,
      clientSecret: options.clientSecret,
      fetch: options.fetch,
      prompt: (a) => {
        log(`Enter the code ${a.user_code} at ${a.verification_uri}`);
        if (a.verification_uri_complete) log(`or open ${a.verification_uri_complete}`);
        log('Waiting for approval...');
      },
    });
    return { token, source: 'device' };
  }
  const token = await browserLogin({
    provider,
    clientId,
    clientSecret: options.clientSecret,
    fetch: options.fetch,
    openUrl: async (url) => {
      const opened = browser ? await openInBrowser(browser, url) : false;
      log(opened ? 'Your browser will now be opened to:' : 'Go to the following link in a browser:');
      log(`  ${url}`);
    },
  });
  return { token, source: 'browser' };
}
