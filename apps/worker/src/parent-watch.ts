import { Worker } from 'node:worker_threads';

/** How often the watchdog thread looks for its parent. */
const WATCH_INTERVAL_MS = 250;

// CommonJS, evaluated in its own thread: it keeps watching while the main thread is inside a long
// synchronous step, which is exactly when an IPC 'disconnect' event could not be handled.
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
setInterval(() => {
  if (process.ppid !== workerData.parentPid) process.kill(process.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

/**
 * Makes this sandboxed training process end with the worker that forked it. Node has no
 * `prctl(PR_SET_PDEATHSIG)`, and a worker killed with SIGKILL cannot take its children along, so an
 * orphan would go on training unreported (beside the run's next owner, on the same checkpoint) and then
 * spin on its closed IPC channel. Three guards, each enough when the earlier one cannot act:
 * - the IPC channel's 'disconnect' (the parent's end closed: it exited or was killed) exits at once;
 * - a watchdog thread SIGKILLs this process once it is re-parented (its parent pid changed), even while
 *   the main thread is busy in a long synchronous section;
 * - an uncaught exception with the channel already closed exits instead of reporting it: BullMQ's own
 *   handler would `send()` on the closed channel, fail, and raise again, forever.
 */
export function exitWithParent(): void {
  process.once('disconnect', () => process.exit(1));
  process.on('uncaughtException', () => {
    if (!process.connected) process.exit(1);
  });
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { parentPid: process.ppid, intervalMs: WATCH_INTERVAL_MS },
  });
  watchdog.unref();
}
