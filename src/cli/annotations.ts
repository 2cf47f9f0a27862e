import { Option } from 'commander';
import { invalidInput } from '../errors.js';

/** `-a key=value`, repeatable (cosign's --annotations). */
export function annotationOption(): Option {
  return new Option('-a, --annotations <key=value>', 'annotation (repeatable)').argParser(
    (v: string, prev: string[] = []) => [...prev, v],
  );
}

export function parseAnnotations(list: string[] | undefined): Record<string, string> | undefined {
  if (!list?.length) return undefined;
  const out: Record<string, string> = {};
  for (const kv of list) {
    const eq = kv.indexOf('=');
    if (eq <= 0) throw invalidInput(`annotation ${JSON.stringify(kv)} is not key=value`);
    out[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return out;
}
