// Real training beside the dashboard: `isoflop train` processes, each training one small planned run
// again and again until stopped, one ONNX Runtime thread each, as the two workers of a laptop sweep: at
// a worker's niceness (or 0), each in a session of its own as a worker forks its training processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSweepSpec, planSweep } from '@isoflop/planner';

const CLI = fileURLToPath(new URL('../../cli/bin/isoflop.js', import.meta.url));
/** Tokenizing and building the training graph come first; measure once both train. */
const WARM_UP_MS = 10_000;

const WORDS = [
  'the',
  'model',
  'loss',
  'scaling',
  'law',
  'compute',
  'budget',
  'token',
  'data',
  'run',
];

/** A small corpus of words in a fixed pseudo-random order, so every bench trains on the same text. */
function writeCorpus(file: string): void {
  let state = 12345;
  const lines: string[] = [];
  for (let line = 0; line < 2000; line++) {
    const words: string[] = [];
    for (let w = 0; w < 24; w++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      words.push(WORDS[state % WORDS.length]!);
    }
    lines.push(JSON.stringify({ text: words.join(' ') }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** One ARM run of ~2,600 steps: about 15 s of one core. */
function specText(corpus: string): string {
  return `name: bench-training-load
families:
  arm: {}
budgets: [2.0e+11]
sizes:
  shapes:
    - { dModel: 64, nLayers: 2, nHeads: 2 }
seqLen: 32
batchSize: 4
data:
  corpus: { kind: jsonl, paths: [${JSON.stringify(corpus)}], field: text }
  tokenizer: { kind: bpe, vocabSize: 257 }
  valFraction: 0.1
eval: { tokens: 64, every: 100000 }
checkpointEvery: 100000
`;
}

/** User and system CPU seconds a process has used (Linux /proc; 100 ticks per second). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export interface TrainingLoad {
  /** Resolves once the trainers are past their warm-up and training. */
  training: Promise<void>;
  /** Runs trained to the end so far. */
  finished(): number;
  /** CPU seconds the trainers have used so far: evidence that they trained while measured. */
  cpuSeconds(): number;
  /** Stops every trainer (its whole process group) and waits for them to exit. */
  stop(): Promise<void>;
}

/**
 * @param nice 'worker': at a worker's niceness (`--nice` alone), as the workers a sweep runs; 0: at the
 *   priority of everything else (a worker started with `--nice 0`)
 */
export function startTrainers(count: number, dir: string, nice: 'worker' | 0): TrainingLoad {
  const root = join(dir, 'training-load');
  mkdirSync(root, { recursive: true });
  const corpus = join(root, 'corpus.jsonl');
  writeCorpus(corpus);
  const spec = join(root, 'spec.yaml');
  const text = specText(corpus);
  writeFileSync(spec, text);
  const runId = planSweep(parseSweepSpec(text, 'yaml')).runs[0]!.id;

  let stopping = false;
  let finished = 0;
  let exitedCpu = 0;
  const children = new Set<ChildProcess>();
  const failures: string[] = [];

  function train(trainer: number, round: number): void {
    const own = join(root, `trainer-${trainer}`);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'train',
        spec,
        '--run',
        runId,
        '--cache-dir',
        own,
        // A fresh checkpoint folder each round: the run trains from its first step again.
        '--checkpoint-dir',
        join(own, `checkpoints-${round}`),
        '--threads',
        '1',
        ...(nice === 'worker' ? ['--nice'] : ['--nice', '0']),
        '--json',
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    children.add(child);
    let lastCpu = 0;
    const sampler = setInterval(() => (lastCpu = cpuSeconds(child.pid!)), 500);
    child.once('exit', (code) => {
      clearInterval(sampler);
      exitedCpu += lastCpu;
      children.delete(child);
      if (stopping) return;
      if (code !== 0) {
        failures.push(`trainer ${trainer} exited with ${code}: ${stderr.trim()}`);
        return;
      }
      finished += 1;
      train(trainer, round + 1);
    });
  }

  for (let trainer = 0; trainer < count; trainer++) train(trainer, 0);
  return {
    training: new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        if (failures.length > 0) reject(new Error(failures.join('\n')));
        else resolve();
      }, WARM_UP_MS),
    ),
    finished: () => finished,
    cpuSeconds: () =>
      exitedCpu + [...children].reduce((sum, child) => sum + cpuSeconds(child.pid!), 0),
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (child) =>
            new Promise<void>((resolve) => {
              child.once('exit', () => resolve());
              try {
                process.kill(-child.pid!, 'SIGTERM');
              } catch {
                resolve();
              }
            }),
        ),
      );
      if (failures.length > 0) throw new Error(failures.join('\n'));
    },
  };
}
