import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { splitPackets } from '../../../src/crypto/pgp-packets.js';
import { admitEntry, indexKeysForPublicKey } from '../../../src/log/types/index.js';
import { requireProgram } from '../../helpers/env.js';
import { b64, fixture, rejects, run } from './tools.js';

const sha256 = (d: Buffer | string) => createHash('sha256').update(d).digest('hex');

function rekord(format: string, sig: Buffer, key: Buffer, content: Buffer, hash?: string) {
  return {
    kind: 'rekord',
    apiVersion: '0.0.1',
    spec: {
      signature: { format, content: b64(sig), publicKey: { content: b64(key) } },
      data: { content: b64(content), ...(hash ? { hash: { algorithm: 'sha256', value: hash } } : {}) },
    },
  };
}

function workdir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-rekord-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function stored(body: Buffer) {
  const spec = JSON.parse(body.toString()).spec;
  return {
    spec,
    sig: Buffer.from(spec.signature.content, 'base64').toString('latin1'),
    key: Buffer.from(spec.signature.publicKey.content, 'base64').toString('latin1'),
  };
}

test('x509: openssl signature over the whole artifact; content dropped, hash kept', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = workdir(t);
  const key = join(dir, 'k.pem');
  writeFileSync(key, run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']));
  const pub = run('openssl', ['pkey', '-in', key, '-pubout']);
  const content = Buffer.from('rekord x509 artifact\n');
  writeFileSync(join(dir, 'a'), content);
  const sig = run('openssl', ['dgst', '-sha256', '-sign', key, join(dir, 'a')]);
  const admitted = await admitEntry(rekord('x509', sig, pub, content, sha256(content)));
  const { spec } = stored(admitted.body);
  assert.deepEqual(spec, {
    data: { hash: { algorithm: 'sha256', value: sha256(content) } },
    signature: { content: b64(sig), format: 'x509', publicKey: { content: b64(pub) } },
  });
  assert.deepEqual(admitted.indexKeys, [sha256(pub), `sha256:${sha256(content)}`]);
  assert.deepEqual(indexKeysForPublicKey('x509', pub), [sha256(pub)]);
  // Rekor's own x509 fixture verifies too.
  const x = await admitEntry(
    rekord(
      'x509',
      fixture('x509', 'hello_world.txt.sig'),
      fixture('x509', 'ec.pub'),
      fixture('x509', 'hello_world.txt'),
    ),
  );
  assert.equal(x.kind, 'rekord');
});

test('a data.hash that disagrees with the content, a data.url and a missing content are refused', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const content = fixture('x509', 'hello_world.txt');
  const good = rekord('x509', fixture('x509', 'hello_world.txt.sig'), fixture('x509', 'ec.pub'), content);
  await rejects(
    admitEntry(rekord('x509', fixture('x509', 'hello_world.txt.sig'), fixture('x509', 'ec.pub'), content, sha256('x'))),
    'invalid-input',
    /SHA mismatch/,
  );
  const upper = sha256(content).toUpperCase(); // Rekor compares the lower-case hex string exactly
  await rejects(
    admitEntry(rekord('x509', fixture('x509', 'hello_world.txt.sig'), fixture('x509', 'ec.pub'), content, upper)),
    'invalid-input',
    /SHA mismatch/,
  );
  const withUrl = structuredClone(good) as any;
  withUrl.spec.data = { url: 'https://example.com/a', hash: { algorithm: 'sha256', value: sha256(content) } };
  await rejects(admitEntry(withUrl), 'invalid-input', /does not fetch .* by URL/);
  const noContent = structuredClone(good) as any;
  noContent.spec.data = { hash: { algorithm: 'sha256', value: sha256(content) } };
  await rejects(admitEntry(noContent), 'invalid-input', /spec\.data\.content: missing/);
  const tampered = rekord(
    'x509',
    fixture('x509', 'hello_world.txt.sig'),
    fixture('x509', 'ec.pub'),
    Buffer.from('other'),
  );
  await rejects(admitEntry(tampered), 'invalid-input', /does not verify/);
  await rejects(
    admitEntry({ ...good, spec: { ...good.spec, signature: { ...good.spec.signature, format: 'cose' } } }),
    'invalid-input',
    /format/,
  );
});

test('ssh: ssh-keygen -Y sign -n file; Go-armored SSHSIG and authorized_keys form stored', async (t) => {
  if (!requireProgram(t, 'ssh-keygen', '-?')) return;
  const dir = workdir(t);
  const content = Buffer.from('ssh-signed artifact\n');
  const file = join(dir, 'artifact');
  writeFileSync(file, content);
  for (const type of ['ed25519', 'ecdsa', 'rsa']) {
    await t.test(type, async () => {
      const key = join(dir, `id_${type}`);
      run('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'Dev@Example.com', '-f', key]);
      run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', key, file]);
      const sig = readFileSync(`${file}.sig`);
      rmSync(`${file}.sig`); // ssh-keygen will not overwrite it for the next key type
      const pub = readFileSync(`${key}.pub`);
      const admitted = await admitEntry(rekord('ssh', sig, pub, content));
      const s = stored(admitted.body);
      const [keyType, keyB64] = pub.toString().trim().split(' ');
      assert.equal(s.key, `${keyType} ${keyB64}\n`, 'authorized_keys form without the comment');
      assert.match(
        s.sig,
        /^-----BEGIN SSH SIGNATURE-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END SSH SIGNATURE-----\n$/,
      );
      const original = sig.toString().replace(/-----[^-]+-----|\s/g, '');
      assert.equal(s.sig.replace(/-----[^-]+-----|\s/g, ''), original, 'same SSHSIG bytes, Go line width');
      assert.deepEqual(admitted.indexKeys, [sha256(s.key), 'dev@example.com', `sha256:${sha256(content)}`]);
      assert.deepEqual(indexKeysForPublicKey('ssh', pub), [sha256(s.key)]);
      await rejects(admitEntry(rekord('ssh', sig, pub, Buffer.from('tampered'))), 'invalid-input', /does not verify/);
    });
  }
  await t.test('wrong namespace and sha256 refused', async () => {
    const key = join(dir, 'id_ns');
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    run('ssh-keygen', ['-Y', 'sign', '-n', 'git', '-f', key, file]);
    const pub = readFileSync(`${key}.pub`);
    await rejects(admitEntry(rekord('ssh', readFileSync(`${file}.sig`), pub, content)), 'invalid-input', /namespace/);
    rmSync(`${file}.sig`);
    run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-O', 'hashalg=sha256', '-f', key, file]);
    await rejects(admitEntry(rekord('ssh', readFileSync(`${file}.sig`), pub, content)), 'invalid-input', /sha512/);
    rmSync(`${file}.sig`);
  });
});

test("ssh: Rekor's own fixture signature verifies", async () => {
  const admitted = await admitEntry(
    rekord(
      'ssh',
      fixture('ssh', 'hello_world.txt.sig'),
      fixture('ssh', 'id_rsa.pub'),
      fixture('ssh', 'hello_world.txt'),
    ),
  );
  const comment = fixture('ssh', 'id_rsa.pub').toString().trim().split(' ')[2]!;
  assert.deepEqual(admitted.indexKeys.slice(1, 2), [comment.toLowerCase()]); // the comment is an e-mail address
});

test('minisign: Rekor fixtures (Ed and prehashed ED); canonical key and signature lines', async () => {
  const content = fixture('minisign', 'hello_world.txt');
  for (const [pub, sig] of [
    ['minisign.pub', 'hello_world.txt.minisig'],
    ['minisign_hashed.pub', 'hello_world_hashed.txt.minisig'],
    ['minisign_key_only.pub', 'hello_world.txt.minisig'],
  ] as const) {
    const admitted = await admitEntry(rekord('minisign', fixture('minisign', sig), fixture('minisign', pub), content));
    const s = stored(admitted.body);
    const sigLines = fixture('minisign', sig).toString().split('\n');
    assert.equal(s.sig, `untrusted comment:\n${sigLines[1]}`);
    assert.match(s.key, /^RW[A-Za-z0-9+/]{54}$/);
    assert.deepEqual(admitted.indexKeys, [sha256(s.key), `sha256:${sha256(content)}`]);
    assert.deepEqual(indexKeysForPublicKey('minisign', fixture('minisign', pub)), [sha256(s.key)]);
  }
  await rejects(
    admitEntry(
      rekord(
        'minisign',
        fixture('minisign', 'hello_world.txt.minisig'),
        fixture('minisign', 'minisign.pub'),
        Buffer.from('x'),
      ),
    ),
    'invalid-input',
    /does not verify/,
  );
  await rejects(
    admitEntry(rekord('minisign', Buffer.from('one line'), fixture('minisign', 'minisign.pub'), content)),
    'invalid-input',
    /lines detected/,
  );
});

async function gpgKey(t: TestContext): Promise<{ home: string; env: NodeJS.ProcessEnv; dir: string } | undefined> {
  if (!requireProgram(t, 'gpg', '--version')) return undefined;
  const dir = workdir(t);
  const home = join(dir, 'gnupg');
  run('mkdir', ['-m', '700', home]);
  const env = { ...process.env, GNUPGHOME: home };
  run(
    'gpg',
    [
      '--batch',
      '--pinentry-mode',
      'loopback',
      '--passphrase',
      '',
      '--quick-gen-key',
      'Signet Test <Signer@Example.com>',
      'ed25519',
      'sign',
      '1d',
    ],
    { env },
  );
  t.after(() => {
    try {
      run('gpgconf', ['--kill', 'all'], { env });
    } catch {
      // no agent to stop
    }
  });
  return { home, env, dir };
}

test('pgp: gpg detached signatures (armored and binary) with armored and binary keys', async (t) => {
  const g = await gpgKey(t);
  if (!g) return;
  const content = Buffer.from('pgp-signed artifact\n');
  const file = join(g.dir, 'artifact');
  writeFileSync(file, content);
  const opts = { env: g.env };
  const armoredKey = run('gpg', ['--batch', '--armor', '--export'], opts);
  const binaryKey = run('gpg', ['--batch', '--export'], opts);
  const armoredSig = run(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--detach-sign', '-o', '-', file],
    opts,
  );
  const binarySig = run(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--detach-sign', '-o', '-', file],
    opts,
  );
  const results = [];
  for (const [key, sig] of [
    [armoredKey, armoredSig],
    [binaryKey, binarySig],
    [armoredKey, binarySig],
  ]) {
    results.push(await admitEntry(rekord('pgp', sig!, key!, content)));
  }
  const [a, b, c] = results.map((r) => stored(r.body));
  // Keys are re-armored the Go way, so armored and binary forms of one key store the same bytes.
  assert.equal(a!.key, b!.key);
  assert.match(
    a!.key,
    /^-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n[\s\S]+\n=[A-Za-z0-9+/]{4}\n-----END PGP PUBLIC KEY BLOCK-----$/,
  );
  // An armored signature is stored as given; a binary one is armored the Go way.
  assert.equal(a!.sig, armoredSig.toString('latin1'));
  assert.match(b!.sig, /^-----BEGIN PGP SIGNATURE-----\n\n[\s\S]+\n=[A-Za-z0-9+/]{4}\n-----END PGP SIGNATURE-----$/);
  assert.equal(c!.sig, b!.sig);
  assert.deepEqual(results[0]!.indexKeys, [sha256(a!.key), 'signer@example.com', `sha256:${sha256(content)}`]);
  assert.deepEqual(indexKeysForPublicKey('pgp', binaryKey), [sha256(a!.key)]);
  await rejects(
    admitEntry(rekord('pgp', armoredSig, armoredKey, Buffer.from('tampered'))),
    'invalid-input',
    /does not verify/,
  );
  const secret = run(
    'gpg',
    ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', '--armor', '--export-secret-keys'],
    opts,
  );
  await rejects(admitEntry(rekord('pgp', armoredSig, secret, content)), 'invalid-input');
});

test("pgp: Rekor's fixtures (armored and binary keys, armored and binary signatures)", async () => {
  const content = fixture('pgp', 'hello_world.txt');
  const keys = ['valid_armored_public.pgp', 'valid_binary_public.pgp'].map((f) => fixture('pgp', f));
  const canonical = new Set<string>();
  for (const key of keys) {
    for (const sig of ['hello_world.txt.sig', 'hello_world.txt.asc.sig']) {
      const admitted = await admitEntry(rekord('pgp', fixture('pgp', sig), key, content));
      canonical.add(stored(admitted.body).key);
    }
  }
  assert.equal(canonical.size, 1, 'one key, one canonical form');
  // The stored key parses back to the same key.
  const again = [...canonical][0]!;
  assert.deepEqual(indexKeysForPublicKey('pgp', Buffer.from(again, 'latin1')), [sha256(again)]);
  assert.ok(createPublicKey); // keep node:crypto import used by helpers
});

test('pgp: the public log entry at index 0 is reproduced (Go-armored key and binary signature)', async () => {
  const logged = JSON.parse(fixture('public-log', 'logindex-0.body').toString());
  const leaf = createHash('sha256')
    .update(Buffer.from([0]))
    .update(fixture('public-log', 'logindex-0.body'))
    .digest('hex');
  assert.equal(
    leaf,
    'b08416d417acdb0610d4a030d8f697f9d0a718024681a00fa0b9ba67072a38b5',
    'the fixture is the logged leaf',
  );
  const key = Buffer.from(logged.spec.signature.publicKey.content, 'base64');
  const armoredSig = Buffer.from(logged.spec.signature.content, 'base64').toString();
  // The client sent a binary signature; Rekor stored it armored. Send the binary form and expect the same armor.
  const binarySig = Buffer.from(armoredSig.split('\n\n')[1]!.split('\n=')[0]!.replace(/\n/g, ''), 'base64');
  const admitted = await admitEntry(rekord('pgp', binarySig, key, fixture('public-log', 'test_file.txt')));
  // The 2021 body predates RFC 8785 (its keys are in Go struct order); the content must be identical.
  assert.deepEqual(JSON.parse(admitted.body.toString()), logged);
  assert.ok(admitted.indexKeys.includes('lhinds@protonmail.com'));
  // The same key as gpg exports it (old-format packet headers, binary) canonicalizes to the logged armor.
  const packets = splitPackets(
    Buffer.from(key.toString().split('\n\n')[1]!.split('\n=')[0]!.replace(/\n/g, ''), 'base64'),
  );
  const oldFormat = Buffer.concat(
    packets.map((p) => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(p.body.length);
      return Buffer.concat([Buffer.from([0x80 | (p.tag << 2) | 1]), len, p.body]);
    }),
  );
  const again = await admitEntry(rekord('pgp', binarySig, oldFormat, fixture('public-log', 'test_file.txt')));
  assert.deepEqual(again.body, admitted.body);
});

test('ssh: the public log entry at index 1236200 is reproduced byte for byte', async () => {
  const body = fixture('public-log', 'logindex-1236200.body');
  const leaf = createHash('sha256')
    .update(Buffer.from([0]))
    .update(body)
    .digest('hex');
  assert.equal(
    leaf,
    '9bf4f37447a48848c1f69b6463190cd6cef7728d6b86b7723f08aad0c54cb8d4',
    'the fixture is the logged leaf',
  );
  const spec = JSON.parse(body.toString()).spec;
  const sig = Buffer.from(spec.signature.content, 'base64');
  const key = Buffer.from(spec.signature.publicKey.content, 'base64');
  const admitted = await admitEntry(rekord('ssh', sig, key, fixture('public-log', 'logindex-1236200.artifact')));
  assert.equal(admitted.body.toString(), body.toString());
  // ssh-keygen's own armor (70 columns) and a key line with a comment canonicalize to the same logged bytes.
  const sshKeygenArmor = sig
    .toString()
    .replace(/^-----BEGIN SSH SIGNATURE-----\n([\s\S]*)\n-----END/, (_m, b64: string) => {
      const flat = b64.replace(/\n/g, '');
      return `-----BEGIN SSH SIGNATURE-----\n${flat.match(/.{1,70}/g)!.join('\n')}\n-----END`;
    });
  const withComment = Buffer.from(key.toString().trim() + ' someone@example.com\n');
  const again = await admitEntry(
    rekord('ssh', Buffer.from(sshKeygenArmor), withComment, fixture('public-log', 'logindex-1236200.artifact')),
  );
  assert.equal(again.body.toString(), body.toString());
  assert.ok(again.indexKeys.includes('someone@example.com'));
});
