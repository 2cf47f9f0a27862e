import { readFileSync } from 'node:fs';
import { invalidInput } from '../errors.js';

/** One certificate identity to watch: a SAN (exact or Go RE2 pattern) and, optionally, its OIDC issuer. */
export interface WatchedIdentity {
  subject?: string;
  subjectRegExp?: string;
  issuer?: string;
  issuerRegExp?: string;
}

/**
 * What `signet monitor` looks for in new entries (a JSON file). Every list is optional; an entry matching any
 * item is reported. Fingerprints are SHA-256 hex of a public key's SPKI DER or of a certificate's DER.
 */
export interface WatchList {
  identities: WatchedIdentity[];
  fingerprints: string[];
  githubRepositories: string[];
  githubWorkflows: string[];
  artifactHashes: string[];
}

const LISTS = ['identities', 'fingerprints', 'githubRepositories', 'githubWorkflows', 'artifactHashes'] as const;
const IDENTITY_KEYS = ['subject', 'subjectRegExp', 'issuer', 'issuerRegExp'] as const;

export const emptyWatchList = (): WatchList => ({
  identities: [],
  fingerprints: [],
  githubRepositories: [],
  githubWorkflows: [],
  artifactHashes: [],
});

export function loadWatchList(path: string): WatchList {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw invalidInput(
      `cannot read the watch list ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`the watch list ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseWatchList(json, path);
}

/** Strict: an unknown key is an error, so a typo never silently watches nothing. */
export function parseWatchList(json: unknown, where = 'watch list'): WatchList {
  if (!isObject(json)) throw invalidInput(`${where}: must be a JSON object`);
  for (const k of Object.keys(json)) {
    if (!(LISTS as readonly string[]).includes(k)) {
      throw invalidInput(`${where}: unknown key ${JSON.stringify(k)} (known: ${LISTS.join(', ')})`);
    }
  }
  const list = emptyWatchList();
  list.identities = arrayOf(json.identities, `${where}: identities`).map((v, i) =>
    identity(v, `${where}: identities[${i}]`),
  );
  list.fingerprints = strings(json.fingerprints, `${where}: fingerprints`).map((f) =>
    hexHash(f, `${where}: fingerprints`),
  );
  list.githubRepositories = strings(json.githubRepositories, `${where}: githubRepositories`);
  list.githubWorkflows = strings(json.githubWorkflows, `${where}: githubWorkflows`);
  list.artifactHashes = strings(json.artifactHashes, `${where}: artifactHashes`).map((h) =>
    hexHash(h.replace(/^sha256:/i, ''), `${where}: artifactHashes`),
  );
  return list;
}

export function isWatchListEmpty(list: WatchList): boolean {
  return LISTS.every((k) => list[k].length === 0);
}

function identity(v: unknown, where: string): WatchedIdentity {
  if (!isObject(v)) throw invalidInput(`${where}: must be an object`);
  const out: WatchedIdentity = {};
  for (const [k, value] of Object.entries(v)) {
    if (!(IDENTITY_KEYS as readonly string[]).includes(k)) {
      throw invalidInput(`${where}: unknown key ${JSON.stringify(k)} (known: ${IDENTITY_KEYS.join(', ')})`);
    }
    if (typeof value !== 'string' || value === '') throw invalidInput(`${where}: ${k} must be a non-empty string`);
    out[k as keyof WatchedIdentity] = value;
  }
  if (!out.subject && !out.subjectRegExp) throw invalidInput(`${where}: needs subject or subjectRegExp`);
  return out;
}

function arrayOf(v: unknown, where: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidInput(`${where}: must be an array`);
  return v;
}

function strings(v: unknown, where: string): string[] {
  return arrayOf(v, where).map((s) => {
    if (typeof s !== 'string' || s === '') throw invalidInput(`${where}: items must be non-empty strings`);
    return s;
  });
}

function hexHash(s: string, where: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw invalidInput(`${where}: ${JSON.stringify(s)} is not a SHA-256 hex digest`);
  return s.toLowerCase();
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
