import { invalidInput } from '../errors.js';
import { isIndexType } from './media-types.js';
import type { Descriptor } from './registry/client.js';
import type { ManifestStore } from './store.js';

/** An index entry's `platform` (OCI image index). */
export interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
  'os.version'?: string;
}

/** `os[/arch[/variant]][:osversion]`, as go-containerregistry's ParsePlatform reads `--platform`. */
export function parsePlatform(text: string): Platform {
  const [main = '', osVersion] = text.split(':', 2);
  const parts = main.split('/');
  if (!main || parts.length > 3 || parts.some((p) => !p)) {
    throw invalidInput(`--platform ${JSON.stringify(text)} is not os/arch[/variant] (e.g. linux/amd64)`);
  }
  const [os, architecture, variant] = parts;
  return {
    os,
    ...(architecture ? { architecture } : {}),
    ...(variant ? { variant } : {}),
    ...(osVersion ? { 'os.version': osVersion } : {}),
  };
}

function formatPlatform(p: Platform): string {
  const main = [p.os, p.architecture, p.variant].filter(Boolean).join('/');
  return p['os.version'] ? `${main}:${p['os.version']}` : main;
}

/**
 * The manifest of an index that runs on `wanted` (cosign's `--platform`): fields `wanted` leaves out match any
 * value; no match, or more than one, is an error naming the platforms the index has.
 */
export async function manifestForPlatform(
  store: ManifestStore,
  repo: string,
  index: Descriptor,
  wanted: Platform,
): Promise<Descriptor> {
  const label = formatPlatform(wanted);
  if (!isIndexType(index.mediaType)) {
    throw invalidInput(`--platform ${label}: the image is not a multi-platform index`);
  }
  const fetched = await store.getManifest(repo, index.digest);
  const entries = (
    (JSON.parse(fetched.bytes.toString('utf8')) as { manifests?: (Descriptor & { platform?: Platform })[] })
      .manifests ?? []
  ).filter((m) => m.platform);
  const matches = entries.filter((m) => platformMatches(wanted, m.platform!));
  const have = entries.map((m) => formatPlatform(m.platform!)).join(', ') || 'none';
  if (matches.length === 0) throw invalidInput(`no image for platform ${label} in the index (it has: ${have})`);
  if (matches.length > 1) {
    throw invalidInput(
      `platform ${label} matches more than one image of the index: ${matches.map((m) => formatPlatform(m.platform!)).join(', ')}`,
    );
  }
  const { mediaType, digest, size } = matches[0]!;
  return { mediaType, digest, size };
}

function platformMatches(wanted: Platform, p: Platform): boolean {
  for (const k of ['os', 'architecture', 'variant', 'os.version'] as const) {
    if (wanted[k] && wanted[k] !== p[k]) return false;
  }
  return true;
}
