import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { leafHash, verifyInclusion } from '../../src/merkle/index.js';
import { openNote, parseCheckpoint, rekorV2KeyId, rekorV2NoteVerifier } from '../../src/note/index.js';
import { certificateWithPadding, dsseRequest, hashedRekordRequest, spki, v2App } from './fixtures.js';

const ORIGIN = 'rekor2.test:3000';
type Tle = Record<string, any>;

/** Checks a TransparencyLogEntry as a verifier would: checkpoint signature, then the proof to its root. */
function checkEntry(tle: Tle, publicKey: ReturnType<typeof createPublicKey>): void {
  const note = openNote(tle.inclusionProof.checkpoint.envelope, [rekorV2NoteVerifier(ORIGIN, publicKey)]);
  const cp = parseCheckpoint(note.text);
  assert.equal(cp.origin, ORIGIN);
  assert.equal(String(cp.size), tle.inclusionProof.treeSize);
  assert.equal(cp.rootHash.toString('base64'), tle.inclusionProof.rootHash);
  const body = Buffer.from(tle.canonicalizedBody, 'base64');
  const ok = verifyInclusion(
    leafHash(body),
    Number(tle.logIndex),
    cp.size,
    tle.inclusionProof.hashes.map((h: string) => Buffer.from(h, 'base64')),
    cp.rootHash,
  );
  assert.ok(ok, 'inclusion proof verifies');
}

test('hashedrekord 0.0.2: 201 with the TransparencyLogEntry rekor-tiles answers', async () => {
  const t = await v2App();
  try {
    const { key, request } = hashedRekordRequest('hello rekor v2');
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: request });
    assert.equal(res.statusCode, 201, res.body);
    const tle = res.json();
    assert.deepEqual(Object.keys(tle), [
      'logIndex',
      'logId',
      'kindVersion',
      'integratedTime',
      'inclusionPromise',
      'inclusionProof',
      'canonicalizedBody',
    ]);
    assert.equal(tle.logIndex, '0');
    assert.equal(tle.integratedTime, '0');
    assert.equal(tle.inclusionPromise, null);
    assert.deepEqual(tle.kindVersion, { kind: 'hashedrekord', version: '0.0.2' });
    const pub = t.service.log.identity.publicKey;
    assert.equal(tle.logId.keyId, rekorV2KeyId(ORIGIN, pub).toString('base64'));
    const hr = request.hashedRekordRequestV002;
    const expected =
      '{"apiVersion":"0.0.2","kind":"hashedrekord","spec":{"hashedRekordV002":{"data":{"algorithm":"SHA2_256",' +
      `"digest":"${hr.digest}"},"signature":{"content":"${hr.signature.content}","verifier":{"keyDetails":` +
      `"PKIX_ECDSA_P256_SHA_256","publicKey":{"rawBytes":"${spki(key.publicKey)}"}}}}}}`;
    assert.equal(Buffer.from(tle.canonicalizedBody, 'base64').toString(), expected);
    checkEntry(tle, pub);

    const dup = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: request });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.headers['x-log-index'], '0');
    assert.equal(dup.json().code, 6);
  } finally {
    await t.close();
  }
});

test('concurrent writes are batched and each proof verifies against its checkpoint', async () => {
  const t = await v2App();
  try {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: hashedRekordRequest(`a${i}`).request }),
      ),
    );
    const indexes = results.map((r) => {
      assert.equal(r.statusCode, 201, r.body);
      checkEntry(r.json(), t.service.log.identity.publicKey);
      return Number(r.json().logIndex);
    });
    assert.deepEqual(
      [...indexes].sort((a, b) => a - b),
      [...Array(40).keys()],
    );
    // Fewer checkpoints than entries: the writes shared batches.
    const sizes = new Set(results.map((r) => r.json().inclusionProof.treeSize));
    assert.ok(sizes.size < 40, `${sizes.size} checkpoints for 40 entries`);
  } finally {
    await t.close();
  }
});

test('dsse 0.0.2: the stored spec has the payload hash and the signature with its verifier', async () => {
  const t = await v2App();
  try {
    const payload = '{"_type":"https://in-toto.io/Statement/v1"}';
    const { key, sig, request } = dsseRequest(payload);
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: request });
    assert.equal(res.statusCode, 201, res.body);
    const tle = res.json();
    assert.deepEqual(tle.kindVersion, { kind: 'dsse', version: '0.0.2' });
    const body = JSON.parse(Buffer.from(tle.canonicalizedBody, 'base64').toString());
    assert.deepEqual(body.spec.dsseV002, {
      payloadHash: { algorithm: 'SHA2_256', digest: createHash('sha256').update(payload).digest('base64') },
      signatures: [
        {
          content: sig.toString('base64'),
          verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', publicKey: { rawBytes: spki(key.publicKey) } },
        },
      ],
    });
    checkEntry(tle, t.service.log.identity.publicKey);
    // A signature no verifier accepts.
    const bad = dsseRequest(payload).request;
    bad.dsseRequestV002.verifiers = request.dsseRequestV002.verifiers;
    const refused = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: bad });
    assert.equal(refused.statusCode, 400);
    assert.match(refused.json().message, /no verifier accepts/);
  } finally {
    await t.close();
  }
});

test('certificates, Ed25519ph and RSA verifiers; snake_case field names as protojson accepts', async () => {
  const t = await v2App();
  try {
    const { der, pkcs8 } = await certificateWithPadding(0);
    const certKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const data = Buffer.from('certified');
    const cert = {
      hashed_rekord_request_v002: {
        digest: createHash('sha256').update(data).digest('base64url').replace(/=+$/, ''),
        signature: {
          content: sign('sha256', data, certKey).toString('base64'),
          verifier: { x509_certificate: { raw_bytes: der.toString('base64') }, key_details: 5 },
        },
      },
    };
    const r1 = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: cert });
    assert.equal(r1.statusCode, 201, r1.body);
    const stored = JSON.parse(Buffer.from(r1.json().canonicalizedBody, 'base64').toString());
    assert.deepEqual(stored.spec.hashedRekordV002.signature.verifier, {
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      x509Certificate: { rawBytes: der.toString('base64') },
    });

    const ed = generateKeyPairSync('ed25519');
    const { ed25519ph } = await import('@noble/curves/ed25519.js');
    const seed = Buffer.from(ed.privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const edReq = {
      hashedRekordRequestV002: {
        digest: createHash('sha512').update(data).digest('base64'),
        signature: {
          content: Buffer.from(ed25519ph.sign(data, seed)).toString('base64'),
          verifier: { publicKey: { rawBytes: spki(ed.publicKey) }, keyDetails: 'PKIX_ED25519_PH' },
        },
      },
    };
    const r2 = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: edReq });
    assert.equal(r2.statusCode, 201, r2.body);
    assert.match(Buffer.from(r2.json().canonicalizedBody, 'base64').toString(), /"algorithm":"SHA2_512"/);

    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaReq = hashedRekordRequest('rsa');
    rsaReq.request.hashedRekordRequestV002.signature = {
      content: sign('sha256', Buffer.from('rsa'), rsa.privateKey).toString('base64'),
      verifier: { publicKey: { rawBytes: spki(rsa.publicKey) }, keyDetails: 'PKIX_RSA_PKCS1V15_2048_SHA256' },
    };
    const r3 = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: rsaReq.request });
    assert.equal(r3.statusCode, 201, r3.body);

    // A P-256 key declared as P-384, and pure Ed25519: refused as rekor-tiles does.
    const mismatch = hashedRekordRequest('x').request;
    mismatch.hashedRekordRequestV002.signature.verifier.keyDetails = 'PKIX_ECDSA_P384_SHA_384';
    const r4 = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: mismatch });
    assert.equal(r4.statusCode, 400);
    edReq.hashedRekordRequestV002.signature.verifier.keyDetails = 'PKIX_ED25519';
    const r5 = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: edReq });
    assert.equal(r5.statusCode, 400);
    assert.match(r5.json().message, /PKIX_ED25519 is not accepted/);
  } finally {
    await t.close();
  }
});

test('an entry over 65535 bytes (the entry bundle length prefix) is refused with 413', async () => {
  const t = await v2App();
  try {
    const { der, pkcs8 } = await certificateWithPadding(70_000);
    const key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const request = {
      hashedRekordRequestV002: {
        digest: createHash('sha256').update('big').digest('base64'),
        signature: {
          content: sign('sha256', Buffer.from('big'), key).toString('base64'),
          verifier: { x509Certificate: { rawBytes: der.toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
        },
      },
    };
    const res = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: request });
    assert.equal(res.statusCode, 413, res.body);
    assert.match(res.json().message, /at most 65535/);
    assert.equal(t.service.log.head().size, 0);
  } finally {
    await t.close();
  }
});

test('tlog-tiles read API under /api/v2: checkpoint, tiles and entry bundles; state survives a restart', async () => {
  const t = await v2App({ checkpointIntervalMs: 20 });
  let dataDir = t.dataDir;
  try {
    const bodies: Buffer[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v2/log/entries',
        payload: hashedRekordRequest(`tile ${i}`).request,
      });
      bodies.push(Buffer.from(r.json().canonicalizedBody, 'base64'));
    }
    await new Promise((r) => setTimeout(r, 60));
    const cp = await t.app.inject({ method: 'GET', url: '/api/v2/checkpoint' });
    assert.equal(cp.statusCode, 200);
    assert.match(String(cp.headers['content-type']), /^text\/plain/);
    const note = openNote(cp.body, [rekorV2NoteVerifier(ORIGIN, t.service.log.identity.publicKey)]);
    assert.equal(parseCheckpoint(note.text).size, 3);
    const bundle = await t.app.inject({ method: 'GET', url: '/api/v2/tile/entries/000.p/3' });
    assert.equal(bundle.statusCode, 200);
    const expected = Buffer.concat(bodies.flatMap((b) => [Buffer.from([b.length >> 8, b.length & 0xff]), b]));
    assert.ok(bundle.rawPayload.equals(expected));
    const tile = await t.app.inject({ method: 'GET', url: '/api/v2/tile/0/000.p/3' });
    assert.ok(tile.rawPayload.equals(Buffer.concat(bodies.map((b) => leafHash(b)))));
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v2/tile/0/000.p/4' })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v2/tile/0/garbage' })).statusCode, 400);
    await t.app.close();
    await t.service.close();
    const again = await v2App({}, dataDir);
    dataDir = '';
    try {
      assert.equal(again.service.log.head().size, 3);
      assert.ok(again.service.log.identity.logId.equals(t.service.log.identity.logId));
    } finally {
      await again.close();
    }
  } finally {
    if (dataDir) await t.close().catch(() => {});
  }
});
