/**
 * The least a log server must do per upload, as a ceiling for bench/log-scale.ts: `node dist/bench/bound-server.js
 * --threads N`. Per POST: read the body, JSON.parse it, import the hashedrekord's key (cached by its text, as signet
 * caches parsed keys), verify the P-256 signature over the digest (signet's own digest verify), write the canonical body, hash the leaf, sign the
 * SET and answer a LogEntry of the usual size (inclusion proof and checkpoint included). No storage, no fsync, no
 * tree, no checks beyond these: a figure signet cannot exceed on the same machine. With N > 1 the listening socket is
 * shared by N event loops (this thread and N - 1 worker threads), so requests are handled on every core.
 * It prints "listening on http://127.0.0.1:PORT" and answers GET /readyz.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { parseArgs } from 'node:util';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { verifyDigestSignature } from '../src/crypto/index.js';

const LOG_ID = randomBytes(32).toString('hex');
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = new Map<string, KeyObject>();
let logIndex = 0;
// A proof of a 1M-entry tree's depth, and a checkpoint of the usual length: the answer's size is what matters.
const proof = Array.from({ length: 20 }, () => randomBytes(32).toString('hex'));
const checkpoint = `bound.test - 1\n1000000\n${randomBytes(32).toString('base64')}\n\n— bound.test ${randomBytes(68).toString('base64')}\n`;

interface Proposed {
  spec: { signature: { content: string; publicKey: { content: string } }; data: { hash: { value: string } } };
}

function answer(body: Buffer): { status: number; json: string } {
  const e = JSON.parse(body.toString('utf8')) as Proposed;
  const pem = e.spec.signature.publicKey.content;
  let key = keys.get(pem);
  if (!key) keys.set(pem, (key = createPublicKey(Buffer.from(pem, 'base64'))));
  const digest = Buffer.from(e.spec.data.hash.value, 'hex');
  const signature = Buffer.from(e.spec.signature.content, 'base64');
  if (!verifyDigestSignature(key, 'sha256', digest, signature))
    return { status: 400, json: '{"message":"bad signature"}' };
  const canonical = Buffer.from(JSON.stringify(e));
  const leaf = createHash('sha256').update(Buffer.of(0)).update(canonical).digest('hex');
  const index = logIndex++;
  const time = Math.floor(Date.now() / 1000);
  const b64 = canonical.toString('base64');
  const set = sign(
    'sha256',
    Buffer.from(`{"body":"${b64}","integratedTime":${time},"logID":"${LOG_ID}","logIndex":${index}}`),
    privateKey,
  );
  const entry = {
    body: b64,
    integratedTime: time,
    logID: LOG_ID,
    logIndex: index,
    verification: {
      inclusionProof: { checkpoint, hashes: proof, logIndex: index, rootHash: proof[0], treeSize: index + 1 },
      signedEntryTimestamp: set.toString('base64'),
    },
  };
  return { status: 201, json: JSON.stringify({ [leaf]: entry }) };
}

function server(): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let out = { status: 200, json: '{}' };
      if (req.method === 'POST') {
        try {
          out = answer(Buffer.concat(chunks));
        } catch {
          out = { status: 400, json: '{"message":"bad request"}' };
        }
      }
      res.writeHead(out.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out.json) });
      res.end(out.json);
    });
  });
}

if (isMainThread) {
  const { values } = parseArgs({
    options: { threads: { type: 'string', default: '1' } },
  });
  const s = server();
  s.listen(0, '127.0.0.1', () => {
    const fd = (s as unknown as { _handle: { fd: number } })._handle.fd;
    for (let i = 1; i < Number(values.threads); i++) new Worker(new URL(import.meta.url), { workerData: { fd } });
    const { port } = s.address() as { port: number };
    console.log(`bound server (${values.threads} threads) listening on http://127.0.0.1:${port}`);
  });
} else {
  // The same listening socket, accepted from this thread's event loop too.
  server().listen({ fd: (workerData as { fd: number }).fd });
}
