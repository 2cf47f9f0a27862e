import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A hidden form field; name and value are escaped. */
export function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/**
 * Sends a small page. Callers pass already-escaped body HTML. The headers forbid framing (clickjacking a login
 * that hands out any identity) and scripts; the page has none.
 */
export function sendPage(reply: FastifyReply, status: number, title: string, bodyHtml: string) {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(
      `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
        `<style>body{font-family:sans-serif;max-width:32em;margin:3em auto}input{font-size:1em}</style></head>` +
        `<body><h1>${escapeHtml(title)}</h1>\n<p><strong>signet dev identity provider</strong>: ` +
        `it signs any identity you type. Never expose it to a network you do not control.</p>\n${bodyHtml}</body></html>\n`,
    );
}
