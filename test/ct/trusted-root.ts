import type { CtLog } from '../../src/ct/index.js';

/** A trusted root (protobuf JSON) whose only entry is this CT log, for checking its SCTs with sigstore-js. */
export function trustedRootWith(ct: Pick<CtLog, 'baseUrl' | 'publicKey' | 'logId'>) {
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    timestampAuthorities: [],
    ctlogs: [
      {
        baseUrl: ct.baseUrl,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: ct.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: new Date(0).toISOString() },
        },
        logId: { keyId: ct.logId.toString('base64') },
      },
    ],
  };
}
