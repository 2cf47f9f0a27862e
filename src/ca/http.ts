import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidInput } from '../errors.js';
import { parseJsonBody, requireOwnHost } from '../http/index.js';
import { certPem, type CertificateAuthority, type SigningRequest } from './authority.js';
import { challengeClaimOf } from './oidc/config.js';
import { fulcioErrorHandler } from './wire-error.js';

/**
 * A signing request is a token, a key or CSR and a proof: a few KiB. Fulcio allows 4 MiB (maxMsgSize); a small
 * cap keeps one client from holding the server's body budget with requests that can never be valid.
 */
const BODY_LIMIT = 64 * 1024;

const PUBLIC_READS = ['/api/v2/trustBundle', '/api/v2/configuration', '/api/v1/rootCert'];

export interface CaRoutesOptions {
  /** The URL clients use: the Host a signing request must carry (see requireOwnHost). */
  publicUrl: string;
  /** Called for each certificate handed out (metrics). */
  onIssued?: (withSct: boolean) => void;
}

/** Registers Fulcio's v2 and legacy v1 HTTP JSON API (grpc-gateway shapes) for `ca` on `app`. */
export async function registerCaRoutes(
  app: FastifyInstance,
  ca: CertificateAuthority,
  options: CaRoutesOptions,
): Promise<void> {
  app.setErrorHandler(fulcioErrorHandler);
  // Fulcio's rs/cors defaults (any origin) only for the public reads: the signing endpoints act on a bearer token,
  // so a browser page elsewhere gets no CORS grant for them, and they check the Host header against DNS rebinding.
  app.addHook('onRequest', async (req, reply) => {
    if (PUBLIC_READS.includes(req.routeOptions.url ?? '')) reply.header('access-control-allow-origin', '*');
  });
  const ownHost = requireOwnHost(options.publicUrl);
  for (const path of PUBLIC_READS) {
    app.options(path, async (_req, reply) =>
      reply
        .code(204)
        .header('access-control-allow-methods', 'GET, POST, HEAD')
        .header('access-control-allow-headers', 'Accept, Accept-Language, Content-Type, X-Requested-With')
        .send(),
    );
  }
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => {
    try {
      done(null, parseJsonBody(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.post('/api/v2/signingCert', { bodyLimit: BODY_LIMIT, onRequest: ownHost }, async (req) => {
    const body = objectBody(req.body);
    const creds = obj(body.credentials);
    const token = str(creds.oidcIdentityToken ?? creds.oidc_identity_token) || bearer(req);
    const issued = await ca.issueCertificate(v2Request(body, token));
    options.onIssued?.(issued.sct !== undefined);
    const chain = { certificates: issued.chainDer.map(certPem) };
    if (issued.sct) return { signedCertificateEmbeddedSct: { chain } };
    return { signedCertificateDetachedSct: { chain, signedCertificateTimestamp: '' } };
  });

  app.get('/api/v2/trustBundle', async () => ({ chains: [{ certificates: ca.chainPem() }] }));

  app.get('/api/v2/configuration', async () => ({ issuers: configuration(ca) }));

  app.post('/api/v1/signingCert', { bodyLimit: BODY_LIMIT, onRequest: ownHost }, async (req, reply) => {
    const body = objectBody(req.body);
    const token = bearer(req);
    const issued = await ca.issueCertificate(v1Request(body, token));
    options.onIssued?.(issued.sct !== undefined);
    reply.code(201).type('application/pem-certificate-chain');
    return issued.chainDer.map(certPem).join('\n');
  });

  app.get('/api/v1/rootCert', async (_req, reply) => {
    reply.type('application/pem-certificate-chain');
    return ca
      .chainPem()
      .map((p) => p.trim())
      .join('\n');
  });
}

/** protojson accepts a field by its JSON name or its proto name (`publicKeyRequest` or `public_key_request`). */
function v2Request(body: Record<string, unknown>, token: string): SigningRequest {
  // protojson reads null as an unset field.
  const csr = body.certificateSigningRequest ?? body.certificate_signing_request;
  if (csr !== undefined && csr !== null)
    return { token, csrPem: b64(csr, 'certificateSigningRequest').toString('latin1') };
  const pkr = obj(body.publicKeyRequest ?? body.public_key_request);
  const content = str(obj(pkr.publicKey ?? pkr.public_key).content);
  if (!content)
    throw invalidInput(
      'the public key supplied in the request could not be parsed: publicKeyRequest.publicKey.content is empty',
    );
  const proof = pkr.proofOfPossession ?? pkr.proof_of_possession ?? '';
  return { token, publicKey: content, proofOfPossession: b64(proof, 'proofOfPossession') };
}

function v1Request(body: Record<string, unknown>, token: string): SigningRequest {
  // Fulcio's Go client sends `"certificateSigningRequest": null` with a public key; Fulcio takes a non-empty CSR only.
  if (
    body.certificateSigningRequest !== undefined &&
    body.certificateSigningRequest !== null &&
    body.certificateSigningRequest !== ''
  )
    return { token, csrPem: b64(body.certificateSigningRequest, 'certificateSigningRequest').toString('latin1') };
  const content = b64(obj(body.publicKey).content ?? '', 'publicKey.content');
  if (content.length === 0)
    throw invalidInput('the public key supplied in the request could not be parsed: publicKey.content is empty');
  return { token, publicKey: content, proofOfPossession: b64(body.signedEmailAddress ?? '', 'signedEmailAddress') };
}

function configuration(ca: CertificateAuthority) {
  const cfg = ca.issuers.config;
  const entry = (i: (typeof cfg.oidcIssuers)[string]) => ({
    audience: i.clientId,
    challengeClaim: challengeClaimOf(i),
    spiffeTrustDomain: i.spiffeTrustDomain ?? '',
    issuerType: i.type,
    subjectDomain: i.subjectDomain ?? '',
    skipEmailVerification: i.skipEmailVerification ?? false,
  });
  return [
    ...Object.values(cfg.oidcIssuers).map((i) => ({ issuerUrl: i.issuerUrl, ...entry(i) })),
    ...Object.entries(cfg.metaIssuers).map(([pattern, i]) => ({ wildcardIssuerUrl: pattern, ...entry(i) })),
  ];
}

/** The token from `Authorization: Bearer <jwt>` (grpc-gateway's metadata path). */
function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  return typeof h === 'string' ? h.replace(/^Bearer /, '').trim() : '';
}

/** protojson bytes: standard or URL-safe base64, padded or not. */
function b64(v: unknown, field: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v.replace(/\s/g, '')))
    throw invalidInput(`${field} must be base64`);
  return Buffer.from(v.replace(/\s/g, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function objectBody(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidInput('request body must be a JSON object');
  return v as Record<string, unknown>;
}

function obj(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
