#!/usr/bin/env node
// The CLI runs from the compiled sources; `npm ci` builds them (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('signet: error: not built yet\nsignet: hint: run `npm ci` (or `npm run build`) in the signet checkout');
  process.exit(1);
}
await import(main.href);
