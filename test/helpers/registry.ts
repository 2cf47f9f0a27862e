import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopProcess, tempDir } from './process.js';

export interface RunningRegistry {
  /** host:port on loopback */
  host: string;
  stop(): Promise<void>;
}

/**
 * Starts Debian's `docker-registry` (the CNCF distribution registry) on a loopback port, with deletes enabled and,
 * when `auth` is given, htpasswd Basic auth.
 */
export async function startRegistry(auth?: { username: string; password: string }): Promise<RunningRegistry> {
  const dir = tempDir('signet-registry-');
  const port = await freePort();
  let authConfig = '';
  if (auth) {
    const htpasswd = spawnSync('htpasswd', ['-Bbn', auth.username, auth.password], { encoding: 'utf8' });
    if (htpasswd.status !== 0) throw new Error(`htpasswd failed: ${htpasswd.stderr}`);
    writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout);
    authConfig = `auth:\n  htpasswd:\n    realm: signet-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
${authConfig}`;
  writeFileSync(join(dir, 'config.yml'), config);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error('docker-registry exited early');
    const ok = await fetch(`http://${host}/v2/`).then(
      (r) => r.status === 200 || r.status === 401,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('docker-registry did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host,
    stop: async () => void (await stopProcess(child, 'docker-registry')),
  };
}

/**
 * Builds a small OCI image layout on disk (one random layer) and copies it to `dest` with skopeo, as a user's
 * image would arrive. Returns the manifest digest.
 */
export function pushTestImage(dest: string, creds?: { username: string; password: string }): string {
  const layout = newLayout();
  const m = layout.image('amd64');
  layout.finish({ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m });
  skopeoCopy(layout.dir, dest, creds);
  return m.digest;
}

/**
 * A two-platform image index (linux/amd64 and linux/arm64, one random layer each) pushed to `dest` with skopeo.
 * Returns the index digest and each platform's manifest digest.
 */
export function pushTestIndex(dest: string): { digest: string; amd64: string; arm64: string } {
  const layout = newLayout();
  const [amd64, arm64] = [layout.image('amd64'), layout.image('arm64')];
  const entry = (m: { digest: string; size: number }, architecture: string) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    ...m,
    platform: { os: 'linux', architecture },
  });
  const index = layout.put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [entry(amd64, 'amd64'), entry(arm64, 'arm64')],
      }),
    ),
  );
  layout.finish({ mediaType: 'application/vnd.oci.image.index.v1+json', ...index });
  skopeoCopy(layout.dir, dest, undefined, ['--all']);
  return { digest: index.digest, amd64: amd64.digest, arm64: arm64.digest };
}

function newLayout() {
  const dir = tempDir('signet-image-');
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer) => {
    const hex = createHash('sha256').update(data).digest('hex');
    writeFileSync(join(blobs, hex), data);
    return { digest: `sha256:${hex}`, size: data.length };
  };
  const image = (architecture: string) => {
    const layer = put(Buffer.from(`signet test layer ${Math.random()}`));
    const config = put(
      Buffer.from(JSON.stringify({ architecture, os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
    );
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...layer }],
      }),
    );
    return put(manifest);
  };
  const finish = (top: { mediaType: string; digest: string; size: number }) => {
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(dir, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [{ ...top, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
      }),
    );
  };
  return { dir, put, image, finish };
}

function skopeoCopy(dir: string, dest: string, creds?: { username: string; password: string }, extra: string[] = []) {
  const args = ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', ...extra];
  if (creds) args.push('--dest-creds', `${creds.username}:${creds.password}`);
  const r = spawnSync('skopeo', [...args, `oci:${dir}:latest`, `docker://${dest}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo copy failed: ${r.stderr}`);
}

/** `skopeo inspect --raw` of a reference (what an independent tool sees). */
export function skopeoRaw(ref: string, creds?: { username: string; password: string }): string {
  const args = ['inspect', '--raw', '--tls-verify=false'];
  if (creds) args.push('--creds', `${creds.username}:${creds.password}`);
  const r = spawnSync('skopeo', [...args, `docker://${ref}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo inspect failed: ${r.stderr}`);
  return r.stdout;
}
