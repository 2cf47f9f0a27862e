import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import type { TestContext } from 'node:test';
import { buildSigningConfig, buildTrustedRoot, type TrustInputs } from '../../src/stack/trust.js';
import { createTufService, type TufService, type TufServiceOptions } from '../../src/tuf/index.js';
import { tempDir } from '../helpers/process.js';

/** Trust inputs for a made-up stack: one log (its key replaceable), no CA. */
export function fakeInputs(baseUrl = 'http://127.0.0.1:1'): TrustInputs {
  return {
    tlogs: [
      {
        baseUrl,
        publicKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey,
        validFrom: new Date(Date.now() - 3600_000),
      },
    ],
    ctlogs: [],
    certificateAuthorities: [],
    oidcUrls: [{ url: `${baseUrl}/oidc`, validFrom: new Date(Date.now() - 3600_000) }],
  };
}

export interface ServedRepo {
  tuf: TufService;
  dir: string;
  mirror: string;
  inputs: TrustInputs;
  app: FastifyInstance;
}

/** A TUF service over `inputs`, served on a loopback port; cleaned up after the test. */
export async function serveRepo(t: TestContext, options: Partial<TufServiceOptions> = {}): Promise<ServedRepo> {
  const dir = tempDir('signet-tuf-');
  const inputs = fakeInputs();
  const tuf = await createTufService({
    dir: join(dir, 'tuf'),
    logger: pino({ level: 'silent' }),
    source: { trustedRoot: () => buildTrustedRoot(inputs), signingConfig: () => buildSigningConfig(inputs) },
    ...options,
  });
  const app = Fastify();
  await tuf.register(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await tuf.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const port = (app.server.address() as { port: number }).port;
  return { tuf, dir, mirror: `http://127.0.0.1:${port}/tuf`, inputs, app };
}
