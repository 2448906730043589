import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { QueueError } from './errors.js';

/** A redis-server this process started for `isoflop run` (the embedded default). */
export interface LocalRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  /** Default: a free loopback port. A restarted server takes its old port, so clients reconnect. */
  port?: number;
  /** Append-only file, fsynced every second (default: yes; the queue survives a restart). */
  appendOnly?: boolean;
  /** `always` (every write) where a test kills Redis and must lose nothing; default `everysec`. */
  appendFsync?: 'always' | 'everysec';
}

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function pings(port: number): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = new Socket();
    socket.once('error', () => resolvePing(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.write('PING\r\n');
      socket.once('data', (data) => {
        socket.destroy();
        resolvePing(data.toString().startsWith('+PONG'));
      });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts redis-server (from PATH) on a free loopback port with its data in `dataDir`, append-only, so a
 * second `isoflop run` of the same spec finds its queue again. It runs in its own process group: a Ctrl-C
 * in the terminal reaches our workers (which checkpoint) but not Redis, which we stop last. A server left
 * behind by a killed run (its pid file) is stopped first, since two servers must not share one AOF.
 */
export async function startLocalRedis(
  dataDir: string,
  options: LocalRedisOptions = {},
): Promise<LocalRedis> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'isoflop-redis.pid');
  if (existsSync(pidFile)) {
    const stale = Number(readFileSync(pidFile, 'utf8'));
    if (Number.isInteger(stale) && stale > 0 && alive(stale)) {
      process.kill(stale, 'SIGTERM');
      for (let i = 0; i < 100 && alive(stale); i++) await new Promise((r) => setTimeout(r, 50));
    }
  }
  const port = options.port ?? (await freePort());
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    options.appendOnly === false ? 'no' : 'yes',
    '--appendfsync',
    options.appendFsync ?? 'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--protected-mode',
    'yes',
  ];
  let child: ChildProcess;
  try {
    child = spawn('redis-server', args, { stdio: 'ignore', detached: true });
  } catch (error) {
    throw new QueueError(
      'REDIS_UNAVAILABLE',
      `cannot start redis-server: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const spawnError = new Promise<Error>((r) => child.once('error', r));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await pings(port)) break;
    const failed = await Promise.race([
      spawnError,
      new Promise<undefined>((r) => setTimeout(r, 50, undefined)),
    ]);
    if (failed || child.exitCode !== null || Date.now() > deadline) {
      throw new QueueError(
        'REDIS_UNAVAILABLE',
        `REDIS_URL is unset and redis-server could not be started (${failed?.message ?? `exit code ${child.exitCode}`}); install redis-server or set REDIS_URL`,
      );
    }
  }
  writeFileSync(pidFile, String(child.pid));
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
