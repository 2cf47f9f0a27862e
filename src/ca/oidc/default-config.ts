import type { IdentityConfig } from './config.js';
import { parseIdentityConfig } from './config.js';

/**
 * The issuers a CA trusts when no `--config-path` is given: Fulcio's `DefaultConfig` (the public-good Dex
 * instance with its connector as issuer, Google, and GitHub Actions).
 */
export function defaultIdentityConfig(): IdentityConfig {
  return parseIdentityConfig({
    OIDCIssuers: {
      'https://oauth2.sigstore.dev/auth': {
        IssuerURL: 'https://oauth2.sigstore.dev/auth',
        ClientID: 'sigstore',
        Type: 'email',
        IssuerClaim: '$.federated_claims.connector_id',
      },
      'https://accounts.google.com': { IssuerURL: 'https://accounts.google.com', ClientID: 'sigstore', Type: 'email' },
      'https://token.actions.githubusercontent.com': {
        IssuerURL: 'https://token.actions.githubusercontent.com',
        ClientID: 'sigstore',
        Type: 'github-workflow',
      },
    },
  });
}
