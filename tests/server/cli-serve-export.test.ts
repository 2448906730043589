import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/redis-server.js';
import { seedSweep, type SeededSweep } from './support/seed-sweep.js';
import { tempStore } from './support/temp-store.js';

// The built command, as a user runs it (`npm test` builds first).
const CLI = join(process.cwd(), 'apps/cli/bin/isoflop.js');
const run = promisify(execFile);
// No REDIS_URL: serve is read-only and needs no Redis.
const ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => name !== 'REDIS_URL'),
);

let temp: ReturnType<typeof tempStore>;
let seeded: SeededSweep;

beforeAll(() => {
  temp = tempStore();
  seeded = seedSweep(temp.store, { leaveRunning: 1 });
});

afterAll(() => temp?.dispose());

describe('isoflop export', () => {
  it('prints the runs table as CSV by sweep name', async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, 'export', 'dashboard-test', '--db', temp.file, '--format', 'csv'],
      { env: ENV },
    );
    const [header, ...lines] = stdout.trim().split('\n');
    expect(header!.split(',')).toEqual(
      expect.arrayContaining(['id', 'params', 'tokens', 'achieved_flops', 'val_loss']),
    );
    expect(lines).toHaveLength(seeded.runs.length);
  });

  it('prints the fit document and the runs as JSON by sweep id', async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, 'export', seeded.sweepId, '--db', temp.file, '--format', 'json'],
      { env: ENV },
    );
    const exported = JSON.parse(stdout);
    expect(exported.sweep.id).toBe(seeded.sweepId);
    // The contract's fit document (`isoflop fit --json`) at the top level.
    expect(Array.isArray(exported.efficiency)).toBe(true);
    expect(Object.keys(exported.families).sort()).toEqual(['arm', 'mdm', 'mdm-prime-v2']);
    expect(exported.runs).toHaveLength(seeded.runs.length);
  });

  it('exits 2 naming an unknown sweep', async () => {
    const failed = await run(process.execPath, [CLI, 'export', 'nope', '--db', temp.file], {
      env: ENV,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2, stderr: "error: no sweep with id or name 'nope'\n" });
  });
});

describe('isoflop serve', () => {
  it('serves the stored sweeps read-only on 127.0.0.1 and stops on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [CLI, 'serve', '--db', temp.file, '--port', String(port)],
      { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await expect
        .poll(() => output, { timeout: 60_000 })
        .toContain(`dashboard: http://127.0.0.1:${port}/`);
      const sweeps = await (await fetch(`http://127.0.0.1:${port}/api/sweeps`)).json();
      expect(sweeps.sweeps[0].id).toBe(seeded.sweepId);
      const page = await fetch(`http://127.0.0.1:${port}/`);
      expect(await page.text()).toContain('isoflop');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
