/**
 * cosign's comma-separated `key=value` service spec (`trusted-root create --rekor ...`, `signing-config create
 * --fulcio ...`): keys and values trimmed; each caller words its own errors, as cosign's two commands do.
 */
export function parseKeyValueSpec(
  spec: string,
  required: readonly string[],
  errors: { invalidPair: (pair: string) => Error; missing: (key: string) => Error },
): Record<string, string> {
  const kv: Record<string, string> = {};
  for (const pair of spec.split(',')) {
    const eq = pair.indexOf('=');
    if (eq < 0) throw errors.invalidPair(pair);
    kv[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  for (const key of required) if (!kv[key]) throw errors.missing(key);
  return kv;
}
