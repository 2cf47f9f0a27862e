import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { isSignetError } from '../../../src/errors.js';
import { admitEntry } from '../../../src/log/types/index.js';
import { b64, fixture } from './tools.js';

/**
 * Bad input of every shape must end in a SignetError with a one-line message: never another exception, never a
 * hang. Valid entries of each kind are mutated at a random place (wrong type, truncated base64, huge value).
 */
async function admitOrSignetError(entry: unknown): Promise<void> {
  try {
    await admitEntry(entry);
  } catch (e) {
    if (!isSignetError(e))
      throw new Error(`not a SignetError: ${String(e)} for ${JSON.stringify(entry).slice(0, 300)}`, { cause: e });
    assert.ok(['invalid-input', 'unsupported'].includes(e.code), e.code);
    assert.ok(!e.message.includes('\n') && e.message.length < 400, `message: ${e.message}`);
    // The admitter's catch-all for unexpected exceptions must not be what answered: that would be a parser bug.
    assert.ok(!/could not be processed/.test(e.message), `unexpected exception: ${e.message}`);
  }
}

function validEntries(): Record<string, unknown> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const digest = createHash('sha256').update('fuzz').digest();
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1","subject":[]}');
  const type = 'application/vnd.in-toto+json';
  const sig = sign(
    'sha256',
    Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${payload.length} `), payload]),
    privateKey,
  );
  const env = { payloadType: type, payload: b64(payload), signatures: [{ keyid: '', sig: b64(sig) }] };
  const rekord = (format: string, s: Buffer, k: Buffer, content: Buffer) => ({
    kind: 'rekord',
    apiVersion: '0.0.1',
    spec: { signature: { format, content: b64(s), publicKey: { content: b64(k) } }, data: { content: b64(content) } },
  });
  return {
    hashedrekord: {
      kind: 'hashedrekord',
      apiVersion: '0.0.1',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
        signature: { content: b64(sign('sha256', Buffer.from('fuzz'), privateKey)), publicKey: { content: b64(pem) } },
      },
    },
    'rekord-ssh': rekord(
      'ssh',
      fixture('ssh', 'hello_world.txt.sig'),
      fixture('ssh', 'id_rsa.pub'),
      fixture('ssh', 'hello_world.txt'),
    ),
    'rekord-minisign': rekord(
      'minisign',
      fixture('minisign', 'hello_world.txt.minisig'),
      fixture('minisign', 'minisign.pub'),
      fixture('minisign', 'hello_world.txt'),
    ),
    'rekord-pgp': rekord(
      'pgp',
      fixture('pgp', 'hello_world.txt.sig'),
      fixture('pgp', 'valid_armored_public.pgp'),
      fixture('pgp', 'hello_world.txt'),
    ),
    'rekord-x509': rekord(
      'x509',
      fixture('x509', 'hello_world.txt.sig'),
      fixture('x509', 'ec.pub'),
      fixture('x509', 'hello_world.txt'),
    ),
    dsse: {
      kind: 'dsse',
      apiVersion: '0.0.1',
      spec: { proposedContent: { envelope: JSON.stringify(env), verifiers: [b64(pem)] } },
    },
    intoto: {
      kind: 'intoto',
      apiVersion: '0.0.2',
      spec: {
        content: {
          envelope: {
            payloadType: type,
            payload: b64(env.payload),
            signatures: [{ sig: b64(env.signatures[0]!.sig), publicKey: b64(pem) }],
          },
          hash: { algorithm: 'sha256', value: createHash('sha256').update(JSON.stringify(env)).digest('hex') },
        },
      },
    },
  };
}

/** Every path to a value inside a JSON tree. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return [prefix, ...v.flatMap((x, i) => paths(x, [...prefix, i]))];
  if (v && typeof v === 'object') return [prefix, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...prefix, k]))];
  return [prefix];
}

function setAt(root: any, path: (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]!] = value;
  return copy;
}

const replacement = (original: unknown) =>
  fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(null, undefined, '', 0, -1, true, [], {}, 'AAA', 'A===', '*', 'sha256', '0.0.1'),
    typeof original === 'string'
      ? fc.oneof(
          fc.nat({ max: original.length }).map((n) => original.slice(0, n)),
          fc.nat({ max: original.length }).map((n) => original.slice(n)),
          fc.string().map((s) => original + s),
          fc.constant(Buffer.from(original).toString('base64')),
        )
      : fc.jsonValue(),
    fc.constant('A'.repeat(1 << 20)),
  );

test('random JSON is refused with a SignetError', async () => {
  await fc.assert(fc.asyncProperty(fc.jsonValue(), admitOrSignetError), { numRuns: 300 });
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom('hashedrekord', 'rekord', 'intoto', 'dsse'),
      fc.jsonValue(),
      async (kind, spec) => {
        const apiVersion = { hashedrekord: '0.0.1', rekord: '0.0.1', intoto: '0.0.2', dsse: '0.0.1' }[kind];
        await admitOrSignetError({ kind, apiVersion, spec });
      },
    ),
    { numRuns: 300 },
  );
});

test('valid entries mutated anywhere are admitted or refused with a SignetError', async (t) => {
  const entries = validEntries();
  for (const [name, entry] of Object.entries(entries)) {
    await t.test(name, async () => {
      await admitEntry(entry); // the unmutated entry is valid
      const all = paths(entry);
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: all.length - 1 }).chain((i) => {
            const path = all[i]!;
            const original = path.reduce((node: any, k) => node?.[k], entry);
            return fc.tuple(fc.constant(path), replacement(original));
          }),
          async ([path, value]) => admitOrSignetError(setAt(entry, path, value)),
        ),
        { numRuns: name.startsWith('rekord-pgp') ? 60 : 150 },
      );
    });
  }
});

test('huge and deeply nested inputs are refused without a crash', async () => {
  const huge = 'A'.repeat(8 << 20);
  await admitOrSignetError({
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      signature: { content: huge, publicKey: { content: huge } },
      data: { hash: { algorithm: 'sha256', value: huge } },
    },
  });
  let deep: unknown = {};
  for (let i = 0; i < 5000; i++) deep = { spec: deep };
  await admitOrSignetError({ kind: 'dsse', apiVersion: '0.0.1', spec: deep });
  // Many unterminated armor headers: parsing must stay linear.
  const begins = Buffer.from('-----BEGIN PUBLIC KEY-----\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n'.repeat(40000));
  const pemBomb = {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      signature: { content: b64('x'), publicKey: { content: b64(begins) } },
      data: { hash: { algorithm: 'sha256', value: '0'.repeat(64) } },
    },
  };
  await admitOrSignetError(pemBomb);
  for (const format of ['pgp', 'ssh', 'minisign', 'x509']) {
    await admitOrSignetError({
      kind: 'rekord',
      apiVersion: '0.0.1',
      spec: {
        signature: { format, content: b64(begins), publicKey: { content: b64(begins) } },
        data: { content: b64('x') },
      },
    });
  }
  await admitOrSignetError({
    kind: 'rekord',
    apiVersion: '0.0.1',
    spec: {
      signature: {
        format: 'pgp',
        content: b64(Buffer.alloc(1 << 16, 0xff)),
        publicKey: { content: b64(Buffer.alloc(1 << 16, 0x99)) },
      },
      data: { content: '' },
    },
  });
});
