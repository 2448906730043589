import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startLocalRedis } from './local-redis.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue 15, defect 7: `isoflop run` sent SIGTERM to whatever pid a stale `.isoflop/redis/isoflop-redis.pid`
 * held (it killed an unrelated process, and stopped itself when the pid was its own), and never removed
 * the file. These need redis-server on PATH, like `isoflop run` itself.
 */
describe('startLocalRedis and its pid file', () => {
  let dir: string;
  let bystander: ChildProcess;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'isoflop-local-redis-'));
    bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
  });
  afterEach(() => {
    bystander.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const pidFile = (): string => join(dir, 'isoflop-redis.pid');

  it.each([
    ['a bare pid (older format)', () => String(bystander.pid)],
    ['a pid and the port of no redis', () => JSON.stringify({ pid: bystander.pid, port: 1 })],
    ['our own pid', () => JSON.stringify({ pid: process.pid, port: 1 })],
  ])('never signals the process a stale file names: %s', async (_name, content) => {
    const bystanderSignal = new Promise<string | null>((r) =>
      bystander.once('exit', (_c, s) => r(s)),
    );
    writeFileSync(pidFile(), content());
    const redis = await startLocalRedis(dir);
    try {
      expect(alive(bystander.pid!)).toBe(true);
      const record = JSON.parse(readFileSync(pidFile(), 'utf8')) as { pid: number; port: number };
      expect(redis.url).toBe(`redis://127.0.0.1:${record.port}`);
      expect(record.pid).not.toBe(bystander.pid);
    } finally {
      await redis.stop();
    }
    expect(existsSync(pidFile())).toBe(false);
    bystander.kill('SIGKILL');
    expect(await bystanderSignal).toBe('SIGKILL');
  });

  it('never signals a redis-server that is not ours (another data directory)', async () => {
    const other = mkdtempSync(join(tmpdir(), 'isoflop-local-redis-other-'));
    const theirs = await startLocalRedis(other);
    try {
      const record = readFileSync(join(other, 'isoflop-redis.pid'), 'utf8');
      writeFileSync(pidFile(), record);
      const ours = await startLocalRedis(dir);
      await ours.stop();
      expect(alive((JSON.parse(record) as { pid: number }).pid)).toBe(true);
    } finally {
      await theirs.stop();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('stops the server a killed run left behind on the same data directory', async () => {
    const left = await startLocalRedis(dir);
    const { pid } = JSON.parse(readFileSync(pidFile(), 'utf8')) as { pid: number };
    // As if its `isoflop run` had been killed: nobody calls left.stop().
    const next = await startLocalRedis(dir);
    try {
      expect(alive(pid)).toBe(false);
    } finally {
      await next.stop();
      await left.stop();
    }
    expect(existsSync(pidFile())).toBe(false);
  });
});
