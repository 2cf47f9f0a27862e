// Wire contract of signet's Fulcio API (fulcio.proto through grpc-gateway JSON, fulcio_legacy.proto), its CT log
// (RFC 6962 JSON) and the dev OIDC provider's discovery, as real clients (sigstore-js, cosign, sigstore-go) read them.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireProgram } from '../helpers/env.js';
import { oracleLeafHash, oracleRoot } from '../log/server/fixtures.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

type Json = Record<string, any>;
const PEM_CERT = /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/;
const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

let stack: RunningStack;
let issuer: string;
let token: string;
const email = 'wire@example.com';

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(stack.url + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: Json | undefined;
  try {
    json = JSON.parse(text) as Json;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json: json as Json };
}

function keyAndProof() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    der: publicKey.export({ type: 'spki', format: 'der' }),
    proof: sign('sha256', Buffer.from(email), privateKey).toString('base64'),
  };
}

/** grpc-gateway's error body: `{code: <gRPC code>, message, details: []}`. */
function assertGrpcError(r: Awaited<ReturnType<typeof call>>, status: number, grpcCode: number) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.json.code, grpcCode);
  assert.equal(typeof r.json.message, 'string');
  assert.deepEqual(r.json.details, []);
}

/** Checks a v2 SigningCertificate: embedded SCT (signet always runs its CT log), PEM chain leaf first. */
function assertEmbedded(body: Json, trustChain: string[]): X509Certificate {
  assert.deepEqual(Object.keys(body), ['signedCertificateEmbeddedSct']);
  const certs = body.signedCertificateEmbeddedSct.chain.certificates as string[];
  assert.ok(Array.isArray(certs) && certs.length === 3);
  for (const c of certs) assert.match(c, PEM_CERT);
  assert.deepEqual(
    certs.slice(1).map((c) => new X509Certificate(c).fingerprint256),
    trustChain.map((c) => new X509Certificate(c).fingerprint256),
  );
  const leaf = new X509Certificate(certs[0]!);
  assert.equal(leaf.subjectAltName, `email:${email}`);
  assert.ok(leaf.checkIssued(new X509Certificate(certs[1]!)));
  assert.ok(leaf.raw.includes(oidDer(SCT_LIST_OID)), 'the leaf embeds an SCT list');
  return leaf;
}

/** DER encoding of an OBJECT IDENTIFIER's value, to find an extension in a certificate. */
function oidDer(oid: string): Buffer {
  const [a, b, ...rest] = oid.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const bytes = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return Buffer.from([0x06, out.length, ...out]);
}

let trustChain: string[];

before(async () => {
  stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/trusted_root.json' });
  issuer = `${stack.url}/oidc`;
  const r = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', issuer]);
  assert.equal(r.status, 0, r.stderr);
  token = r.stdout.trim();
  trustChain = (await call('GET', '/api/v2/trustBundle')).json.chains[0].certificates;
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

describe('Fulcio v2 wire contract (fulcio.proto via grpc-gateway)', () => {
  it('GET /api/v2/configuration: issuers with every OIDCIssuer field in camelCase (EmitUnpopulated)', async () => {
    const r = await call('GET', '/api/v2/configuration');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(Object.keys(r.json), ['issuers']);
    const dev = r.json.issuers.find((i: Json) => i.issuerUrl === issuer);
    assert.ok(dev, JSON.stringify(r.json));
    assert.equal(dev.audience, 'sigstore');
    assert.equal(dev.challengeClaim, 'email');
    for (const k of ['audience', 'challengeClaim', 'spiffeTrustDomain', 'issuerType', 'subjectDomain']) {
      assert.equal(typeof dev[k], 'string', k);
    }
    assert.equal(typeof dev.skipEmailVerification, 'boolean');
    for (const i of r.json.issuers) assert.ok('issuerUrl' in i !== 'wildcardIssuerUrl' in i, 'oneof issuer');
  });

  it('GET /api/v2/trustBundle: {chains: [{certificates: [PEM intermediate..., PEM root]}]}', async () => {
    const r = await call('GET', '/api/v2/trustBundle');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['chains']);
    assert.equal(r.json.chains.length, 1);
    assert.deepEqual(Object.keys(r.json.chains[0]), ['certificates']);
    const certs = (r.json.chains[0].certificates as string[]).map((c) => {
      assert.match(c, PEM_CERT);
      return new X509Certificate(c);
    });
    const root = certs[certs.length - 1]!;
    assert.ok(root.checkIssued(root), 'the chain ends with the self-signed root');
    for (let i = 0; i + 1 < certs.length; i++) assert.ok(certs[i]!.checkIssued(certs[i + 1]!));
    const trusted = (await call('GET', '/trusted_root.json')).json;
    const der = trusted.certificateAuthorities[0].certChain.certificates.map((c: Json) => c.rawBytes);
    assert.deepEqual(
      der,
      certs.map((c) => c.raw.toString('base64')),
    );
  });

  it('POST /api/v2/signingCert with publicKeyRequest (as sigstore-js sends it): 200, embedded SCT', async () => {
    const k = keyAndProof();
    const r = await call('POST', '/api/v2/signingCert', {
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: k.pem }, proofOfPossession: k.proof },
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const leaf = assertEmbedded(r.json, trustChain);
    assert.ok(leaf.publicKey.export({ type: 'spki', format: 'der' }).equals(k.der));
    assert.ok(leaf.raw.includes(Buffer.from(issuer)), 'the leaf names the OIDC issuer');
  });

  it('POST /api/v2/signingCert: token in Authorization, proto field names, unknown fields ignored', async () => {
    const a = keyAndProof();
    const viaHeader = await call(
      'POST',
      '/api/v2/signingCert',
      { publicKeyRequest: { publicKey: { content: a.pem }, proofOfPossession: a.proof } },
      { authorization: `Bearer ${token}` },
    );
    assert.equal(viaHeader.status, 200, viaHeader.text);
    assertEmbedded(viaHeader.json, trustChain);
    const b = keyAndProof();
    const protoNames = await call('POST', '/api/v2/signingCert', {
      credentials: { oidc_identity_token: token },
      public_key_request: { public_key: { content: b.pem }, proof_of_possession: b.proof },
      certificateSigningRequest: null,
      someFutureField: true,
    });
    assert.equal(protoNames.status, 200, protoNames.text);
    assertEmbedded(protoNames.json, trustChain);
  });

  it('POST /api/v2/signingCert with a PEM CSR (certificateSigningRequest bytes)', async (t) => {
    if (!requireProgram(t, 'openssl', 'version')) return;
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'k.pem');
    writeFileSync(
      keyFile,
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    );
    const csr = execFileSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=ignored'], { encoding: 'utf8' });
    const r = await call('POST', '/api/v2/signingCert', {
      credentials: { oidcIdentityToken: token },
      certificateSigningRequest: Buffer.from(csr).toString('base64'),
    });
    assert.equal(r.status, 200, r.text);
    assertEmbedded(r.json, trustChain);
  });

  it('refusals: InvalidArgument (code 3) with HTTP 400 and {code, message, details}', async () => {
    const k = keyAndProof();
    const req = (tok: string | undefined, proof = k.proof) => ({
      ...(tok === undefined ? {} : { credentials: { oidcIdentityToken: tok } }),
      publicKeyRequest: { publicKey: { content: k.pem }, proofOfPossession: proof },
    });
    assertGrpcError(await call('POST', '/api/v2/signingCert', req(undefined)), 400, 3);
    assertGrpcError(await call('POST', '/api/v2/signingCert', req('not-a-jwt')), 400, 3);
    const otherKey = keyAndProof();
    assertGrpcError(await call('POST', '/api/v2/signingCert', req(token, otherKey.proof)), 400, 3);
    assertGrpcError(await call('POST', '/api/v2/signingCert', '{oops'), 400, 3);
    assertGrpcError(await call('POST', '/api/v2/signingCert', { credentials: { oidcIdentityToken: token } }), 400, 3);
  });
});

describe('Fulcio legacy v1 wire contract (fulcio_legacy.proto, as cosign 1.x uses it)', () => {
  it('POST /api/v1/signingCert: 201, application/pem-certificate-chain, leaf first, no trailing newline', async () => {
    const k = keyAndProof();
    const r = await call(
      'POST',
      '/api/v1/signingCert',
      // Exactly what Fulcio's Go client (pkg/api, used by cosign) marshals: nil []byte fields become null.
      {
        publicKey: { content: k.der.toString('base64'), algorithm: 'ecdsa' },
        signedEmailAddress: k.proof,
        certificateSigningRequest: null,
      },
      { authorization: `Bearer ${token}` },
    );
    assert.equal(r.status, 201, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^application\/pem-certificate-chain/);
    const pems = r.text.split(/(?=-----BEGIN CERTIFICATE-----)/);
    assert.equal(pems.length, 3);
    assert.ok(!r.text.endsWith('\n'));
    const leaf = new X509Certificate(pems[0]!);
    assert.equal(leaf.subjectAltName, `email:${email}`);
    assert.ok(leaf.raw.includes(oidDer(SCT_LIST_OID)), 'embedded SCT, so no SCT header is needed');
    assert.ok(!r.headers.get('sct'), 'Fulcio sends no SCT header when the SCT is embedded');
  });

  it('GET /api/v1/rootCert: the trust bundle chain as PEM', async () => {
    const r = await call('GET', '/api/v1/rootCert');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/pem-certificate-chain/);
    const got = r.text.split(/(?=-----BEGIN CERTIFICATE-----)/).map((p) => new X509Certificate(p).fingerprint256);
    assert.deepEqual(
      got,
      trustChain.map((c) => new X509Certificate(c).fingerprint256),
    );
  });
});

describe('CT log (RFC 6962 JSON) and dev OIDC discovery', () => {
  it('GET /ct/v1/get-sth: tree_size, timestamp (ms), base64 sha256_root_hash, signed tree head', async () => {
    const r = await call('GET', '/ct/v1/get-sth');
    assert.equal(r.status, 200);
    const sth = r.json;
    assert.deepEqual(Object.keys(sth).sort(), ['sha256_root_hash', 'timestamp', 'tree_head_signature', 'tree_size']);
    assert.ok(Number.isInteger(sth.tree_size) && sth.tree_size >= 1, 'the certificates above were logged');
    assert.ok(Math.abs(sth.timestamp - Date.now()) < 600_000, 'timestamp is in milliseconds');
    const root = Buffer.from(sth.sha256_root_hash, 'base64');
    assert.equal(root.length, 32);
    // DigitallySigned: hash=sha256(4), sig=ecdsa(3), uint16 length, signature over the TreeHeadSignature struct.
    const sig = Buffer.from(sth.tree_head_signature, 'base64');
    assert.deepEqual([...sig.subarray(0, 2)], [4, 3]);
    assert.equal(sig.readUInt16BE(2), sig.length - 4);
    const signed = Buffer.alloc(2 + 8 + 8 + 32);
    signed.writeUInt8(0, 0); // v1
    signed.writeUInt8(1, 1); // tree_hash
    signed.writeBigUInt64BE(BigInt(sth.timestamp), 2);
    signed.writeBigUInt64BE(BigInt(sth.tree_size), 10);
    root.copy(signed, 18);
    const trusted = (await call('GET', '/trusted_root.json')).json;
    const ctKey = createPublicKey({
      key: Buffer.from(trusted.ctlogs[0].publicKey.rawBytes, 'base64'),
      format: 'der',
      type: 'spki',
    });
    assert.ok(verify('sha256', signed, ctKey, sig.subarray(4)), 'STH signature verifies with the trusted root key');
    const logId = createHash('sha256')
      .update(ctKey.export({ type: 'spki', format: 'der' }))
      .digest('base64');
    assert.equal(trusted.ctlogs[0].logId.keyId, logId);
  });

  it('get-entries, get-proof-by-hash, get-entry-and-proof: RFC 6962 field names; leaves hash to the STH root', async () => {
    const sth = (await call('GET', '/ct/v1/get-sth')).json;
    const got = await call('GET', `/ct/v1/get-entries?start=0&end=${sth.tree_size - 1}`);
    assert.equal(got.status, 200, got.text);
    assert.deepEqual(Object.keys(got.json), ['entries']);
    const leaves = (got.json.entries as Json[]).map((e) => {
      assert.deepEqual(Object.keys(e).sort(), ['extra_data', 'leaf_input']);
      return oracleLeafHash(Buffer.from(e.leaf_input, 'base64'));
    });
    assert.equal(leaves.length, sth.tree_size);
    assert.equal(oracleRoot(leaves).toString('base64'), sth.sha256_root_hash);
    const last = leaves.length - 1;
    const q = new URLSearchParams({ hash: leaves[last]!.toString('base64'), tree_size: String(sth.tree_size) });
    const byHash = await call('GET', `/ct/v1/get-proof-by-hash?${q}`);
    assert.equal(byHash.status, 200, byHash.text);
    assert.deepEqual(Object.keys(byHash.json).sort(), ['audit_path', 'leaf_index']);
    assert.equal(byHash.json.leaf_index, last);
    const both = await call('GET', `/ct/v1/get-entry-and-proof?leaf_index=${last}&tree_size=${sth.tree_size}`);
    assert.equal(both.status, 200, both.text);
    assert.deepEqual(Object.keys(both.json).sort(), ['audit_path', 'extra_data', 'leaf_input']);
    assert.deepEqual(both.json.audit_path, byHash.json.audit_path);
  });

  it('GET /ct/v1/get-roots: {certificates: [base64 DER]} including the CA root', async () => {
    const r = await call('GET', '/ct/v1/get-roots');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json), ['certificates']);
    const root = new X509Certificate(trustChain[trustChain.length - 1]!);
    assert.ok((r.json.certificates as string[]).includes(root.raw.toString('base64')));
  });

  it('GET /oidc/.well-known/openid-configuration: issuer, endpoints and RS256 JWKS (OIDC Core requires RS256)', async () => {
    const r = await call('GET', '/oidc/.well-known/openid-configuration');
    assert.equal(r.status, 200);
    const d = r.json;
    assert.equal(d.issuer, issuer);
    for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri']) {
      assert.ok(String(d[k]).startsWith(issuer + '/'), k);
    }
    assert.ok(d.id_token_signing_alg_values_supported.includes('RS256'));
    assert.ok(d.response_types_supported.includes('code'));
    assert.ok(d.subject_types_supported.includes('public'));
    const jwks = (await (await fetch(d.jwks_uri)).json()) as Json;
    assert.ok(jwks.keys.length >= 1);
    for (const k of jwks.keys) {
      assert.equal(typeof k.kid, 'string');
      assert.equal(k.kty, 'RSA');
    }
    const [header] = token.split('.');
    const kid = JSON.parse(Buffer.from(header!, 'base64url').toString()).kid;
    assert.ok(
      jwks.keys.some((k: Json) => k.kid === kid),
      'the token names a published key',
    );
  });
});
