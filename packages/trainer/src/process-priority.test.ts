import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { autogroupScheduling, lowerTrainingPriority, sessionNiceness } from './process-priority.js';

const MODULE = fileURLToPath(new URL('./process-priority.ts', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'isoflop-priority-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface ChildReport {
  result: { nice: number; acrossSessions: boolean };
  /** os.getPriority() of the child's main thread and of a thread it started afterwards. */
  nice: number;
  laterThreadNice: number;
  /**
   * The child's session's autogroup niceness (Linux), or null without autogroup or in the kernel's
   * default autogroup (a session tree that never called setsid, as under a container's init).
   */
  sessionNice: number | null;
}

/**
 * Runs lowerTrainingPriority(nice) in a fresh node process (after setting its niceness to `startNice`),
 * in a session of its own or in ours, and reports what the process's priority became.
 */
function inChild(
  nice: number,
  { ownSession, startNice = 0 }: { ownSession: boolean; startNice?: number },
) {
  const script = join(scratch, `child-${nice}-${String(ownSession)}-${startNice}.mts`);
  writeFileSync(
    script,
    `import { getPriority, setPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { lowerTrainingPriority, sessionNiceness } from ${JSON.stringify(MODULE)};
if (${startNice} > 0) setPriority(${startNice});
const result = lowerTrainingPriority(${nice});
const laterThreadNice = await new Promise((resolve) => {
  const worker = new Worker("const { getPriority } = require('node:os'); const { parentPort } = require('node:worker_threads'); parentPort.postMessage(getPriority());", { eval: true });
  worker.once('message', (value) => { resolve(value); void worker.terminate(); });
});
process.stdout.write(JSON.stringify({ result, nice: getPriority(), laterThreadNice, sessionNice: sessionNiceness() }));
`,
  );
  return new Promise<ChildReport>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      detached: ownSession,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as ChildReport) : reject(new Error(err)),
    );
  });
}

describe('lowerTrainingPriority', () => {
  it('lowers a process that leads its own session, threads started later and its session with it', async () => {
    const report = await inChild(7, { ownSession: true });
    expect(report.nice).toBe(7);
    expect(report.laterThreadNice).toBe(7);
    expect(report.result).toEqual({ nice: 7, acrossSessions: autogroupScheduling() });
    if (autogroupScheduling()) expect(report.sessionNice).toBe(7);
  });

  it("lowers a process in another's session but leaves that session's priority alone", async () => {
    const report = await inChild(7, { ownSession: false });
    expect(report.nice).toBe(7);
    expect(report.result).toEqual({ nice: 7, acrossSessions: false });
    // The child shares our session, so it reports our session's niceness, untouched.
    if (autogroupScheduling()) expect(report.sessionNice).toBe(sessionNiceness());
  });

  it('never raises a priority already lower', async () => {
    const report = await inChild(7, { ownSession: false, startNice: 12 });
    expect(report.nice).toBe(12);
    expect(report.result.nice).toBe(12);
  });

  it.each([-1, 20, 2.5, Number.NaN])('rejects a niceness of %s, naming the option', (nice) => {
    expect(() => lowerTrainingPriority(nice)).toThrow(
      expect.objectContaining({
        code: 'INVALID_OPTIONS',
        message: expect.stringMatching(/^nice: expected an integer from 0 to 19/),
      }),
    );
  });
});
