/**
 * OpenID Connect, both sides: the client (./client: where a signer's identity token comes from: flags, env, CI,
 * browser, device flow) and the dev identity provider `signet up` runs (./provider). Other domains import this file
 * only.
 */
export * from './client/index.js';
export * from './provider/index.js';
// Both sides name the RFC 8628 grant; it is one string.
export { DEVICE_CODE_GRANT } from './client/index.js';
