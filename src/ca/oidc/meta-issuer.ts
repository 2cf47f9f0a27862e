import { invalidInput } from '../../errors.js';

/**
 * Compiles a meta (wildcard) issuer such as `https://oidc.eks.*.amazonaws.com/id/*` into an anchored pattern where
 * each `*` matches exactly one run of `[-_a-zA-Z0-9]` (Fulcio's MetaRegex after GHSA-59jp-pj84-45mr): a wildcard can
 * never swallow `.`, `/`, `?`, `#`, `@` or `:`, so a token cannot steer discovery to another host or path.
 */
export function compileMetaIssuer(pattern: string): RegExp {
  if (!pattern.includes('*')) throw invalidInput(`meta issuer ${pattern} has no wildcard`);
  if (!/^https?:\/\/[^/?#@]+/.test(pattern)) throw invalidInput(`meta issuer ${pattern} must be an http(s) URL`);
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('[-_a-zA-Z0-9]+');
  return new RegExp(`^${escaped}$`);
}

/** True when a token's `iss` is an instance of the meta issuer `pattern`. */
export function matchesMetaIssuer(pattern: string, iss: string): boolean {
  return compileMetaIssuer(pattern).test(iss);
}
