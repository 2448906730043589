import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../open-store.js';
import { setCursor } from './cursor.js';
import { dataVersion } from './data-version.js';

describe('dataVersion', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const freshPath = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'isoflop-data-version-'));
    dirs.push(dir);
    return join(dir, 'store.db');
  };

  it('stays while nothing is written and moves on a write through this connection', () => {
    const store = openStore(freshPath());
    const before = dataVersion(store);
    expect(dataVersion(store)).toBe(before);
    setCursor(store, 'test', '1');
    const after = dataVersion(store);
    expect(after).not.toBe(before);
    expect(dataVersion(store)).toBe(after);
    store.close();
  });

  it('moves when another connection commits', () => {
    const path = freshPath();
    const reader = openStore(path);
    const writer = openStore(path);
    const before = dataVersion(reader);
    setCursor(writer, 'test', '1');
    expect(dataVersion(reader)).not.toBe(before);
    writer.close();
    reader.close();
  });
});
