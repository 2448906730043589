import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Store } from '@isoflop/store';

/** The compiled thread body (the dist/ file, also when this module runs from src/ under a test runner). */
const FIT_WORKER_FILE = fileURLToPath(
  new URL('../../dist/coordinator/fit-worker.js', import.meta.url),
);

/**
 * Refreshes a sweep's fit (refreshSweepFit) on a worker thread with its own connection to the database
 * file; resolves when the fit and its 'fit' event are committed, rejects with the fit's error.
 */
export function refreshFitInThread(store: Store, sweepId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(FIT_WORKER_FILE, { workerData: { file: store.file, sweepId } });
    let settled = false;
    worker.once('message', (message: { ok: boolean; message?: string }) => {
      settled = true;
      if (message.ok) resolve();
      else reject(new Error(message.message));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`fit thread exited with code ${code}`));
    });
  });
}
