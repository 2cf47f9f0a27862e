/**
 * The HTTP client side, as small as a CLI run needs: a fetch over node:http(s) (Node's own fetch costs a short CLI
 * process about its whole start again in undici's load). Used by the signing clients and `signet oidc token`; other
 * domains import this file only.
 */
export { nodeFetch, type FetchLike } from './node-fetch.js';
