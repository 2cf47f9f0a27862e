// cosign's `trusted-root create` and `bundle create`, as a user runs them against `signet up`: a trusted root built
// from the stack's CA chain, log keys and TSA chain (fetched from its APIs and data directory) verifies what the
// stack signs, agrees with the root the stack serves, and satisfies @sigstore/verify; a bundle assembled from a
// detached signature (or DSSE envelope, or cosign's old bundle) and its certificate or key, with the log entry
// looked up by hash, verifies with verify-blob and @sigstore/verify.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';

const EMAIL = 'alice@example.com';

describe('trusted-root create and bundle create against signet up', () => {
  let up: UpProcess;
  let dir = '';
  let home = '';
  const file = (name: string) => join(dir, name);
  const json = (name: string): any => JSON.parse(readFileSync(file(name), 'utf8'));
  const signet = (args: string[]) =>
    runSignetAsync(args, { cwd: dir, env: { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw', HOME: home } });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);
  const fails = (r: { status: number | null; stderr: string }, re: RegExp) => {
    assert.notEqual(r.status, 0, 'the command should fail');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^signet: error: /, r.stderr);
    assert.match(r.stderr, re);
    assert.ok(lines.length <= 2, `one line (and a hint at most): ${r.stderr}`);
  };
  const identity = () => ['--certificate-identity', EMAIL, '--certificate-oidc-issuer', `${up.url}/oidc`];
  const origin = () => new URL(up.url).host;
  let token = '';

  before(async () => {
    dir = tempDir('signet-create-');
    home = tempDir('signet-create-home-');
    up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
    writeFileSync(file('blob.txt'), 'an artifact\n');
    // What an operator has at hand: the log key from the Rekor API, the CA and TSA chains from theirs, the CT log
    // and Rekor v2 keys from the data directory.
    writeFileSync(file('rekor.pub'), await (await fetch(`${up.url}/api/v1/log/publicKey`)).text());
    writeFileSync(file('ca.pem'), await (await fetch(`${up.url}/api/v1/rootCert`)).text());
    writeFileSync(file('tsa.pem'), await (await fetch(`${up.url}/api/v1/timestamp/certchain`)).text());
    const pub = (key: string) =>
      createPublicKey(readFileSync(join(dir, 'data', key))).export({ type: 'spki', format: 'pem' }) as string;
    writeFileSync(file('ctfe.pub'), pub('ct/log-key.pem'));
    writeFileSync(file('rekor2.pub'), pub('rekor2/log-signing-key.pem'));
    const t = await signet(['oidc', 'token', '--email', EMAIL, '--issuer', `${up.url}/oidc`]);
    ok(t);
    token = t.stdout.trim();
  });
  after(async () => {
    await up?.stop();
    for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** @sigstore/verify, an independent verifier, accepts the keyless bundle under the trusted root. */
  function sigstoreJsVerifies(bundleFile: string, rootFile: string) {
    const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(json(rootFile))), {
      tlogThreshold: 1,
      ctlogThreshold: 1,
    });
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(json(bundleFile)), readFileSync(file('blob.txt'))), {
      subjectAlternativeName: EMAIL,
      extensions: { issuer: `${up.url}/oidc` },
    });
    assert.ok(signer.identity);
  }

  it('trusted-root create: cosign spec flags give the root the stack serves', async () => {
    const start = 'start-time=2026-01-01T00:00:00Z';
    ok(
      await signet([
        'trusted-root',
        'create',
        '--fulcio',
        `url=${up.url},certificate-chain=ca.pem`,
        '--rekor',
        `url=${up.url},public-key=rekor.pub,${start}`,
        '--rekor',
        `url=${up.url},public-key=rekor2.pub,${start},origin=${origin()}`,
        '--ctfe',
        `url=${up.url},public-key=ctfe.pub,${start}`,
        '--tsa',
        `url=${up.url}/api/v1/timestamp,certificate-chain=tsa.pem`,
        '--out',
        'created-root.json',
      ]),
    );
    assert.equal(statSync(file('created-root.json')).mode & 0o777, 0o600);
    const created = json('created-root.json');
    const served = (await (await fetch(`${up.url}/trusted_root.json`)).json()) as ReturnType<typeof json>;
    assert.equal(created.mediaType, 'application/vnd.dev.sigstore.trustedroot+json;version=0.1');
    const ids = (logs: { logId: { keyId: string } }[]) => logs.map((l) => l.logId.keyId).sort();
    assert.deepEqual(ids(created.tlogs), ids(served.tlogs), 'Rekor v1 and v2 (checkpoint key ID by origin) log IDs');
    assert.deepEqual(ids(created.ctlogs), ids(served.ctlogs));
    const chain = (ca: { certChain: { certificates: { rawBytes: string }[] } }) =>
      ca.certChain.certificates.map((c) => c.rawBytes);
    assert.deepEqual(chain(created.certificateAuthorities[0]), chain(served.certificateAuthorities[0]));
    assert.deepEqual(chain(created.timestampAuthorities[0]), chain(served.timestampAuthorities[0]));
    assert.deepEqual(created.certificateAuthorities[0].subject, served.certificateAuthorities[0].subject);

    // Keyless, as `signet up`'s signing config has it: Rekor v2 + TSA. Verified by signet and by sigstore-js.
    const keyless = ['--signing-config', `${up.url}/signing_config.json`, '--identity-token', token, '-y'];
    ok(await signet(['sign-blob', ...keyless, '--bundle', 'keyless.sigstore.json', 'blob.txt']));
    ok(
      await signet(
        [
          'verify-blob',
          '--trusted-root',
          'created-root.json',
          ...identity(),
          '--bundle',
          'keyless.sigstore.json',
        ].concat(['blob.txt']),
      ),
    );
    sigstoreJsVerifies('keyless.sigstore.json', 'created-root.json');

    // Printed to stdout without --out.
    const printed = await signet(['trusted-root', 'create', '--rekor', `url=${up.url},public-key=rekor.pub,${start}`]);
    ok(printed);
    assert.equal(JSON.parse(printed.stdout).tlogs.length, 1);
  });

  it("trusted-root create: cosign's deprecated flags, and --with-default-services over an initialized instance", async () => {
    ok(
      await signet(
        ['trusted-root', 'create', '--certificate-chain', 'ca.pem', '--fulcio-uri', up.url].concat([
          '--rekor-key',
          'rekor.pub',
          '--rekor-url',
          up.url,
          '--ctfe-key',
          'ctfe.pub',
          '--timestamp-certificate-chain',
          'tsa.pem',
          '--out',
          'old-flags-root.json',
        ]),
      ),
    );
    const old = json('old-flags-root.json');
    assert.equal(old.tlogs[0].publicKey.validFor.start, '1970-01-01T00:00:00Z', 'valid from the epoch by default');
    assert.equal(old.certificateAuthorities[0].uri, up.url);
    // A keyless signature logged in the v1 log verifies under the root made with the old flags.
    const keylessV1 = ['--fulcio-url', up.url, '--rekor-url', up.url, '--identity-token', token, '-y'];
    ok(await signet(['sign-blob', ...keylessV1, '--bundle', 'v1.sigstore.json', 'blob.txt']));
    ok(
      await signet(
        ['verify-blob', '--trusted-root', 'old-flags-root.json', ...identity(), '--bundle', 'v1.sigstore.json'].concat([
          'blob.txt',
        ]),
      ),
    );

    // --with-default-services starts from the trusted root in use: the instance `signet initialize` set up.
    const rootJson = join(dir, 'data', 'tuf', 'repository', 'root.json');
    ok(await signet(['initialize', '--mirror', `${up.url}/tuf`, '--root', rootJson]));
    ok(await signet(['trusted-root', 'create', '--with-default-services', '--no-default-tsa', '--out', 'def.json']));
    const def = json('def.json');
    const served = (await (await fetch(`${up.url}/trusted_root.json`)).json()) as ReturnType<typeof json>;
    assert.equal(def.tlogs.length, served.tlogs.length);
    assert.equal(def.certificateAuthorities.length, 1);
    assert.equal(def.timestampAuthorities.length, 0, '--no-default-tsa');
    ok(
      await signet([
        'trusted-root',
        'create',
        '--with-default-services',
        '--no-default-rekor=true',
        '--out',
        'd2.json',
      ]),
    );
    assert.equal(json('d2.json').tlogs.length, 0);
    ok(
      await signet([
        'trusted-root',
        'create',
        '--with-default-services',
        '--no-default-rekor=false',
        '--out',
        'd3.json',
      ]),
    );
    assert.equal(json('d3.json').tlogs.length, served.tlogs.length);
  });

  it('trusted-root create: bad input gives one line', async () => {
    const tr = (...args: string[]) => signet(['trusted-root', 'create', ...args]);
    fails(await tr('--rekor', `url=${up.url},public-key=rekor.pub`), /missing or empty required key 'start-time'/);
    fails(await tr('--fulcio', 'url'), /invalid key-value pair: url/);
    fails(
      await tr('--fulcio', `url=${up.url},certificate-chain=ca.pem`, '--certificate-chain', 'ca.pem'),
      /--fulcio and old fulcio flags/,
    );
    fails(await tr('--rekor', `url=x,public-key=rekor.pub,start-time=yesterday`), /not an RFC 3339 time: yesterday/);
    fails(await tr('--tsa', `url=x,certificate-chain=ca.pem`), /must start with the leaf/);
    fails(await tr('--rekor', `url=x,public-key=ca.pem,start-time=2026-01-01T00:00:00Z`), /not a PEM public key/);
    fails(await tr('--fulcio', `url=x,certificate-chain=nope.pem`), /cannot read/);
    fails(await tr('--fulcio', `url=x,certificate-chain=rekor.pub`), /no certificates in file rekor.pub/);
  });

  it('bundle create: key-based and keyless detached signatures, a DSSE attestation, an old cosign bundle', async () => {
    ok(await signet(['generate-key-pair']));
    const trust = ['--trusted-root', `${up.url}/trusted_root.json`];

    // key-based: sign-blob's base64 signature + cosign.pub, the entry looked up in the log by hash
    ok(
      await signet([
        'sign-blob',
        '--key',
        'cosign.key',
        '--rekor-url',
        up.url,
        '--output-signature',
        'key.sig',
        'blob.txt',
      ]),
    );
    const create = ['bundle', 'create', '--artifact', 'blob.txt', '--rekor-url', up.url];
    ok(await signet([...create, '--signature', 'key.sig', '--key', 'cosign.pub', '--out', 'key.sigstore.json']));
    const keyBundle = json('key.sigstore.json');
    assert.equal(keyBundle.mediaType, 'application/vnd.dev.sigstore.bundle+json;version=0.3');
    assert.ok(keyBundle.verificationMaterial.publicKey.hint);
    assert.ok(keyBundle.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint, 'v0.3 carries the proof');
    assert.equal(keyBundle.messageSignature.messageDigest.algorithm, 'SHA2_256');
    ok(await signet(['verify-blob', ...trust, '--key', 'cosign.pub', '--bundle', 'key.sigstore.json', 'blob.txt']));

    // keyless: the signature and the base64 PEM certificate sign-blob writes (cosign's --output-certificate)
    const keylessV1 = ['--fulcio-url', up.url, '--rekor-url', up.url, '--identity-token', token, '-y'];
    ok(
      await signet(
        ['sign-blob', ...keylessV1, '--output-signature', 'kl.sig', '--output-certificate', 'kl.pem'].concat([
          'blob.txt',
        ]),
      ),
    );
    ok(await signet([...create, '--signature', 'kl.sig', '--certificate', 'kl.pem', '--out', 'kl.sigstore.json']));
    assert.ok(json('kl.sigstore.json').verificationMaterial.certificate.rawBytes);
    ok(await signet(['verify-blob', ...trust, ...identity(), '--bundle', 'kl.sigstore.json', 'blob.txt']));
    writeFileSync(file('served-root.json'), JSON.stringify(await (await fetch(`${up.url}/trusted_root.json`)).json()));
    sigstoreJsVerifies('kl.sigstore.json', 'served-root.json');

    // a DSSE attestation (attest-blob --output-signature) with its certificate
    writeFileSync(file('predicate.json'), JSON.stringify({ builder: 'local' }));
    ok(
      await signet(
        ['attest-blob', ...keylessV1, '--predicate', 'predicate.json', '--output-signature', 'att.json'].concat([
          '--output-certificate',
          'att.pem',
          'blob.txt',
        ]),
      ),
    );
    ok(
      await signet([...create, '--attestation', 'att.json', '--certificate', 'att.pem', '--out', 'att.sigstore.json']),
    );
    assert.equal(json('att.sigstore.json').dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    ok(
      await signet(
        ['verify-blob-attestation', ...trust, ...identity(), '--bundle', 'att.sigstore.json', 'blob.txt'].concat([
          '--type',
          'custom',
        ]),
      ),
    );

    // cosign's old bundle (sign-blob --new-bundle-format=false --bundle) upgraded, printed on stdout
    ok(
      await signet(
        ['sign-blob', '--key', 'cosign.key', '--rekor-url', up.url, '--new-bundle-format=false'].concat([
          '--bundle',
          'old.json',
          'blob.txt',
        ]),
      ),
    );
    const upgraded = await signet([...create, '--bundle', 'old.json']);
    ok(upgraded);
    writeFileSync(file('upgraded.sigstore.json'), upgraded.stdout);
    assert.ok(JSON.parse(upgraded.stdout).verificationMaterial.publicKey.hint, "the old bundle's key becomes the hint");
    ok(
      await signet(['verify-blob', ...trust, '--key', 'cosign.pub', '--bundle', 'upgraded.sigstore.json', 'blob.txt']),
    );

    // never logged: --ignore-tlog, verified with --insecure-ignore-tlog
    ok(
      await signet([
        'sign-blob',
        '--key',
        'cosign.key',
        '--tlog-upload=false',
        '--output-signature',
        'nolog.sig',
        'blob.txt',
      ]),
    );
    ok(
      await signet(
        ['bundle', 'create', '--artifact', 'blob.txt', '--signature', 'nolog.sig', '--key', 'cosign.pub'].concat([
          '--ignore-tlog',
          '--out',
          'nolog.sigstore.json',
        ]),
      ),
    );
    assert.deepEqual(json('nolog.sigstore.json').verificationMaterial.tlogEntries, []);
    ok(
      await signet(
        ['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--bundle', 'nolog.sigstore.json'].concat([
          'blob.txt',
        ]),
      ),
    );
    // ...and without --ignore-tlog it is not found in the log
    fails(
      await signet([...create, '--signature', 'nolog.sig', '--key', 'cosign.pub']),
      /no transparency log entry for this signature/,
    );
  });

  it('bundle create: bad input gives one line', async () => {
    const bc = (...args: string[]) => signet(['bundle', 'create', ...args]);
    fails(await bc('--signature', 'key.sig'), /must supply --artifact/);
    fails(await bc('--artifact', 'blob.txt'), /must supply a signature/);
    fails(await bc('--artifact', 'blob.txt', '--bundle', 'old.json', '--signature', 'key.sig'), /cannot be used with/);
    fails(
      await bc('--artifact', 'nope.txt', '--signature', 'key.sig', '--ignore-tlog'),
      /cannot read the artifact nope.txt/,
    );
    fails(
      await bc('--artifact', 'blob.txt', '--attestation', 'blob.txt', '--ignore-tlog'),
      /not a signed DSSE envelope/,
    );
    fails(await bc('--artifact', 'blob.txt', '--bundle', 'blob.txt', '--ignore-tlog'), /not valid JSON/);
    fails(
      await bc('--artifact', 'blob.txt', '--bundle', 'old.json', '--ignore-tlog'),
      /cannot ignore the transparency log/,
    );
    fails(
      await bc('--artifact', 'blob.txt', '--signature', 'key.sig', '--certificate', 'blob.txt', '--ignore-tlog'),
      /not a PEM certificate/,
    );
  });
});
