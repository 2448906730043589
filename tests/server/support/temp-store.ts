import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '@isoflop/store';

/** A fresh SQLite file with the real migrations, removed again by `dispose`. */
export function tempStore(): { store: Store; file: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'isoflop-server-'));
  const file = join(dir, 'isoflop.db');
  const store = openStore(file);
  return {
    store,
    file,
    dispose() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
