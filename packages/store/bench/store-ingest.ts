// Store throughput: metrics ingest (rows/s, the coordinator's batched path) and storing a 10,000-run
// sweep in one transaction. Prints JSON lines {"bench","metric","value","unit",...context}.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  insertMetrics,
  insertSweep,
  openStore,
  recordRunResult,
  type MetricRow,
  type NewRun,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'isoflop-store-bench-'));
const store = openStore(join(dir, 'bench.db'));
const emit = (
  metric: string,
  value: number,
  unit: string,
  context: Record<string, unknown>,
): void => {
  process.stdout.write(`${JSON.stringify({ bench: 'store', metric, value, unit, ...context })}\n`);
};

// Metrics: what a sweep's progress looks like, written as the coordinator writes it (batches of 500 in
// one transaction each).
const RUNS = 100;
const STEPS = 2000;
const BATCH = 500;
const rows: MetricRow[] = [];
for (let run = 0; run < RUNS; run++) {
  for (let step = 1; step <= STEPS; step++) {
    rows.push({
      runId: `arm-${run.toString(16).padStart(16, '0')}`,
      kind: 'train',
      step,
      tokens: step * 4096,
      loss: 3 + 1 / step,
      lr: 2e-4,
      tokensPerSecond: 12_000,
      gradNorm: 0.5,
      recordedAt: Date.now(),
    });
  }
}
let start = performance.now();
const cpu = process.cpuUsage();
for (let i = 0; i < rows.length; i += BATCH) {
  const batch = rows.slice(i, i + BATCH);
  store.transaction(() => insertMetrics(store, batch));
}
let seconds = (performance.now() - start) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
// On a shared machine wall time includes waiting for a core; the CPU-time rate is the code's own speed.
emit('metrics_ingest', Math.round(rows.length / seconds), 'rows/s', {
  rows: rows.length,
  batch: BATCH,
  journal: 'wal',
  synchronous: 'normal',
});
emit('metrics_ingest_cpu', Math.round(rows.length / cpuSeconds), 'rows/cpu-s', {
  rows: rows.length,
  batch: BATCH,
});

// A 10,000-run sweep stored in one transaction (what submit writes before enqueueing).
const planned: NewRun[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `arm-${i.toString(16).padStart(16, '0')}`,
  family: 'arm',
  budgetFlops: 1e18,
  achievedFlops: 1e18,
  params: 1e8,
  exactParams: 1.1e8,
  tokens: 1.6e9,
  steps: 6000,
  batchSize: 256,
  dModel: 768,
  nLayers: 12,
  nHeads: 12,
  seqLen: 1024,
  spec: { id: i, shape: { dModel: 768, nLayers: 12 }, optimizer: { lr: 2e-4 } },
}));
start = performance.now();
insertSweep(
  store,
  { id: 'bench', name: 'bench', specText: '', specFormat: 'yaml', spec: {}, dropped: [] },
  planned,
);
seconds = (performance.now() - start) / 1000;
emit('store_sweep', seconds, 's', { runs: planned.length });

// Recording one finished run (the per-run store cost of the orchestration overhead).
start = performance.now();
const results = 1000;
for (let i = 0; i < results; i++) {
  store.transaction(() =>
    recordRunResult(
      store,
      planned[i]!.id,
      {
        valLoss: 3,
        valLossStdErr: 0.01,
        finalTrainLoss: 3.1,
        steps: 6000,
        tokens: 1.6e9,
        wallSeconds: 60,
        tokensPerSecond: 2.6e7,
      },
      Date.now(),
    ),
  );
}
emit('record_result', ((performance.now() - start) / results) * 1000, 'us/run', { runs: results });

store.close();
rmSync(dir, { recursive: true, force: true });
