import { goRegexp, type SignerIdentity } from '../verify/index.js';
import type { WatchList, WatchedIdentity } from './config.js';
import type { EntryFacts } from './entry-facts.js';

/** Why an entry matched the watch list: which list and the value that matched. */
export interface WatchMatch {
  reason: 'identity' | 'fingerprint' | 'github-repository' | 'github-workflow' | 'artifact-hash';
  value: string;
  issuer?: string;
}

export function matchEntry(facts: EntryFacts, list: WatchList): WatchMatch[] {
  const found: WatchMatch[] = [];
  for (const id of facts.identities) {
    for (const w of list.identities) {
      const san = id.subjectAlternativeNames.find((s) => identityMatches(s, id, w));
      if (san) found.push({ reason: 'identity', value: san, ...(id.issuer ? { issuer: id.issuer } : {}) });
    }
    const repo = id.githubWorkflowRepository;
    if (repo && list.githubRepositories.some((r) => sameRepo(r, repo))) {
      found.push({ reason: 'github-repository', value: repo });
    }
    for (const san of id.subjectAlternativeNames) {
      if (list.githubWorkflows.some((w) => workflowMatches(san, w)))
        found.push({ reason: 'github-workflow', value: san });
    }
  }
  for (const f of facts.fingerprints)
    if (list.fingerprints.includes(f)) found.push({ reason: 'fingerprint', value: f });
  for (const d of facts.sha256Digests) {
    if (list.artifactHashes.includes(d)) found.push({ reason: 'artifact-hash', value: `sha256:${d}` });
  }
  return found;
}

function identityMatches(san: string, id: SignerIdentity, w: WatchedIdentity): boolean {
  if (w.subject !== undefined && san !== w.subject) return false;
  if (w.subjectRegExp !== undefined && !goRegexp(w.subjectRegExp).test(san)) return false;
  if (w.issuer !== undefined && id.issuer !== w.issuer) return false;
  if (w.issuerRegExp !== undefined && !(id.issuer !== undefined && goRegexp(w.issuerRegExp).test(id.issuer)))
    return false;
  return true;
}

const sameRepo = (watched: string, repo: string) =>
  watched.replace(/^https:\/\/github\.com\//, '').toLowerCase() === repo.toLowerCase();

/** A workflow SAN is `https://github.com/<owner>/<repo>/.github/workflows/<file>@<ref>`; the ref is optional here. */
function workflowMatches(san: string, watched: string): boolean {
  const path = san.replace(/^https:\/\/github\.com\//, '');
  const want = watched.replace(/^https:\/\/github\.com\//, '');
  return want.includes('@') ? path === want : path.split('@')[0] === want;
}
