/**
 * Why a run failed, carried through BullMQ's failedReason (a plain string) as `[CODE step=N] message`, so
 * the coordinator can tell a divergence (with its step) or a cancel from a crash without a second channel.
 */
export interface RunFailureReason {
  code: string;
  step?: number | undefined;
  message: string;
}

/** Codes the worker gives up on at once (never retried). */
export const DIVERGED = 'DIVERGED';
export const CANCELLED = 'CANCELLED';

export function encodeFailure(failure: RunFailureReason): string {
  const step = failure.step === undefined ? '' : ` step=${failure.step}`;
  return `[${failure.code}${step}] ${failure.message}`;
}

const ENCODED = /^\[([A-Z_]+)(?: step=(\d+))?\] ([\s\S]*)$/;

/** Decodes an encoded reason; anything else (a crash, a stalled job) becomes code 'ERROR'. */
export function decodeFailure(reason: string | undefined): RunFailureReason {
  const match = ENCODED.exec(reason ?? '');
  if (!match) return { code: 'ERROR', message: reason ?? 'unknown failure' };
  const [, code = 'ERROR', step, message = ''] = match;
  return { code, step: step === undefined ? undefined : Number(step), message };
}
