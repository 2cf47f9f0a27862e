import { escapeHtml, hidden } from './html.js';

/** The login form of the authorization code flow. */
export function loginForm(action: string, loginId: string, csrf: string, error?: string): string {
  return (
    (error ? `<p role="alert">${escapeHtml(error)}</p>\n` : '') +
    `<form method="post" action="${escapeHtml(action)}">\n${hidden('login_id', loginId)}\n${hidden('csrf', csrf)}\n` +
    `<label>Email to sign as <input type="email" name="email" required autofocus></label>\n` +
    `<button type="submit">Sign in</button>\n</form>\n`
  );
}

/** The device verification page (RFC 8628 §3.3): the user code, prefilled when the link carried it. */
export function deviceForm(action: string, csrf: string, userCode: string, error?: string): string {
  return (
    (error ? `<p role="alert">${escapeHtml(error)}</p>\n` : '') +
    `<form method="post" action="${escapeHtml(action)}">\n${hidden('csrf', csrf)}\n` +
    `<label>Code shown on your device <input name="user_code" value="${escapeHtml(userCode)}" required></label><br>\n` +
    `<label>Email to sign as <input type="email" name="email"></label><br>\n` +
    `<button type="submit" name="action" value="approve">Approve</button>\n` +
    `<button type="submit" name="action" value="deny">Deny</button>\n</form>\n`
  );
}

export function oobCodePage(code: string, state: string | undefined): string {
  return (
    `<p>Copy this code back into your terminal:</p>\n<pre id="code">${escapeHtml(code)}</pre>\n` +
    (state !== undefined ? `<p>state: <code>${escapeHtml(state)}</code></p>\n` : '')
  );
}
