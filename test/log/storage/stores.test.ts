import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { MemoryLogStore } from '../../../src/log/storage/memory.js';
import { SqliteLogStore } from '../../../src/log/storage/sqlite.js';
import { tempDir } from '../../helpers/process.js';
import { storeConformance } from './conformance.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

storeConformance('memory', async () => ({ store: new MemoryLogStore() }));

// Compiled, the default SQLite store commits on a writer thread; from source (tsx) it commits inline.
storeConformance('sqlite', async () => {
  const dir = tempDir('signet-logstore-');
  dirs.push(dir);
  const path = join(dir, 'log.db');
  return { store: new SqliteLogStore(path), reopen: async () => new SqliteLogStore(path) };
});

storeConformance('sqlite (inline commits)', async () => {
  const dir = tempDir('signet-logstore-');
  dirs.push(dir);
  const path = join(dir, 'log.db');
  return {
    store: new SqliteLogStore(path, { writerThread: false }),
    reopen: async () => new SqliteLogStore(path, { writerThread: false }),
  };
});
