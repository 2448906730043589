import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendEvents,
  insertMetrics,
  insertSweep,
  listEventsAfter,
  listSweepStatuses,
  markRunsQueued,
  openStore,
  recordRunResult,
  type NewRun,
  type Store,
} from '@isoflop/store';

function plannedRun(id: string): NewRun {
  return {
    id,
    family: 'arm',
    budgetFlops: 1e12,
    achievedFlops: 1e12,
    params: 1000,
    exactParams: 1100,
    tokens: 2000,
    steps: 10,
    batchSize: 2,
    dModel: 16,
    nLayers: 1,
    nHeads: 2,
    seqLen: 16,
    spec: { id },
  };
}

const result = {
  valLoss: 3.1,
  valLossStdErr: 0.01,
  finalTrainLoss: 3.2,
  steps: 10,
  tokens: 2000,
  wallSeconds: 1.5,
  tokensPerSecond: 1333,
};

describe('store', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isoflop-store-'));
    store = openStore(join(dir, 'isoflop.db'));
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the migrations in WAL mode and reopens an existing file', () => {
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    store = openStore(join(dir, 'isoflop.db'));
    expect(listSweepStatuses(store)).toEqual([]);
  });

  it('stores a sweep once and reports run counts per state, newest first', () => {
    const sweep = { name: 's', specText: 'x', specFormat: 'yaml' as const, spec: {}, dropped: [] };
    expect(insertSweep(store, { ...sweep, id: 'a' }, [plannedRun('r1'), plannedRun('r2')])).toEqual(
      {
        created: true,
      },
    );
    expect(insertSweep(store, { ...sweep, id: 'a' }, [plannedRun('r1')])).toEqual({
      created: false,
    });
    insertSweep(store, { ...sweep, id: 'b', name: 't' }, [plannedRun('r3')]);
    store.sqlite.prepare("UPDATE sweeps SET created_at = created_at + 10 WHERE id = 'b'").run();
    markRunsQueued(store, ['r1'], 'a');
    expect(listSweepStatuses(store)).toEqual([
      { id: 'b', name: 't', state: 'queued', runs: { planned: 1 } },
      { id: 'a', name: 's', state: 'queued', runs: { planned: 1, queued: 1 } },
    ]);
    expect(listSweepStatuses(store, 's').map((s) => s.id)).toEqual(['a']);
  });

  it('records a result once, for every sweep that shares the run', () => {
    const sweep = { specText: 'x', specFormat: 'yaml' as const, spec: {}, dropped: [] };
    insertSweep(store, { ...sweep, id: 'a', name: 'a' }, [plannedRun('shared')]);
    insertSweep(store, { ...sweep, id: 'b', name: 'b' }, [plannedRun('shared')]);
    expect(recordRunResult(store, 'shared', result, Date.now()).sort()).toEqual(['a', 'b']);
    expect(recordRunResult(store, 'shared', result, Date.now())).toEqual([]);
  });

  it('keeps one metric row per run, kind and step (the latest write wins)', () => {
    const row = { runId: 'r', kind: 'train' as const, step: 1, tokens: 32, loss: 5, recordedAt: 1 };
    store.transaction(() => insertMetrics(store, [row, { ...row, step: 2 }, { ...row, loss: 4 }]));
    const rows = store.sqlite.prepare('SELECT step, loss FROM metrics ORDER BY step').all();
    expect(rows).toEqual([
      { step: 1, loss: 4 },
      { step: 2, loss: 5 },
    ]);
  });

  it('numbers events in order so a reader can resume after the last id it saw', () => {
    const stored = appendEvents(store, [
      { sweepId: 'a', kind: 'run', payload: { runId: 'r1', state: 'queued' } },
      { sweepId: 'a', kind: 'run', payload: { runId: 'r2', state: 'running' } },
      { sweepId: 'b', kind: 'run', payload: { runId: 'r3', state: 'queued' } },
    ]);
    expect(stored.map((event) => event.id)).toEqual([1, 2, 3]);
    expect(listEventsAfter(store, 'a', 1).map((event) => event.payload)).toEqual([
      { runId: 'r2', state: 'running' },
    ]);
  });
});
