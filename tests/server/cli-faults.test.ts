import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { seedSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

/**
 * Issue 15, items 6, 10 and 14: the commands at the edges of the database. Before the fix, `serve` with
 * REDIS_URL printed its startup error and kept running a headless coordinator; `status` and `export`
 * failed on a database in a read-only directory; a read-only `serve` of an empty or truncated file
 * answered 500 to everything; `status` on a missing database printed an empty list with exit 0.
 */
const CLI = join(process.cwd(), 'apps/cli/bin/isoflop.js');
const redisUrl = inject('redisUrl');
const WITHOUT_REDIS = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'REDIS_URL' && name !== 'ISOFLOP_TOKEN'),
);
const WITH_REDIS = {
  ...WITHOUT_REDIS,
  REDIS_URL: redisUrl,
  ISOFLOP_QUEUE_PREFIX: `test-cli-faults-${process.pid}`,
};
/** The unprivileged user the read-only checks run as when the tests run as root (root ignores modes). */
const NOBODY = 65534;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
  killed: boolean;
}

/** Runs the CLI; a process still running after `limitMs` is killed and reported as such. */
function isoflop(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { limitMs?: number; uid?: number } = {},
): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid, gid: options.uid }),
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, options.limitMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

let temp: ReturnType<typeof tempStore>;
let sweepId: string;
const dirs: string[] = [];

function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'isoflop-cli-faults-'));
  dirs.push(dir);
  return dir;
}

beforeAll(() => {
  temp = tempStore();
  sweepId = seedSweep(temp.store, { leaveRunning: 1, fit: false }).sweepId;
});

afterAll(() => {
  temp?.dispose();
  for (const dir of dirs) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('isoflop serve that cannot start exits instead of running headless', () => {
  it('exits 2 on an insecure bind', async () => {
    const exit = await isoflop(['serve', '--db', temp.file, '--host', '0.0.0.0'], WITH_REDIS);
    expect(exit).toMatchObject({ killed: false, code: 2 });
    expect(exit.stderr).toContain('ISOFLOP_TOKEN');
  });

  it('exits non-zero when the port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const exit = await isoflop(['serve', '--db', temp.file, '--port', String(port)], WITH_REDIS);
      expect(exit.killed).toBe(false);
      expect(exit.code).toBe(1);
      expect(exit.stderr).toContain('EADDRINUSE');
    } finally {
      taken.close();
    }
  });

  it('exits non-zero naming a corrupt database', async () => {
    const file = join(scratch(), 'corrupt.db');
    writeFileSync(file, 'this is not a database, only a file that claims the name'.repeat(100));
    const exit = await isoflop(['serve', '--db', file], WITH_REDIS);
    expect(exit).toMatchObject({ killed: false, code: 1 });
    expect(exit.stderr).toMatch(/cannot open database .*corrupt\.db/);
  });
});

describe('read-only commands and storage', () => {
  it('status and export read a database in a read-only directory', async () => {
    const dir = scratch();
    const copy = join(dir, 'isoflop.db');
    temp.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    await temp.store.sqlite.backup(copy);
    const asRoot = process.getuid?.() === 0;
    if (asRoot) chownSync(dir, NOBODY, NOBODY);
    chmodSync(copy, 0o444);
    chmodSync(dir, 0o555);
    const options = asRoot ? { uid: NOBODY } : {};
    const status = await isoflop(['status', '--db', copy, '--json'], WITHOUT_REDIS, options);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).sweeps[0].id).toBe(sweepId);
    const exported = await isoflop(
      ['export', sweepId, '--db', copy, '--format', 'csv'],
      WITHOUT_REDIS,
      options,
    );
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout.split('\n')[0]).toContain('val_loss');
  });

  it('a read-only serve of an empty or truncated file exits naming the problem', async () => {
    const dir = scratch();
    const empty = join(dir, 'empty.db');
    writeFileSync(empty, '');
    const truncated = join(dir, 'truncated.db');
    await temp.store.sqlite.backup(truncated);
    truncateSync(truncated, 3000);
    for (const file of [empty, truncated]) {
      const exit = await isoflop(['serve', '--db', file], WITHOUT_REDIS);
      expect(exit.killed, file).toBe(false);
      expect(exit.code, file).toBe(1);
      expect(exit.stderr, file).toMatch(
        /cannot open database .*(not an isoflop database|malformed)/,
      );
    }
  });

  it('status on a missing database exits 2 naming --db', async () => {
    const exit = await isoflop(['status', '--db', join(scratch(), 'none.db')], WITHOUT_REDIS);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/^error: --db: no database at .*none\.db\n$/);
  });

  it('fit --bootstrap is bounded', async () => {
    // A table that fits (the synthetic IsoFLOP fixture): a billion resamples would run for hours.
    const csv = join(process.cwd(), 'packages/fit/fixtures/synthetic-isoflop.csv');
    const exit = await isoflop(
      [
        'fit',
        csv,
        ...['--n', 'params', '--flops', 'flops', '--loss', 'loss'],
        ...['--bootstrap', '1000000000'],
      ],
      WITHOUT_REDIS,
      { limitMs: 20_000 },
    );
    expect(exit.killed).toBe(false);
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/^error: --bootstrap: /);
  });
});
