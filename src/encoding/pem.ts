/**
 * PEM, read and written in one place. `pemBlocks` finds every block in a text leniently (bundles, certificate
 * chains, requests pasted by hand); `decodePem`/`encodePem` follow Go's encoding/pem exactly, for the bytes Rekor
 * canonicalizes.
 */
export interface PemBlock {
  label: string;
  der: Buffer;
}

/** Every `-----BEGIN X-----` ... `-----END X-----` block of `text` (of type `label` when given), as DER. */
export function pemBlocks(text: string, label?: string): PemBlock[] {
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  const out: PemBlock[] = [];
  for (const m of text.matchAll(re)) {
    if (label && m[1] !== label) continue;
    out.push({ label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64') });
  }
  return out;
}

/** Standard base64 with padding, nothing else (Go's StdEncoding.DecodeString accepts no more). */
export function isStdBase64(s: string): boolean {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s);
}

/**
 * PEM as Go's encoding/pem reads and writes it. Rekor stores keys and certificates re-encoded with `pem.Encode`, so
 * these bytes end up in Merkle leaves: 64-column base64 lines, every line (the END line too) ending in "\n".
 */
export function encodePem(type: string, der: Buffer): string {
  const b64 = der.toString('base64');
  let out = `-----BEGIN ${type}-----\n`;
  for (let i = 0; i < b64.length; i += 64) out += b64.slice(i, i + 64) + '\n';
  return out + `-----END ${type}-----\n`;
}

const BEGIN = '-----BEGIN ';
const END = '-----END ';

/**
 * Reads the first PEM block of `text` like Go's `pem.Decode`: text before the BEGIN line is skipped, the body's
 * spaces, tabs and newlines are ignored, the END line must name the same type. Returns the text after the block,
 * or undefined when no well-formed block is found. Header lines ("Proc-Type: ...") are not accepted: no key or
 * certificate Rekor handles carries them.
 */
export function decodePem(text: string): { block: PemBlock; rest: string } | undefined {
  let from = 0;
  // Go retries after each malformed candidate; bound the retries so crafted input cannot make this quadratic.
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const start = text.startsWith(BEGIN, from) ? from : text.indexOf('\n' + BEGIN, from);
    if (start < 0) return undefined;
    const typeStart = start + (text.startsWith(BEGIN, start) ? BEGIN.length : BEGIN.length + 1);
    const lineEnd = nextLineEnd(text, typeStart);
    const typeLine = text.slice(typeStart, lineEnd).replace(/[ \t\r]+$/, '');
    from = typeStart;
    if (!typeLine.endsWith('-----')) continue;
    const type = typeLine.slice(0, -5);
    const bodyStart = Math.min(lineEnd + 1, text.length);
    const endAt = text.startsWith(END, bodyStart) ? bodyStart : text.indexOf('\n' + END, bodyStart);
    if (endAt < 0) return undefined; // no later BEGIN can have an END either
    const trailerStart = endAt === bodyStart ? bodyStart + END.length : endAt + 1 + END.length;
    const trailerEnd = nextLineEnd(text, trailerStart);
    const trailer = text.slice(trailerStart, trailerEnd).replace(/[ \t\r]+$/, '');
    if (trailer !== `${type}-----`) continue;
    const body = text.slice(bodyStart, endAt).replace(/[ \t\r\n]/g, '');
    if (body.includes(':')) return undefined;
    if (!isStdBase64(body)) continue;
    return {
      block: { label: type, der: Buffer.from(body, 'base64') },
      rest: text.slice(Math.min(trailerEnd + 1, text.length)),
    };
  }
  return undefined;
}

const MAX_ATTEMPTS = 16;

function nextLineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}
