import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { decodeJwt } from 'jose';
import { fixturesDir, signetBin } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw' };
let stack: RunningStack;
let dir: string;
let root: unknown;
const file = (name: string) => join(dir, name);
const readJson = (name: string): any => JSON.parse(readFileSync(file(name), 'utf8'));

before(async () => {
  delete process.env.SIGSTORE_ID_TOKEN;
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
  dir = tempDir('signet-sign-');
  root = await (await fetch(`${stack.url}/trusted_root.json`)).json();
  writeFileSync(file('artifact.txt'), 'an artifact to sign\n');
  ok(await signet(['generate-key-pair', '--output-key-prefix', file('release')]));
});
after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const signet = (args: string[], extra: Record<string, string> = {}) =>
  runSignetAsync(args, { env: { ...env, ...extra }, cwd: dir });
function ok(r: { status: number | null; stderr: string }) {
  assert.equal(r.status, 0, r.stderr);
}
const token = async (email: string) => {
  const r = await signet(['oidc', 'token', '--email', email, '--issuer', `${stack.url}/oidc`]);
  ok(r);
  return r.stdout.trim();
};

/** @sigstore/verify, trusting only the stack's trusted_root.json (plus the key for key-based bundles). */
function sigstoreVerify(bundle: unknown, artifact: Buffer | undefined, policy: { san?: string; key?: string } = {}) {
  const key = policy.key ? createPublicKey(readFileSync(policy.key)) : undefined;
  const material = toTrustMaterial(
    TrustedRoot.fromJSON(root),
    key ? () => ({ publicKey: key, validFor: () => true }) : undefined,
  );
  const verifier = new Verifier(material, { tlogThreshold: 1, ctlogThreshold: key ? 0 : 1 });
  const p = policy.san
    ? { subjectAlternativeName: policy.san, extensions: { issuer: `${stack.url}/oidc` } }
    : undefined;
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), p);
}

const verifyBlob = (args: string[]) =>
  signet(['verify-blob', '--trusted-root', `${stack.url}/trusted_root.json`, ...args, file('artifact.txt')]);

test('key-based sign-blob: signature on stdout, bundle v0.3 with a hashedrekord entry, verified by sigstore-js and signet', async () => {
  const r = await signet([
    'sign-blob',
    '--key',
    file('release.key'),
    '--rekor-url',
    stack.url,
    '--bundle',
    'k.json',
    file('artifact.txt'),
  ]);
  ok(r);
  assert.match(r.stdout, /^[A-Za-z0-9+/]+=*\n$/);
  assert.match(r.stderr, /tlog entry created with index: \d+/);
  const b = readJson('k.json');
  assert.equal(b.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.equal(b.messageSignature.signature, r.stdout.trim());
  assert.ok(b.verificationMaterial.publicKey.hint);
  const [entry] = b.verificationMaterial.tlogEntries;
  assert.deepEqual(entry.kindVersion, { kind: 'hashedrekord', version: '0.0.1' });
  assert.ok(entry.inclusionPromise.signedEntryTimestamp && entry.inclusionProof.checkpoint.envelope);
  const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString());
  assert.equal(
    Buffer.from(body.spec.signature.publicKey.content, 'base64').toString(),
    readFileSync(file('release.pub'), 'utf8'),
  );
  sigstoreVerify(b, readFileSync(file('artifact.txt')), { key: file('release.pub') });
  ok(await verifyBlob(['--key', file('release.pub'), '--bundle', file('k.json')]));
  const tampered = file('tampered.txt');
  writeFileSync(tampered, 'something else');
  const bad = await signet([
    'verify-blob',
    '--trusted-root',
    `${stack.url}/trusted_root.json`,
    '--key',
    file('release.pub'),
    '--bundle',
    file('k.json'),
    tampered,
  ]);
  assert.equal(bad.status, 1);
});

test('--tlog-upload=false: no entry, and --new-bundle-format=false writes the old cosign bundle', async () => {
  ok(
    await signet([
      'sign-blob',
      '--key',
      file('release.key'),
      '--tlog-upload=false',
      '--bundle',
      'nolog.json',
      '--output-signature',
      'nolog.sig',
      file('artifact.txt'),
    ]),
  );
  const b = readJson('nolog.json');
  assert.deepEqual(b.verificationMaterial.tlogEntries, []);
  assert.equal(readFileSync(file('nolog.sig'), 'utf8'), b.messageSignature.signature);
  ok(await verifyBlob(['--key', file('release.pub'), '--bundle', file('nolog.json'), '--insecure-ignore-tlog']));

  ok(
    await signet([
      'sign-blob',
      '--key',
      file('release.key'),
      '--rekor-url',
      stack.url,
      '--new-bundle-format=false',
      '--bundle',
      'old.json',
      file('artifact.txt'),
    ]),
  );
  const old = readJson('old.json');
  assert.deepEqual(Object.keys(old).sort(), ['base64Signature', 'cert', 'rekorBundle']);
  assert.equal(Buffer.from(old.cert, 'base64').toString(), readFileSync(file('release.pub'), 'utf8'));
  assert.equal(typeof old.rekorBundle.Payload.logIndex, 'number');
  assert.match(old.rekorBundle.Payload.logID, /^[0-9a-f]{64}$/);
  ok(await verifyBlob(['--key', file('release.pub'), '--bundle', file('old.json')]));
});

test('a key made by cosign (password hello) signs through the stack', async () => {
  const key = join(fixturesDir, 'cosign-keys', 'pemsigstorekey.key');
  ok(await signet(['public-key', '--key', key, '--outfile', file('vector.pub')], { COSIGN_PASSWORD: 'hello' }));
  ok(
    await signet(['sign-blob', '--key', key, '--rekor-url', stack.url, '--bundle', 'v.json', file('artifact.txt')], {
      COSIGN_PASSWORD: 'hello',
    }),
  );
  sigstoreVerify(readJson('v.json'), readFileSync(file('artifact.txt')), { key: file('vector.pub') });
});

test('an Ed25519 key signs as Ed25519ph (SHA-512) when logged, as cosign does; pure Ed25519 without the log', async () => {
  const ed = generateKeyPairSync('ed25519');
  writeFileSync(file('ed.pem'), ed.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  ok(await signet(['import-key-pair', '--key', 'ed.pem', '-o', 'ed']));
  const artifact = readFileSync(file('artifact.txt'));
  const raw = Buffer.from(ed.publicKey.export({ format: 'jwk' }).x!, 'base64url');
  ok(
    await signet([
      'sign-blob',
      '--key',
      'ed.key',
      '--rekor-url',
      stack.url,
      '--bundle',
      'ed.json',
      file('artifact.txt'),
    ]),
  );
  const b = readJson('ed.json');
  assert.equal(b.messageSignature.messageDigest.algorithm, 'SHA2_512');
  assert.ok(ed25519ph.verify(Buffer.from(b.messageSignature.signature, 'base64'), artifact, raw));
  const body = JSON.parse(Buffer.from(b.verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64').toString());
  assert.equal(body.spec.data.hash.algorithm, 'sha512');
  writeFileSync(file('ed.pub'), ed.publicKey.export({ type: 'spki', format: 'pem' }));
  ok(await verifyBlob(['--key', file('ed.pub'), '--bundle', file('ed.json')]));
  ok(
    await signet([
      'sign-blob',
      '--key',
      'ed.key',
      '--tlog-upload=false',
      '--bundle',
      'ed-pure.json',
      file('artifact.txt'),
    ]),
  );
  const pure = Buffer.from(readJson('ed-pure.json').messageSignature.signature, 'base64');
  assert.ok(verify(null, artifact, ed.publicKey, pure));
});

test('keyless sign-blob with a token from the dev provider: certificate with SCT, verified by sigstore-js and signet', async () => {
  const tok = await token('alice@example.com');
  const r = await signet([
    'sign-blob',
    '--signing-config',
    `${stack.url}/signing_config.json`,
    '--identity-token',
    tok,
    '--bundle',
    'kl.json',
    '--output-certificate',
    'kl.crt',
    '--b64=false',
    file('artifact.txt'),
  ]);
  ok(r);
  const b = readJson('kl.json');
  assert.ok(b.verificationMaterial.certificate.rawBytes);
  assert.match(readFileSync(file('kl.crt'), 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  const signer = sigstoreVerify(b, readFileSync(file('artifact.txt')), { san: 'alice@example.com' });
  assert.equal(signer.identity?.subjectAlternativeName, 'alice@example.com');
  assert.throws(() => sigstoreVerify(b, readFileSync(file('artifact.txt')), { san: 'mallory@example.com' }));
  const identity = ['--certificate-oidc-issuer', `${stack.url}/oidc`, '--bundle', file('kl.json')];
  ok(await verifyBlob(['--certificate-identity', 'alice@example.com', ...identity]));
  assert.equal((await verifyBlob(['--certificate-identity', 'bob@example.com', ...identity])).status, 1);
});

test("keyless with the token in SIGSTORE_ID_TOKEN and the URL flags; a bad token gets fulcio's answer in one line", async () => {
  const urls = ['--fulcio-url', stack.url, '--rekor-url', stack.url];
  ok(
    await signet(['sign-blob', ...urls, '--bundle', 'env.json', file('artifact.txt')], {
      SIGSTORE_ID_TOKEN: await token('env@example.com'),
    }),
  );
  sigstoreVerify(readJson('env.json'), readFileSync(file('artifact.txt')), { san: 'env@example.com' });
  const forged = (await token('x@example.com')).replace(/\.[^.]+$/, '.AAAA');
  const bad = await signet(['sign-blob', ...urls, '--identity-token', forged, file('artifact.txt')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^signet: error: fulcio answered 40[01]: /m);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
});

test('attest-blob: in-toto statement in DSSE, logged as dsse; keyless and key-based bundles verify', async () => {
  writeFileSync(file('prov.json'), JSON.stringify({ buildDefinition: { buildType: 'https://example.com/build' } }));
  const tok = await token('builder@example.com');
  ok(
    await signet([
      'attest-blob',
      '--predicate',
      'prov.json',
      '--type',
      'slsaprovenance1',
      '--signing-config',
      `${stack.url}/signing_config.json`,
      '--identity-token',
      tok,
      '--bundle',
      'att.json',
      file('artifact.txt'),
    ]),
  );
  const b = readJson('att.json');
  const statement = JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString());
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
  assert.equal(statement.subject[0].name, 'artifact.txt');
  assert.deepEqual(b.verificationMaterial.tlogEntries[0].kindVersion, { kind: 'dsse', version: '0.0.2' });
  sigstoreVerify(b, undefined, { san: 'builder@example.com' });
  ok(
    await signet([
      'verify-blob-attestation',
      '--trusted-root',
      `${stack.url}/trusted_root.json`,
      '--type',
      'slsaprovenance1',
      '--certificate-identity',
      'builder@example.com',
      '--certificate-oidc-issuer',
      `${stack.url}/oidc`,
      '--bundle',
      file('att.json'),
      file('artifact.txt'),
    ]),
  );

  // A complete statement is signed byte for byte, no artifact needed (sigstore-conformance's sign-bundle --in-toto).
  const stmt = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        {
          name: 'artifact.txt',
          digest: {
            sha256: createHash('sha256')
              .update(readFileSync(file('artifact.txt')))
              .digest('hex'),
          },
        },
      ],
      predicateType: 'https://example.com/p',
      predicate: { a: 1 },
    }) + '\n',
  );
  writeFileSync(file('statement.json'), stmt);
  ok(
    await signet([
      'attest-blob',
      '--statement',
      'statement.json',
      '--signing-config',
      `${stack.url}/signing_config.json`,
      '--identity-token',
      tok,
      '--bundle',
      'stmt.json',
      '-y',
    ]),
  );
  assert.ok(Buffer.from(readJson('stmt.json').dsseEnvelope.payload, 'base64').equals(stmt));
  sigstoreVerify(readJson('stmt.json'), undefined, { san: 'builder@example.com' });

  writeFileSync(file('note.txt'), 'free-form predicate');
  ok(
    await signet([
      'attest-blob',
      '--key',
      file('release.key'),
      '--predicate',
      'note.txt',
      '--rekor-url',
      stack.url,
      '--bundle',
      'att-key.json',
      file('artifact.txt'),
    ]),
  );
  const kb = readJson('att-key.json');
  const custom = JSON.parse(Buffer.from(kb.dsseEnvelope.payload, 'base64').toString());
  assert.equal(custom.predicateType, 'https://cosign.sigstore.dev/attestation/v1');
  assert.equal(custom.predicate.Data, 'free-form predicate');
  sigstoreVerify(kb, undefined, { key: file('release.pub') });
  const bad = await signet([
    'attest-blob',
    '--key',
    file('release.key'),
    '--predicate',
    'note.txt',
    '--type',
    'spdxjson',
    '--tlog-upload=false',
    file('artifact.txt'),
  ]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^signet: error: the predicate for https:\/\/spdx\.dev\/Document is not JSON$/m);
});

test('interactive login through the CLI: browser (PKCE, $BROWSER plays the person) and device flow', async () => {
  // A "browser" that logs in as browser@example.com and follows the redirect to signet's loopback callback.
  const browser = file('browser.mjs');
  writeFileSync(
    browser,
    `#!${process.execPath}
const url = process.argv[2];
const page = await fetch(url);
const html = await page.text();
const cookie = page.headers.get('set-cookie').split(';')[0];
const field = (n) => new RegExp('name="' + n + '" value="([^"]*)"').exec(html)[1];
const action = /<form method="post" action="([^"]+)"/.exec(html)[1];
const res = await fetch(new URL(action, url), { method: 'POST', redirect: 'manual',
  headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
  body: new URLSearchParams({ login_id: field('login_id'), csrf: field('csrf'), email: 'browser@example.com' }) });
await fetch(res.headers.get('location'));
`,
  );
  chmodSync(browser, 0o755);
  const flags = ['--fulcio-url', stack.url, '--rekor-url', stack.url, '--oidc-issuer', `${stack.url}/oidc`];
  const r = await signet(['sign-blob', ...flags, '--bundle', 'browser.json', file('artifact.txt')], {
    BROWSER: browser,
  });
  ok(r);
  assert.match(r.stderr, /Your browser will now be opened to:/);
  sigstoreVerify(readJson('browser.json'), readFileSync(file('artifact.txt')), { san: 'browser@example.com' });

  // Device flow: read the user code from stderr and approve it on the verification page.
  const child = spawn(
    process.execPath,
    [signetBin, 'sign-blob', ...flags, '--fulcio-auth-flow', 'device', '--bundle', 'device.json', file('artifact.txt')],
    {
      cwd: dir,
      env: { ...process.env, ...env, BROWSER: '' },
    },
  );
  let stderr = '';
  const approved = new Promise<void>((resolve, reject) => {
    child.stderr.on('data', async (d) => {
      stderr += d;
      const m = /or open (\S+)/.exec(stderr);
      if (!m || stderr.includes('#approved')) return;
      stderr += '#approved';
      try {
        const page = await fetch(m[1]!);
        const html = await page.text();
        const field = (n: string) => new RegExp(`name="${n}" value="([^"]*)"`).exec(html)![1]!;
        const res = await fetch(new URL(m[1]!).origin + new URL(m[1]!).pathname, {
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            cookie: page.headers.get('set-cookie')!.split(';')[0]!,
          },
          body: new URLSearchParams({
            csrf: field('csrf'),
            user_code: field('user_code'),
            email: 'device@example.com',
            action: 'approve',
          }),
        });
        assert.equal(res.status, 200);
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
  child.stdin.end();
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await approved;
  assert.equal(status, 0, stderr);
  assert.match(stderr, /Enter the code \S+ at http/);
  const b = readJson('device.json');
  const cert = sigstoreVerify(b, readFileSync(file('artifact.txt')), { san: 'device@example.com' });
  assert.equal(cert.identity?.subjectAlternativeName, 'device@example.com');
  assert.equal(decodeJwt(await token('z@example.com')).aud, 'sigstore');
});

test('bad input: one-line errors, non-zero exit, no crash', async () => {
  const cases: Array<[string[], RegExp, Record<string, string>?]> = [
    [
      ['sign-blob', '--key', file('release.key'), '--tlog-upload=maybe', file('artifact.txt')],
      /--tlog-upload takes true or false/,
    ],
    [['sign-blob', '--key', file('missing.key'), file('artifact.txt')], /cannot read .*missing\.key: ENOENT/],
    [
      ['sign-blob', '--key', file('release.key'), '--tlog-upload=false', file('missing.txt')],
      /cannot read .*missing\.txt/,
    ],
    [
      ['sign-blob', '--key', file('release.key'), '--rekor-url', 'http://127.0.0.1:1', file('artifact.txt')],
      /cannot reach http:\/\/127\.0\.0\.1:1/,
    ],
    [
      ['sign-blob', '--key', file('release.key'), file('artifact.txt')],
      /wrong password for/,
      { COSIGN_PASSWORD: 'nope' },
    ],
    [
      ['sign-blob', '--signing-config', file('artifact.txt'), '--identity-token', 'x', file('artifact.txt')],
      /signing config .* is not JSON/,
    ],
    [
      [
        'sign-blob',
        '--signing-config',
        `${stack.url}/signing_config.json`,
        '--rekor-url',
        stack.url,
        file('artifact.txt'),
      ],
      /cannot specify service URLs and use a signing config/,
    ],
    [
      [
        'sign-blob',
        '--fulcio-url',
        stack.url,
        '--rekor-url',
        stack.url,
        '--identity-token',
        'no-such-file',
        file('artifact.txt'),
      ],
      /neither a JWT nor a readable file/,
    ],
    [
      [
        'attest-blob',
        '--key',
        file('release.key'),
        '--type',
        'nonsense',
        '--predicate',
        'prov.json',
        file('artifact.txt'),
      ],
      /unknown predicate type "nonsense"/,
    ],
    [
      ['attest-blob', '--key', file('release.key'), file('artifact.txt')],
      /pass exactly one of --predicate and --statement/,
    ],
    [
      [
        'sign-blob',
        '--fulcio-url',
        stack.url,
        '--rekor-url',
        stack.url,
        '--oidc-issuer',
        `${stack.url}/oidc`,
        file('artifact.txt'),
      ],
      /no identity token and no terminal for an interactive login/,
      { BROWSER: '', DISPLAY: '', WAYLAND_DISPLAY: '' },
    ],
  ];
  for (const [args, want, extra] of cases) {
    const r = await signet(args, extra);
    assert.equal(r.status, 1, `${args.join(' ')}\n${r.stderr}`);
    assert.match(r.stderr, /^signet: error: /m);
    assert.match(r.stderr, want);
    assert.ok(!r.stderr.includes('    at '), r.stderr);
  }
});
