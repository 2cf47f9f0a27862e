/** The RFC 3161 timestamp client the signers use (cosign's and sigstore-js's TSA witness); no server code. */
export { requestTimestamp, timeStampReq, timestampEndpoint, type TimestampOptions } from './request-timestamp.js';
