import { createHash } from 'node:crypto';
import { SignetError, invalidInput } from '../../errors.js';
import { MANIFEST_TYPES, OCI_INDEX } from '../media-types.js';
import { isLoopbackRegistry } from '../reference.js';
import { parseChallenge } from './challenge.js';
import type { Credentials } from './credentials.js';
import type { ManifestStore } from '../store.js';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface RegistryClientOptions {
  credentials?: Credentials;
  /** Allow plain HTTP to a registry that is not on loopback. */
  allowInsecure?: boolean;
  /** Reports bytes moved for long transfers (progress bars). */
  onProgress?: (done: number, total: number) => void;
  /** Chunk size for chunked uploads; blobs up to this size go up in one PUT. */
  chunkSize?: number;
  /** Largest manifest or blob this client buffers. */
  maxBytes?: number;
}

type Action = 'pull' | 'push' | 'pull,push' | 'delete,pull';

/**
 * A client for the OCI distribution API v2 on one registry. Every read is checked against its digest, auth follows
 * the registry's `WWW-Authenticate` challenge (Basic or the Bearer token flow), and failures are one-line
 * SignetErrors carrying the registry's own error code and message.
 */
export class RegistryClient implements ManifestStore {
  readonly baseUrl: string;
  readonly #authByScope = new Map<string, string>();

  readonly #options: RegistryClientOptions;
  constructor(
    readonly registry: string,
    options: RegistryClientOptions = {},
  ) {
    this.#options = options;
    const plain = isLoopbackRegistry(registry) || options.allowInsecure;
    const host = registry === 'index.docker.io' ? 'registry-1.docker.io' : registry;
    this.baseUrl = `${plain ? 'http' : 'https'}://${host}`;
  }

  async getManifest(repo: string, reference: string): Promise<FetchedManifest> {
    const res = await this.#request('GET', `/v2/${repo}/manifests/${reference}`, scope(repo, 'pull'), {
      headers: { accept: MANIFEST_TYPES.join(', ') },
    });
    if (res.status === 404) throw notFoundError(`manifest ${repo}:${reference}`, await registryMessage(res));
    await this.#expect(res, [200], `get manifest ${repo}:${reference}`);
    const bytes = await this.#readBody(res);
    const digest = res.headers.get('docker-content-digest') ?? sha256Digest(bytes);
    checkDigest(bytes, reference.includes(':') ? reference : digest, `manifest ${repo}:${reference}`);
    const mediaType = res.headers.get('content-type')?.split(';')[0] || mediaTypeOf(bytes);
    return { mediaType, digest, bytes };
  }

  /** The manifest's descriptor, or undefined when the registry has no such tag or digest. */
  async headManifest(repo: string, reference: string): Promise<Descriptor | undefined> {
    const res = await this.#request('HEAD', `/v2/${repo}/manifests/${reference}`, scope(repo, 'pull'), {
      headers: { accept: MANIFEST_TYPES.join(', ') },
    });
    if (res.status === 404) return undefined;
    await this.#expect(res, [200], `head manifest ${repo}:${reference}`);
    const digest = res.headers.get('docker-content-digest');
    if (!digest) return descriptorOf(await this.getManifest(repo, reference));
    return {
      mediaType: res.headers.get('content-type')?.split(';')[0] ?? '',
      digest,
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  /** Pushes a manifest under a tag or its digest; returns its descriptor. */
  async putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const res = await this.#request('PUT', `/v2/${repo}/manifests/${reference}`, scope(repo, 'pull,push'), {
      headers: { 'content-type': mediaType },
      body: bytes,
    });
    await this.#expect(res, [201, 200, 202], `push manifest ${repo}:${reference}`);
    return { mediaType, digest: sha256Digest(bytes), size: bytes.length };
  }

  async deleteManifest(repo: string, digest: string): Promise<void> {
    const res = await this.#request('DELETE', `/v2/${repo}/manifests/${digest}`, scope(repo, 'delete,pull'));
    if (res.status === 404) throw notFoundError(`manifest ${repo}@${digest}`, await registryMessage(res));
    await this.#expect(res, [202, 200], `delete manifest ${repo}@${digest}`);
  }

  async getBlob(repo: string, digest: string): Promise<Buffer> {
    const res = await this.#request('GET', `/v2/${repo}/blobs/${digest}`, scope(repo, 'pull'));
    if (res.status === 404) throw notFoundError(`blob ${repo}@${digest}`, await registryMessage(res));
    await this.#expect(res, [200], `get blob ${repo}@${digest}`);
    const bytes = await this.#readBody(res, Number(res.headers.get('content-length') ?? 0));
    checkDigest(bytes, digest, `blob ${repo}@${digest}`);
    return bytes;
  }

  async hasBlob(repo: string, digest: string): Promise<boolean> {
    const res = await this.#request('HEAD', `/v2/${repo}/blobs/${digest}`, scope(repo, 'pull'));
    if (res.status === 404) return false;
    await this.#expect(res, [200], `check blob ${repo}@${digest}`);
    return true;
  }

  /**
   * Uploads a blob unless the repository has it: first a cross-repository mount when `mountFrom` names a repository
   * on this registry that has it, else one monolithic PUT, or PATCH chunks for blobs above the chunk size.
   */
  async pushBlob(repo: string, data: Buffer, mediaType: string, mountFrom?: string): Promise<Descriptor> {
    const digest = sha256Digest(data);
    const descriptor = { mediaType, digest, size: data.length };
    if (await this.hasBlob(repo, digest)) return descriptor;
    const uploadScope = mountFrom
      ? `${scope(repo, 'pull,push')} ${scope(mountFrom, 'pull')}`
      : scope(repo, 'pull,push');
    const query = mountFrom ? `?mount=${digest}&from=${encodeURIComponent(mountFrom)}` : '';
    const start = await this.#request('POST', `/v2/${repo}/blobs/uploads/${query}`, uploadScope);
    if (start.status === 201) return descriptor; // mounted
    await this.#expect(start, [202], `start upload to ${repo}`);
    let location = this.#uploadUrl(start);
    const chunkSize = this.#options.chunkSize ?? 8 * 1024 * 1024;
    let offset = 0;
    while (data.length > chunkSize && offset < data.length) {
      const chunk = data.subarray(offset, offset + chunkSize);
      const res = await this.#request('PATCH', location, scope(repo, 'pull,push'), {
        headers: {
          'content-type': 'application/octet-stream',
          'content-range': `${offset}-${offset + chunk.length - 1}`,
        },
        body: chunk,
      });
      await this.#expect(res, [202], `upload chunk to ${repo}`);
      location = this.#uploadUrl(res);
      offset += chunk.length;
      this.#options.onProgress?.(offset, data.length);
    }
    const rest = data.subarray(offset);
    const sep = location.includes('?') ? '&' : '?';
    const done = await this.#request('PUT', `${location}${sep}digest=${digest}`, scope(repo, 'pull,push'), {
      headers: { 'content-type': 'application/octet-stream' },
      body: rest,
    });
    await this.#expect(done, [201, 204], `finish upload to ${repo}`);
    this.#options.onProgress?.(data.length, data.length);
    return descriptor;
  }

  async listTags(repo: string): Promise<string[]> {
    const res = await this.#request('GET', `/v2/${repo}/tags/list`, scope(repo, 'pull'));
    if (res.status === 404) return [];
    await this.#expect(res, [200], `list tags of ${repo}`);
    const body = JSON.parse((await this.#readBody(res)).toString('utf8')) as { tags?: string[] | null };
    return body.tags ?? [];
  }

  /**
   * The referrers of a manifest (OCI 1.1). Registries without the API answer 404; then the referrers tag schema
   * (`sha256-<hex>` index) is read instead, as cosign and ggcr do.
   */
  async referrers(repo: string, digest: string): Promise<Descriptor[]> {
    const res = await this.#request('GET', `/v2/${repo}/referrers/${digest}`, scope(repo, 'pull'), {
      headers: { accept: OCI_INDEX },
    });
    if (res.status === 200 && (res.headers.get('content-type') ?? '').includes(OCI_INDEX)) {
      const index = JSON.parse((await this.#readBody(res)).toString('utf8')) as { manifests?: Descriptor[] };
      return index.manifests ?? [];
    }
    await res.body?.cancel();
    if (res.status !== 404 && res.status !== 200 && res.status !== 400) {
      await this.#expect(res, [200], `list referrers of ${repo}@${digest}`);
    }
    try {
      const tagged = await this.getManifest(repo, referrersTag(digest));
      return (JSON.parse(tagged.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
    } catch (e) {
      if (e instanceof SignetError && e.code === 'not-found') return [];
      throw e;
    }
  }

  #uploadUrl(res: Response): string {
    const location = res.headers.get('location');
    if (!location) throw registryError(this.registry, 'upload', res.status, 'no Location header in upload reply');
    return new URL(location, this.baseUrl).toString();
  }

  async #request(
    method: string,
    pathOrUrl: string,
    authScope: string,
    init: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Response> {
    const url = pathOrUrl.startsWith('http') ? pathOrUrl : this.baseUrl + pathOrUrl;
    const send = (authorization?: string) =>
      fetch(url, {
        method,
        headers: { ...init.headers, ...(authorization ? { authorization } : {}) },
        body: init.body,
        redirect: 'follow',
      }).catch((e: unknown) => {
        throw new SignetError('pushback', `cannot reach registry ${this.registry}: ${causeMessage(e)}`, { cause: e });
      });
    let res = await send(this.#authByScope.get(authScope));
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const authorization = await this.#authorize(res.headers.get('www-authenticate'), authScope);
    this.#authByScope.set(authScope, authorization);
    res = await send(authorization);
    return res;
  }

  async #authorize(header: string | null, authScope: string): Promise<string> {
    const challenge = parseChallenge(header);
    const creds = this.#options.credentials;
    if (creds?.registryToken) return `Bearer ${creds.registryToken}`;
    if (challenge?.scheme === 'basic') {
      if (creds?.username === undefined) throw unauthenticated(this.registry);
      return basic(creds.username, creds.password ?? '');
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw unauthenticated(this.registry);
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    for (const s of authScope.split(' ')) realm.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds?.username !== undefined) headers.authorization = basic(creds.username, creds.password ?? '');
    const res = await fetch(realm, { headers }).catch((e: unknown) => {
      throw new SignetError('pushback', `cannot reach the token service of ${this.registry}: ${causeMessage(e)}`);
    });
    if (!res.ok) throw unauthenticated(this.registry, `token service answered ${res.status}`);
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw unauthenticated(this.registry, 'the token service returned no token');
    return `Bearer ${token}`;
  }

  async #expect(res: Response, ok: number[], what: string): Promise<void> {
    if (ok.includes(res.status)) return;
    if (res.status === 401 || res.status === 403) throw unauthenticated(this.registry, await registryMessage(res));
    throw registryError(this.registry, what, res.status, await registryMessage(res));
  }

  async #readBody(res: Response, expected = 0): Promise<Buffer> {
    const max = this.#options.maxBytes ?? 512 * 1024 * 1024;
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > max) throw invalidInput(`registry object of ${declared} bytes is over the ${max}-byte limit`);
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body ?? []) {
      total += chunk.length;
      if (total > max) throw invalidInput(`registry object is over the ${max}-byte limit`);
      chunks.push(Buffer.from(chunk));
      if (expected > 1024 * 1024) this.#options.onProgress?.(total, expected);
    }
    return Buffer.concat(chunks);
  }
}

export function sha256Digest(bytes: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** The tag of the OCI referrers tag schema for a digest: `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-');
}

function scope(repo: string, action: Action): string {
  return `repository:${repo}:${action}`;
}

function checkDigest(bytes: Buffer, digest: string, what: string): void {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' && alg !== 'sha512') return;
  const actual = createHash(alg).update(bytes).digest('hex');
  if (actual !== hex) throw new SignetError('verification-failed', `${what}: content does not match its digest`);
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '';
  } catch {
    return '';
  }
}

function descriptorOf(m: FetchedManifest): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length };
}

function basic(username: string, password: string): string {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

async function registryMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    const first = body.errors?.[0];
    if (first) return [first.code, first.message].filter(Boolean).join(': ');
  } catch {
    // not JSON: fall through to the status line
  }
  return text.split('\n')[0]!.slice(0, 200) || `HTTP ${res.status}`;
}

function registryError(registry: string, what: string, status: number, message: string): SignetError {
  return new SignetError(status >= 500 ? 'pushback' : 'invalid-input', `${what} on ${registry} failed: ${message}`);
}

function notFoundError(what: string, message: string): SignetError {
  return new SignetError('not-found', `${what} not found (${message})`);
}

function unauthenticated(registry: string, why = 'credentials required'): SignetError {
  return new SignetError('unauthenticated', `registry ${registry} refused access: ${why}`, {
    detail: { hint: `log in with \`signet login ${registry} -u USER --password-stdin\`` },
  });
}

function causeMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
}
