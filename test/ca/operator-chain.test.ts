import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import pino from 'pino';
import { createCaService, loadChainAndKey, parseIdentityConfig } from '../../src/ca/index.js';
import { requireProgram } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';
import { keyAndProof, startTestIssuer, v2Body } from './fixtures.js';

/** An operator's chain made with openssl: P-384 root, intermediate with codeSigning EKU, key in legacy encrypted PEM. */
function opensslChain(dir: string, intermediateExt: string): { chain: string; key: string } {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  writeFileSync(
    join(dir, 'ext.cnf'),
    `[root]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n[int]\n${intermediateExt}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
  );
  run('ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'root.key');
  run(
    'req',
    '-new',
    '-x509',
    '-key',
    'root.key',
    '-subj',
    '/O=example/CN=root',
    '-days',
    '30',
    '-sha384',
    '-extensions',
    'root',
    '-config',
    'ext.cnf',
    '-out',
    'root.pem',
  );
  run('ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'int.key');
  run('ec', '-in', 'int.key', '-aes256', '-passout', 'pass:password123', '-out', 'int.enc.key');
  run('req', '-new', '-key', 'int.key', '-subj', '/O=example/CN=intermediate', '-out', 'int.csr');
  run(
    'x509',
    '-req',
    '-in',
    'int.csr',
    '-CA',
    'root.pem',
    '-CAkey',
    'root.key',
    '-CAcreateserial',
    '-days',
    '30',
    '-sha384',
    '-extfile',
    'ext.cnf',
    '-extensions',
    'int',
    '-out',
    'int.pem',
  );
  return {
    chain: readFileSync(join(dir, 'int.pem'), 'utf8') + readFileSync(join(dir, 'root.pem'), 'utf8'),
    key: readFileSync(join(dir, 'int.enc.key'), 'utf8'),
  };
}

test('an openssl-made chain with an encrypted legacy PEM key issues certificates that openssl verifies', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = tempDir();
  const { chain, key } = opensslChain(
    dir,
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nextendedKeyUsage=codeSigning',
  );
  assert.throws(() => loadChainAndKey(chain, key, 'wrong'), /wrong password/);
  const loaded = loadChainAndKey(chain, key, 'password123');
  const issuer = await startTestIssuer();
  const app = Fastify({ logger: false });
  try {
    const ca = await createCaService({
      dataDir: dir,
      publicUrl: 'http://ca.test',
      logger: pino({ level: 'silent' }),
      issuers: parseIdentityConfig({ OIDCIssuers: { [issuer.url]: { Type: 'email' } } }),
      ca: loaded,
    });
    await ca.register(app);
    const { pem, proof } = keyAndProof('op@example.com');
    const res = await app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: v2Body(await issuer.token({ sub: 's', email: 'op@example.com', email_verified: true }), pem, proof),
    });
    assert.equal(res.statusCode, 200, res.body);
    const certs: string[] = res.json().signedCertificateDetachedSct.chain.certificates;
    assert.equal(certs.length, 3);
    writeFileSync(join(dir, 'leaf.pem'), certs[0] + '\n');
    const out = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'root.pem'), '-untrusted', join(dir, 'int.pem'), join(dir, 'leaf.pem')],
      { encoding: 'utf8' },
    );
    assert.match(out, /leaf.pem: OK/);
  } finally {
    await app.close();
    await issuer.close();
  }
});

test('an intermediate without the codeSigning EKU is refused at load, as Fulcio refuses it', (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const { chain, key } = opensslChain(
    tempDir(),
    'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign',
  );
  assert.throws(() => loadChainAndKey(chain, key, 'password123'), /codeSigning extended key usage/);
});

test('a signing certificate that is not a CA is refused', (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const { chain, key } = opensslChain(tempDir(), 'basicConstraints=critical,CA:FALSE\nextendedKeyUsage=codeSigning');
  assert.throws(() => loadChainAndKey(chain, key, 'password123'), /not a CA/);
});
