import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '@isoflop/store';
import { decideSweepStep } from './adaptive-step.js';

/**
 * Worker-thread body of `decideStepInThread`: the decision step reads every run of the sweep and may fit
 * parabolas and bootstrap them, which must not stall the coordinator's event loop.
 */
const { file, sweepId } = workerData as { file: string; sweepId: string };
const store = openStore(file, { readonly: true });
try {
  parentPort?.postMessage({ ok: true, step: decideSweepStep(store, sweepId) });
} catch (error) {
  parentPort?.postMessage({ ok: false, message: (error as Error).message });
} finally {
  store.close();
}
