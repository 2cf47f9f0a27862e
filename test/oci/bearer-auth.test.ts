import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { parseChallenge } from '../../src/oci/registry/challenge.js';
import { RegistryClient } from '../../src/oci/registry/client.js';

/** A registry stand-in that demands the Bearer token flow, and its token service, on one loopback server. */
async function bearerRegistry() {
  const seen: { scope: string[]; basic?: string }[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      seen.push({ scope: url.searchParams.getAll('scope'), basic: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ token: 'tok-' + url.searchParams.get('service') }));
      return;
    }
    if (req.headers.authorization !== 'Bearer tok-reg') {
      res.statusCode = 401;
      const realm = `http://127.0.0.1:${port}/token`;
      res.setHeader('www-authenticate', `Bearer realm="${realm}",service="reg",scope="repository:a/b:pull"`);
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ name: 'a/b', tags: ['v1'] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { host: `127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(r)) };
}

describe('registry Bearer token flow', () => {
  it('fetches a token for the scope with Basic credentials and retries', async () => {
    const reg = await bearerRegistry();
    try {
      const client = new RegistryClient(reg.host, { credentials: { username: 'u', password: 'p' } });
      assert.deepEqual(await client.listTags('a/b'), ['v1']);
      assert.deepEqual(await client.listTags('a/b'), ['v1']);
      assert.equal(reg.seen.length, 1, 'the token is cached per scope');
      assert.deepEqual(reg.seen[0]!.scope, ['repository:a/b:pull']);
      assert.equal(reg.seen[0]!.basic, 'Basic ' + Buffer.from('u:p').toString('base64'));
    } finally {
      await reg.close();
    }
  });
});

describe('WWW-Authenticate parsing', () => {
  it('parses quoted and bare parameters', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://a/token",service=reg,scope="repository:x:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://a/token', service: 'reg', scope: 'repository:x:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="r\\"q"'), { scheme: 'basic', params: { realm: 'r"q' } });
    assert.equal(parseChallenge(null), undefined);
    assert.equal(parseChallenge('  '), undefined);
  });
});
