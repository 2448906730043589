import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startLocalRedis, type LocalRedis } from '@isoflop/queue';

export { freePort };

/** A private redis-server on a free loopback port, for tests that must own (and restart) their Redis. */
export interface PrivateRedis {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
  /** Stops it, waits `downMs` (default 0), and starts it again on the same port and data. */
  restart(options?: { downMs?: number }): Promise<void>;
}

/**
 * The launcher of `isoflop run` (@isoflop/queue's startLocalRedis) in a fresh temporary directory; with
 * `appendOnly`, every write is fsynced, so a test that restarts Redis loses nothing.
 */
export async function startPrivateRedis(
  options: { appendOnly?: boolean } = {},
): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'isoflop-redis-'));
  const settings = { appendOnly: options.appendOnly ?? false, appendFsync: 'always' } as const;
  let redis: LocalRedis = await startLocalRedis(dir, settings);
  const { url, port } = redis;
  return {
    url,
    port,
    dir,
    async stop() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart({ downMs = 0 } = {}) {
      await redis.stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      redis = await startLocalRedis(dir, { ...settings, port });
    },
  };
}
