/** OIDC client side: where an identity token for signing comes from (flags, env, CI, browser, device flow). */
export { getIdentityToken, type AuthFlow, type IdentityToken, type IdentityTokenOptions } from './token-source.js';
export { githubActionsToken } from './ambient.js';
export { browserLogin, type BrowserFlowOptions } from './browser-flow.js';
export { deviceLogin, DEVICE_CODE_GRANT, type DeviceAuthorization, type DeviceFlowOptions } from './device-flow.js';
export { discoverProvider, type ProviderMetadata, type FetchLike } from './discovery.js';
export { looksLikeJwt, verifyIdToken, tokenIdentity } from './id-token.js';
export { browserCommand, openInBrowser } from './open-browser.js';
