import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DEVICES, planSweep, type Device, type ProgressEvent } from '@isoflop/planner';
import { TRAINER_ERRORS, trainRun } from '@isoflop/trainer';
import { DEFAULT_TRAINING_NICE, lowerTrainingPriority } from '@isoflop/trainer/process-priority';
import { badInput, inputCodesOf, niceness, positiveInt, runAction } from '../cli-action.js';
import { rerunWithCudaEnvironment } from '../cuda-environment.js';
import { loadSweepSpec } from '../load-spec.js';

interface TrainOptions {
  run: string;
  cacheDir: string;
  checkpointDir: string;
  device?: string;
  threads?: number;
  stepsPerRun?: number;
  /** `--nice` alone: a worker's niceness. */
  nice?: number | true;
  json?: boolean;
}

/** Errors that mean the user's input (spec, run id, flags, checkpoint) is wrong rather than a crash. */
export function register(program: Command): void {
  program
    .command('train')
    .description(
      'train one planned run of a sweep spec in the foreground (resumes from its checkpoint)',
    )
    .argument('<spec>', 'sweep spec file (YAML or JSON)')
    .requiredOption('--run <id>', 'run id, as printed by `isoflop plan SPEC --json`')
    .option(
      '--cache-dir <dir>',
      'cache root: token shards land in <dir>/data/<contentHash>/',
      '.isoflop',
    )
    .option('--checkpoint-dir <dir>', 'one subfolder per run id', '.isoflop/checkpoints')
    .option('--device <device>', `execution provider: ${DEVICES.join('|')} (default: the spec's)`)
    .option('--threads <n>', 'ONNX Runtime intra-op threads', positiveInt('--threads'))
    .option(
      '--steps-per-run <k>',
      "optimizer steps per ONNX Runtime run (default: the spec's, else cpu 1, webgpu 1, cuda 32)",
      positiveInt('--steps-per-run'),
    )
    .option(
      '--nice [n]',
      `CPU niceness to train at, 0 to 19; alone, a worker's (${DEFAULT_TRAINING_NICE}) (default: unchanged, a foreground job)`,
      niceness('--nice'),
    )
    .option('--json', 'print the result as one JSON object')
    .action(
      runAction(
        async (specPath: string, options: TrainOptions) => {
          const device = parseDevice(options.device);
          const plan = planSweep(loadSweepSpec(specPath).spec);
          const run = plan.runs.find((candidate) => candidate.id === options.run);
          if (run === undefined) {
            const ids = plan.runs.map((r) => r.id);
            const shown = ids.length > 6 ? `${ids.slice(0, 6).join(', ')}, ...` : ids.join(', ');
            badInput(
              `--run: no run ${options.run} in ${specPath}; its ${ids.length} runs are ${shown} (see \`isoflop plan ${specPath}\`)`,
            );
          }
          // CUDA needs its libraries on the path from process start: train in a child that has them.
          if ((device ?? run.device) === 'cuda' && (await rerunWithCudaEnvironment())) return;
          const bar = new cliProgress.SingleBar(
            {
              format: `${run.family} ${run.id} [{bar}] {value}/{total} steps | loss {loss} | val {val} | lr {lr} | {tps} tok/s`,
              hideCursor: true,
              stream: process.stderr,
            },
            cliProgress.Presets.shades_classic,
          );
          const controller = new AbortController();
          const stop = (): void => controller.abort();
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          // Before the training sessions start: ONNX Runtime's threads inherit it.
          if (options.nice !== undefined) {
            lowerTrainingPriority(options.nice === true ? DEFAULT_TRAINING_NICE : options.nice);
          }
          bar.start(run.steps, 0, { loss: '-', val: '-', lr: '-', tps: '-' });
          try {
            const result = await trainRun(run, {
              dataCacheDir: options.cacheDir,
              checkpointDir: options.checkpointDir,
              device: device ?? run.device,
              ...(options.threads === undefined ? {} : { threads: options.threads }),
              ...(options.stepsPerRun === undefined ? {} : { stepsPerRun: options.stepsPerRun }),
              signal: controller.signal,
              onProgress: (event: ProgressEvent) => updateBar(bar, event),
            });
            bar.stop();
            if (options.json) {
              process.stdout.write(`${JSON.stringify(result)}\n`);
            } else {
              const prime =
                result.primeObjective === undefined
                  ? ''
                  : `\nprime objective J (not a bound): ${result.primeObjective.toFixed(4)} ± ${result.primeObjectiveStdErr?.toFixed(4)}`;
              process.stdout.write(
                `${run.family} ${run.id}: validation loss ${result.valLoss.toFixed(4)} ± ${result.valLossStdErr.toFixed(4)} nats/token` +
                  `${prime}\n${result.steps} steps, ${result.tokens} tokens, ${result.wallSeconds.toFixed(1)} s, ` +
                  `${Math.round(result.tokensPerSecond)} tokens/s\n`,
              );
            }
          } finally {
            bar.stop();
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
          }
        },
        { badInputCodes: inputCodesOf(TRAINER_ERRORS) },
      ),
    );
}

function parseDevice(value: string | undefined): Device | undefined {
  if (value === undefined) return undefined;
  if (!(DEVICES as readonly string[]).includes(value)) {
    badInput(`--device: expected one of ${DEVICES.join(', ')}, got '${value}'`);
  }
  return value as Device;
}

function updateBar(bar: cliProgress.SingleBar, event: ProgressEvent): void {
  if (event.kind === 'train') {
    bar.update(event.step, {
      loss: event.loss.toFixed(3),
      lr: event.lr.toExponential(2),
      tps: Math.round(event.tokensPerSecond),
    });
  } else {
    bar.update({ val: `${event.valLoss.toFixed(3)}±${event.valLossStdErr.toFixed(3)}` });
  }
}
