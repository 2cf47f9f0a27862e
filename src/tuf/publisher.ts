import { parseSigningConfig, parseTrustedRoot, type SigningConfig, type TrustedRoot } from '../bundle/index.js';
import { mergeSigningConfig, mergeTrustedRoot } from './history.js';
import type { TufRepository } from './repository.js';
import { SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET, sigstoreTargets } from './targets.js';

/** The trust material a stack holds right now (the trust service's `/trusted_root.json` and signing config). */
export interface TrustMaterialSource {
  trustedRoot(): TrustedRoot;
  signingConfig(): SigningConfig;
}

/**
 * Publishes the services' current trust material as TUF targets, merged with what was published before (keys
 * that are gone get an end date, ends set by an operator stay). Returns true when a new targets version was signed.
 */
export async function publishTrust(repo: TufRepository, source: TrustMaterialSource, now: Date): Promise<boolean> {
  const published = publishedTrust(repo);
  const root = mergeTrustedRoot(published.root, source.trustedRoot(), now);
  const config = mergeSigningConfig(published.config, source.signingConfig());
  return repo.publishTargets(sigstoreTargets(root, config));
}

/** The trusted root and signing config the repository publishes now, if any. */
export function publishedTrust(repo: TufRepository): { root?: TrustedRoot; config?: SigningConfig } {
  const root = repo.readTarget(TRUSTED_ROOT_TARGET);
  const config = repo.readTarget(SIGNING_CONFIG_TARGET);
  return {
    ...(root ? { root: parseTrustedRoot(JSON.parse(root.toString('utf8'))) } : {}),
    ...(config ? { config: parseSigningConfig(JSON.parse(config.toString('utf8'))) } : {}),
  };
}
