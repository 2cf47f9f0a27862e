// @peculiar/x509 uses tsyringe, which wants the `reflect-metadata` polyfill. The tests only need the two calls it
// makes, so a WeakMap stands in for the package (not a dependency of signet).
const store = new WeakMap<object, Map<unknown, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;
if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = (key: unknown, value: unknown, target: object) => {
    if (!store.has(target)) store.set(target, new Map());
    store.get(target)!.set(key, value);
  };
  R.getMetadata = (key: unknown, target: object) => store.get(target)?.get(key);
  R.getOwnMetadata = R.getMetadata;
  R.hasMetadata = (key: unknown, target: object) => store.get(target)?.has(key) ?? false;
  R.metadata = (key: unknown, value: unknown) => (target: object) =>
    (R.defineMetadata as (k: unknown, v: unknown, t: object) => void)(key, value, target);
}
export {};
