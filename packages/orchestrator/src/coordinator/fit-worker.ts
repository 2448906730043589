import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '@isoflop/store';
import { refreshSweepFit } from '../fits/refresh-sweep-fit.js';

/**
 * Worker-thread body of `refreshFitInThread`: a fit with bootstrap intervals takes seconds of CPU, which
 * must not stall the coordinator's event loop (nor the job-lock renewal of workers in the same process).
 */
const { file, sweepId } = workerData as { file: string; sweepId: string };
const store = openStore(file);
try {
  refreshSweepFit(store, sweepId);
  parentPort?.postMessage({ ok: true });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: (error as Error).message });
} finally {
  store.close();
}
