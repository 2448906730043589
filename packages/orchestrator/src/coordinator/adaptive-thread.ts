import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AdaptiveStep } from '@isoflop/planner';
import type { Store } from '@isoflop/store';
import { decideSweepStep } from './adaptive-step.js';

/** The compiled thread body (the dist/ file, also when this module runs from src/ under a test runner). */
const ADAPTIVE_WORKER_FILE = fileURLToPath(
  new URL('../../dist/coordinator/adaptive-worker.js', import.meta.url),
);

/**
 * The sweep's adaptive step (decideSweepStep), computed on a worker thread with its own read-only
 * connection to the database file; an in-memory store has no file to share, so it is decided in place.
 */
export function decideStepInThread(
  store: Store,
  sweepId: string,
): Promise<AdaptiveStep | undefined> {
  if (store.file === ':memory:') return Promise.resolve(decideSweepStep(store, sweepId));
  return new Promise((resolve, reject) => {
    const worker = new Worker(ADAPTIVE_WORKER_FILE, { workerData: { file: store.file, sweepId } });
    let settled = false;
    worker.once('message', (message: { ok: boolean; step?: AdaptiveStep; message?: string }) => {
      settled = true;
      if (message.ok) resolve(message.step);
      else reject(new Error(message.message));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`adaptive step thread exited with code ${code}`));
    });
  });
}
