/**
 * DSSE's pre-authentication encoding, the bytes a DSSE signature covers:
 * "DSSEv1" SP len(type) SP type SP len(body) SP body, lengths as ASCII decimal byte counts.
 */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}
