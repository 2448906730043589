import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { QueueError } from './errors.js';

/** What the pid file records: the server's pid and the loopback port it listens on. */
interface PidRecord {
  pid: number;
  port: number;
}

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

function readPidRecord(pidFile: string): PidRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(pidFile, 'utf8')) as Partial<PidRecord>;
    const { pid, port } = record;
    if (Number.isInteger(pid) && Number.isInteger(port)) return { pid: pid!, port: port! };
  } catch {
    // Missing, or written by an older isoflop (a bare pid, which names no port to verify it by).
  }
  return undefined;
}

/**
 * Stops the redis-server a killed `isoflop run` left behind on `dataDir`, and only that: the server at the
 * recorded port must report the recorded pid as its own and `dataDir` as its directory. It is stopped with
 * the SHUTDOWN command over that connection, so no signal ever goes to a pid that a stale file merely names
 * (it may since have been reused by any process, ours included). Anything else is left alone.
 */
async function stopLeftBehindServer(record: PidRecord, dataDir: string): Promise<void> {
  if (!alive(record.pid)) return;
  const client = new Redis({
    host: '127.0.0.1',
    port: record.port,
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    const pid = Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    const [, dir] = (await client.config('GET', 'dir')) as [string, string];
    if (pid !== record.pid || realpathSync(dir) !== realpathSync(dataDir)) return;
    await client.shutdown('NOSAVE').catch(() => undefined);
  } catch {
    // Nothing answers there as our server: not ours to stop.
    return;
  } finally {
    client.disconnect();
  }
  for (let i = 0; i < 100 && alive(record.pid); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Starts redis-server (from PATH) on a free loopback port with its data in `dataDir`, append-only, so a
 * second `isoflop run` of the same spec finds its queue again. It runs in its own process group: a Ctrl-C
 * in the terminal reaches our workers (which checkpoint) but not Redis, which we stop last. A server left
 * behind by a killed run (its pid file) is stopped first, since two servers must not share one AOF; the
 * file is only trusted once that server proves to be ours, and it is removed when the server stops.
 */
export async function startLocalRedis(
  dataDir: string,
  options: LocalRedisOptions = {},
): Promise<LocalRedis> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'isoflop-redis.pid');
  const stale = readPidRecord(pidFile);
  if (stale) await stopLeftBehindServer(stale, dir);
  rmSync(pidFile, { force: true });
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
  const record: PidRecord = { pid: child.pid!, port };
  writeFileSync(pidFile, JSON.stringify(record));
  const forget = (): void => {
    if (readPidRecord(pidFile)?.pid === record.pid) rmSync(pidFile, { force: true });
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      forget();
    },
  };
}
