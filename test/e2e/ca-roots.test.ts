// cosign's --ca-roots / --ca-intermediates (and --certificate-chain): verify the signing certificate against PEM CA
// certificates given on the command line instead of the trusted root's CAs. A private PKI made with openssl (root,
// intermediate, a code-signing leaf with an email SAN and Fulcio's issuer extension) signs a blob; the signature
// goes into `signet up`'s log with `signet log upload`; verify-blob finds it there and chains the leaf to the
// given roots. The stack's own CA chain, fetched from its Fulcio v1 API, works as --ca-roots for keyless bundles,
// blob attestations and, with a registry, images.
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { pushTestImage, startRegistry, type RunningRegistry } from '../helpers/registry.js';
import { startUp, type UpProcess } from '../helpers/up.js';

const IDENTITY = 'builder@private.example';
const ISSUER = 'https://idp.private.example';
const hasOpenssl = hasProgram('openssl', 'version');

describe('verify with --ca-roots / --ca-intermediates', () => {
  let up: UpProcess;
  let dir = '';
  let registry: RunningRegistry | undefined;
  const file = (name: string) => join(dir, name);
  const signet = (args: string[], env: Record<string, string> = {}) =>
    runSignetAsync(args, { cwd: dir, env: { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw', ...env } });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);
  const fails = (r: { status: number | null; stderr: string }, re: RegExp) => {
    assert.notEqual(r.status, 0, 'the command should fail');
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^signet: error: /, r.stderr);
    assert.match(r.stderr, re);
    assert.ok(lines.length <= 2, `one line (and a hint at most): ${r.stderr}`);
  };
  const openssl = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  };
  const policy = ['--certificate-identity', IDENTITY, '--certificate-oidc-issuer', ISSUER];
  const needOpenssl = (t: TestContext) => requireOrSkip(t, hasOpenssl, 'the program `openssl`');

  /** A CA (self-signed root when `issuer` is absent) or a code-signing leaf, with an EC P-256 key. */
  function makeCert(name: string, profile: 'ca' | 'leaf', issuer?: string) {
    const subject = `/O=signet test/CN=${name}`;
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    if (!issuer) {
      openssl(
        ['req', '-x509', '-new', '-key', `${name}.key`, '-subj', subject, '-days', '30'].concat([
          '-config',
          'pki.cnf',
          '-extensions',
          'ca',
          '-out',
          `${name}.pem`,
        ]),
      );
      return;
    }
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-config', 'pki.cnf', '-out', `${name}.csr`]);
    openssl(
      ['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`, '-set_serial'].concat([
        String(Date.now()),
        '-days',
        '30',
        '-extfile',
        'pki.cnf',
        '-extensions',
        profile,
        '-out',
        `${name}.pem`,
      ]),
    );
  }

  before(async () => {
    dir = tempDir('signet-ca-roots-');
    up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
    writeFileSync(file('blob.txt'), 'a release built by the private PKI\n');
    if (!hasOpenssl) return;
    writeFileSync(
      file('pki.cnf'),
      [
        '[req]',
        'distinguished_name = dn',
        '[dn]',
        '[ca]',
        'basicConstraints = critical,CA:TRUE',
        'keyUsage = critical,keyCertSign,cRLSign',
        'subjectKeyIdentifier = hash',
        '[leaf]',
        'basicConstraints = critical,CA:FALSE',
        'keyUsage = critical,digitalSignature',
        'extendedKeyUsage = codeSigning',
        `subjectAltName = email:${IDENTITY}`,
        `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${ISSUER}`,
        '',
      ].join('\n'),
    );
    makeCert('root', 'ca');
    makeCert('inter', 'ca', 'root');
    makeCert('leaf', 'leaf', 'inter');
    makeCert('other-root', 'ca');
    writeFileSync(file('chain.pem'), readFileSync(file('inter.pem'), 'utf8') + readFileSync(file('root.pem'), 'utf8'));
    openssl(['dgst', '-sha256', '-sign', 'leaf.key', '-out', 'blob.sig.der', 'blob.txt']);
    writeFileSync(file('blob.sig'), readFileSync(file('blob.sig.der')).toString('base64'));
  });
  after(async () => {
    await up?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a private PKI: the logged detached signature verifies with --ca-roots + --ca-intermediates', async (t) => {
    if (!needOpenssl(t)) return;
    // rekor-cli's upload of an x509 signature: a hashedrekord entry holding the leaf certificate.
    const upload = ['log', 'upload', '--rekor_server', up.url, '--pki-format', 'x509', '--artifact', 'blob.txt'];
    ok(await signet([...upload, '--signature', 'blob.sig.der', '--public-key', 'leaf.pem']));
    const detached = ['verify-blob', '--signature', 'blob.sig', '--certificate', 'leaf.pem', ...policy];
    // The stack's trusted root gives the log key; the CA certificates come from the flags. No SCT: a private CA
    // has no CT log, as with cosign (--insecure-ignore-sct).
    const online = ['--rekor-url', up.url, '--trusted-root', `${up.url}/trusted_root.json`, '--insecure-ignore-sct'];
    const verified = await signet([
      ...detached,
      ...online,
      '--ca-roots',
      'root.pem',
      '--ca-intermediates',
      'inter.pem',
      'blob.txt',
    ]);
    ok(verified);
    assert.match(verified.stderr, /Verified OK/);

    // Both in one file as --ca-roots: the intermediate becomes an anchor too, as in an x509 root pool.
    ok(await signet([...detached, ...online, '--ca-roots', 'chain.pem', 'blob.txt']));
    // --certificate-chain (intermediate first, root last) is the other way to give the same PKI.
    ok(await signet([...detached, ...online, '--certificate-chain', 'chain.pem', 'blob.txt']));
    // The anchor alone does not reach the leaf without the intermediate.
    fails(
      await signet([...detached, ...online, '--ca-roots', 'root.pem', 'blob.txt']),
      /not issued by a trusted certificate authority/,
    );
    // Without the flags, the stack's own CA is the trust: the private leaf is refused.
    fails(await signet([...detached, ...online, 'blob.txt']), /not issued by a trusted certificate authority/);
    // Another root, with the right intermediate: refused.
    fails(
      await signet([
        ...detached,
        ...online,
        '--ca-roots',
        'other-root.pem',
        '--ca-intermediates',
        'inter.pem',
        'blob.txt',
      ]),
      /not issued by a trusted certificate authority/,
    );
    // The identity policy still applies.
    const wrong = ['--certificate-identity', 'mallory@private.example', '--certificate-oidc-issuer', ISSUER];
    fails(
      await signet(
        ['verify-blob', '--signature', 'blob.sig', '--certificate', 'leaf.pem', ...wrong, ...online].concat([
          '--ca-roots',
          'chain.pem',
          'blob.txt',
        ]),
      ),
      /identity/,
    );
    // Offline (no log): the certificate must be valid now.
    ok(
      await signet([
        ...detached,
        '--insecure-ignore-tlog',
        '--insecure-ignore-sct',
        '--ca-roots',
        'root.pem',
        '--ca-intermediates',
        'inter.pem',
        'blob.txt',
      ]),
    );
  });

  it('bad --ca-roots input gives one line', async (t) => {
    if (!needOpenssl(t)) return;
    const base = ['verify-blob', '--signature', 'blob.sig', '--certificate', 'leaf.pem', ...policy];
    const tail = ['--insecure-ignore-tlog', '--insecure-ignore-sct', 'blob.txt'];
    fails(await signet([...base, '--ca-intermediates', 'inter.pem', ...tail]), /--ca-intermediates needs --ca-roots/);
    fails(
      await signet([...base, '--ca-roots', 'root.pem', '--certificate-chain', 'chain.pem', ...tail]),
      /cannot be used with/,
    );
    fails(await signet([...base, '--ca-roots', 'nope.pem', ...tail]), /cannot read the --ca-roots nope.pem/);
    fails(await signet([...base, '--ca-roots', 'blob.txt', ...tail]), /--ca-roots blob.txt holds no PEM certificate/);
  });

  /** The stack CA's chain as Fulcio's v1 rootCert serves it: the self-signed root, and the rest. */
  async function stackCaFiles() {
    const pem = await (await fetch(`${up.url}/api/v1/rootCert`)).text();
    const certs = (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? []).map(
      (p) => [p, new X509Certificate(p)] as const,
    );
    assert.ok(certs.length >= 2, 'the CA serves its intermediate and root');
    const selfSigned = ([, c]: (typeof certs)[number]) => c.issuer === c.subject;
    writeFileSync(
      file('stack-root.pem'),
      certs
        .filter(selfSigned)
        .map(([p]) => p)
        .join(''),
    );
    writeFileSync(
      file('stack-inter.pem'),
      certs
        .filter((c) => !selfSigned(c))
        .map(([p]) => p)
        .join(''),
    );
  }

  it("keyless bundles: the stack CA's chain as --ca-roots, blob and blob attestation", async () => {
    await stackCaFiles();
    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${up.url}/oidc`]);
    ok(token);
    const keyless = ['--signing-config', `${up.url}/signing_config.json`, '--identity-token', token.stdout.trim()];
    ok(await signet(['sign-blob', ...keyless, '-y', '--bundle', 'blob.sigstore.json', 'blob.txt']));
    writeFileSync(file('predicate.json'), JSON.stringify({ builder: 'local' }));
    ok(
      await signet(
        ['attest-blob', ...keyless, '-y', '--predicate', 'predicate.json', '--type', 'custom'].concat([
          '--bundle',
          'blob.att.sigstore.json',
          'blob.txt',
        ]),
      ),
    );
    const trust = ['--trusted-root', `${up.url}/trusted_root.json`];
    const alice = ['--certificate-identity', 'alice@example.com', '--certificate-oidc-issuer', `${up.url}/oidc`];
    const cas = ['--ca-roots', 'stack-root.pem', '--ca-intermediates', 'stack-inter.pem'];
    ok(await signet(['verify-blob', ...trust, ...alice, ...cas, '--bundle', 'blob.sigstore.json', 'blob.txt']));
    ok(
      await signet(
        ['verify-blob-attestation', ...trust, ...alice, ...cas, '--bundle', 'blob.att.sigstore.json'].concat([
          'blob.txt',
        ]),
      ),
    );
    if (!hasOpenssl) return;
    // The private PKI's roots do not vouch for the stack's CA.
    const privateCas = ['--ca-roots', 'root.pem', '--ca-intermediates', 'inter.pem'];
    fails(
      await signet(['verify-blob', ...trust, ...alice, ...privateCas, '--bundle', 'blob.sigstore.json', 'blob.txt']),
      /not issued by a trusted certificate authority/,
    );
    fails(
      await signet(
        ['verify-blob-attestation', ...trust, ...alice, ...privateCas, '--bundle', 'blob.att.sigstore.json'].concat([
          'blob.txt',
        ]),
      ),
      /not issued by a trusted certificate authority/,
    );
  });

  it('images: verify and verify-attestation with --ca-roots, both layouts', async (t) => {
    const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    await stackCaFiles();
    registry = await startRegistry();
    const ref = `${registry.host}/team/app@${pushTestImage(`${registry.host}/team/app:v1`)}`;
    const legacyRef = `${registry.host}/team/old@${pushTestImage(`${registry.host}/team/old:v1`)}`;
    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${up.url}/oidc`]);
    ok(token);
    const keyless = ['--signing-config', `${up.url}/signing_config.json`, '--identity-token', token.stdout.trim()];
    ok(await signet(['sign', ...keyless, '-y', ref]));
    ok(await signet(['sign', ...keyless, '--new-bundle-format=false', '-y', legacyRef]));
    writeFileSync(file('prov.json'), JSON.stringify({ buildType: 'test' }));
    ok(await signet(['attest', ...keyless, '-y', '--type', 'slsaprovenance1', '--predicate', 'prov.json', ref]));
    const trust = ['--trusted-root', `${up.url}/trusted_root.json`];
    const alice = ['--certificate-identity', 'alice@example.com', '--certificate-oidc-issuer', `${up.url}/oidc`];
    const cas = ['--ca-roots', 'stack-root.pem', '--ca-intermediates', 'stack-inter.pem'];
    const verified = await signet(['verify', ...trust, ...alice, ...cas, ref]);
    ok(verified);
    assert.match(verified.stderr, /verified using trusted certificate authority certificates/);
    ok(await signet(['verify', ...trust, ...alice, ...cas, legacyRef]));
    ok(await signet(['verify-attestation', ...trust, ...alice, ...cas, '--type', 'slsaprovenance1', ref]));
    if (!hasOpenssl) return;
    const privateCas = ['--ca-roots', 'root.pem', '--ca-intermediates', 'inter.pem'];
    for (const image of [ref, legacyRef]) {
      const refused = await signet(['verify', ...trust, ...alice, ...privateCas, image]);
      assert.equal(refused.status, 12, refused.stderr); // cosign's "no matching signatures"
      assert.match(refused.stderr, /not issued by a trusted certificate authority/);
    }
    fails(
      await signet(['verify-attestation', ...trust, ...alice, ...privateCas, '--type', 'slsaprovenance1', ref]),
      /not issued by a trusted certificate authority/,
    );
  });
});
