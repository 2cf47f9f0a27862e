import { isObject } from './spec-input.js';

/**
 * Index keys Rekor derives from an in-toto statement: `<alg>:<digest>` for every subject digest and for every
 * SLSA v0.2 `predicate.materials[].digest`. A payload that is not such JSON yields no keys (Rekor logs and moves on).
 */
export function inTotoIndexKeys(payload: Buffer): string[] {
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch {
    return [];
  }
  if (!isObject(statement)) return [];
  const keys = digestKeys(statement.subject);
  const predicate = statement.predicate;
  if (isObject(predicate)) keys.push(...digestKeys(predicate.materials));
  return keys;
}

function digestKeys(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const keys: string[] = [];
  for (const item of list) {
    if (!isObject(item) || !isObject(item.digest)) continue;
    for (const [alg, value] of Object.entries(item.digest)) {
      if (typeof value === 'string') keys.push(`${alg}:${value}`);
    }
  }
  return keys;
}
