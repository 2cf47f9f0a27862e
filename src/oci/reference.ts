import { invalidInput } from '../errors.js';

/** A parsed image reference: `[registry/]repository[:tag][@algorithm:hex]`, normalized as Docker does. */
export interface ImageReference {
  /** Host[:port] of the registry; Docker Hub is `index.docker.io`. */
  registry: string;
  /** Repository path; Docker Hub official images get `library/`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'index.docker.io';
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$|^sha512:[a-f0-9]{128}$/;

/** Parses an image reference; throws invalid-input saying which part is wrong. */
export function parseReference(input: string): ImageReference {
  let rest = input.trim();
  if (!rest || rest.length > 4096) throw invalidInput(`"${input}" is not an image reference`);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalidInput(`"${digest}" is not a valid digest (want sha256:<64 hex>)`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalidInput(`"${tag}" is not a valid tag`);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first : DOCKER_HUB;
  let repository = hasRegistry ? rest.slice(slash + 1) : rest;
  if (registry === 'docker.io' || registry === 'registry-1.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (!REPOSITORY.test(repository)) throw invalidInput(`"${repository}" is not a valid repository name`);
  if (!digest && !tag) tag = 'latest';
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

/** `registry/repository` */
export function repositoryName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The reference as a string, by digest when known. */
export function formatReference(ref: ImageReference): string {
  if (ref.digest) return `${repositoryName(ref)}@${ref.digest}`;
  return `${repositoryName(ref)}:${ref.tag ?? 'latest'}`;
}

/** Same repository, another tag or digest. */
export function withTag(ref: ImageReference, tag: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, tag };
}

export function withDigest(ref: ImageReference, digest: string): ImageReference {
  return { registry: ref.registry, repository: ref.repository, digest };
}

/** Loopback registries may speak plain HTTP; anything else needs --allow-insecure-registry. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(1, registry.indexOf(']')) : registry.split(':')[0]!;
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
