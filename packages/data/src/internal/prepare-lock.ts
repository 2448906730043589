import { open, readFile, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 200;
/** A lock from another machine is trusted for this long; a local one for as long as its process lives. */
const FOREIGN_LOCK_TTL_MS = 30 * 60 * 1000;

interface LockOwner {
  pid: number;
  host: string;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const owner = JSON.parse(text) as LockOwner;
    if (owner.host === hostname()) return !processAlive(owner.pid);
    return Date.now() - info.mtimeMs > FOREIGN_LOCK_TTL_MS;
  } catch {
    // Gone, or caught half-written: let the next round decide.
    return false;
  }
}

/**
 * Runs `build` under an exclusive lock file so that concurrent preparers of the same entry do the work once:
 * the others wait until `isDone` and then `reuse` it. A lock left by a dead local process (or an old one from
 * another machine) is taken over. Correctness never depends on the lock (the entry is published by an atomic
 * rename); it only saves duplicate work.
 */
export async function withPrepareLock<T>(
  lockPath: string,
  isDone: () => Promise<boolean>,
  reuse: () => Promise<T>,
  build: () => Promise<T>,
): Promise<T> {
  for (;;) {
    let acquired = false;
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(
        JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockOwner),
      );
      await handle.close();
      acquired = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (acquired) {
      try {
        return (await isDone()) ? await reuse() : await build();
      } finally {
        await rm(lockPath, { force: true });
      }
    }
    if (await isDone()) return reuse();
    if (await isStale(lockPath)) await rm(lockPath, { force: true });
    else await sleep(POLL_MS);
  }
}
