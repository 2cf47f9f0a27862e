import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../errors.js';
import { rekorErrorHandler } from '../http/index.js';
import type { CtHttpLog } from './ct-log.js';
import { sctToJson } from '../encoding/index.js';

/** A chain is a leaf and a few CA certificates, a few KiB each (base64 in JSON). */
const BODY_LIMIT = 256 * 1024;

/** RFC 6962 §4 endpoints; registered under the /ct/v1 prefix. Errors are `{code, message}` JSON with a 4xx for anything the client sent. */
export async function registerCtRoutes(app: FastifyInstance, log: CtHttpLog): Promise<void> {
  app.setErrorHandler(rekorErrorHandler);
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ code: 404, message: 'not found' }));
  app.post('/add-chain', { bodyLimit: BODY_LIMIT }, async (req) => sctToJson(await log.add(chainOf(req), false)));
  app.post('/add-pre-chain', { bodyLimit: BODY_LIMIT }, async (req) => sctToJson(await log.add(chainOf(req), true)));
  app.get('/get-sth', async () => {
    const sth = log.signedTreeHead();
    return {
      tree_size: sth.treeSize,
      timestamp: sth.timestamp,
      sha256_root_hash: sth.rootHash.toString('base64'),
      tree_head_signature: sth.signature.toString('base64'),
    };
  });
  app.get('/get-sth-consistency', async (req) => {
    const q = query(req);
    const proof = await log.consistency(uint(q, 'first'), uint(q, 'second'));
    return { consistency: proof.map((h) => h.toString('base64')) };
  });
  app.get('/get-proof-by-hash', async (req) => {
    const q = query(req);
    const { leafIndex, auditPath } = await log.proofByHash(base64(q.hash, 'hash'), uint(q, 'tree_size'));
    return { leaf_index: leafIndex, audit_path: auditPath.map((h) => h.toString('base64')) };
  });
  app.get('/get-entries', async (req) => {
    const q = query(req);
    const entries = log.entries(uint(q, 'start'), uint(q, 'end'));
    return {
      entries: entries.map((e) => ({
        leaf_input: e.leafInput.toString('base64'),
        extra_data: e.extraData.toString('base64'),
      })),
    };
  });
  app.get('/get-entry-and-proof', async (req) => {
    const q = query(req);
    const { entry, auditPath } = await log.entryAndProof(uint(q, 'leaf_index'), uint(q, 'tree_size'));
    return {
      leaf_input: entry.leafInput.toString('base64'),
      extra_data: entry.extraData.toString('base64'),
      audit_path: auditPath.map((h) => h.toString('base64')),
    };
  });
  app.get('/get-roots', async () => ({ certificates: log.acceptedRoots().map((r) => r.toString('base64')) }));
}

function chainOf(req: FastifyRequest): Buffer[] {
  const body = req.body as { chain?: unknown } | undefined;
  if (!body || typeof body !== 'object' || !Array.isArray(body.chain)) {
    throw invalidInput('body must be JSON {"chain": [base64 DER certificate, ...]}');
  }
  return body.chain.map((c, i) => base64(c, `chain[${i}]`));
}

function query(req: FastifyRequest): Record<string, unknown> {
  return (req.query ?? {}) as Record<string, unknown>;
}

function uint(q: Record<string, unknown>, name: string): number {
  const v = q[name];
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) throw invalidInput(`${name} must be a non-negative integer`);
  return Number(v);
}

function base64(v: unknown, what: string): Buffer {
  if (typeof v !== 'string' || v.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v) || v.length % 4 === 1) {
    throw invalidInput(`${what} is not base64`);
  }
  return Buffer.from(v, 'base64');
}
