import { readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { TrainerError } from './errors.js';

/** The niceness a training process takes unless told otherwise: a background job's. */
export const DEFAULT_TRAINING_NICE = 10;

/** The niceness an unprivileged process can set (raising priority back needs CAP_SYS_NICE). */
export const MAX_NICE = 19;

/** What a process's CPU priority became. */
export interface TrainingPriority {
  /** This process's niceness (its threads started from now on inherit it). */
  nice: number;
  /**
   * Whether the niceness also holds against other sessions: Linux's autogroup scheduler shares the CPU
   * between sessions first, so a niced process in a session of its own still got a whole session's
   * share. Set only where this process leads its own session (a worker's training process, or a
   * detached one): a process in a terminal's session leaves that session's priority alone.
   */
  acrossSessions: boolean;
}

/**
 * Lowers this process's CPU priority to `nice` (never raises it), so training yields the cores to what
 * a person is waiting on: the dashboard's page and server, the coordinator, the worker renewing its
 * locks. Training alone on a machine runs as fast as before. Call it before the training sessions
 * start: ONNX Runtime's threads inherit the priority of the thread that starts them.
 */
export function lowerTrainingPriority(nice: number): TrainingPriority {
  if (!Number.isInteger(nice) || nice < 0 || nice > MAX_NICE) {
    throw new TrainerError(
      'INVALID_OPTIONS',
      `nice: expected an integer from 0 to ${MAX_NICE}, got ${String(nice)}`,
    );
  }
  const current = getPriority();
  if (nice > current) setPriority(nice);
  return { nice: Math.max(nice, current), acrossSessions: lowerSessionPriority(nice) };
}

/** Sets the autogroup niceness of this process's session where it leads it (Linux). */
function lowerSessionPriority(nice: number): boolean {
  if (!leadsOwnSession() || !autogroupScheduling()) return false;
  const current = sessionNiceness();
  if (current !== null && current >= nice) return true;
  try {
    writeFileSync('/proc/self/autogroup', String(nice));
    return true;
  } catch {
    // No autogroup file to write (a kernel without it, a read-only /proc): the process niceness is all.
    return false;
  }
}

/**
 * The autogroup niceness of a process's session (Linux), or null where none can be read: no autogroup
 * file, or the kernel's default autogroup (a session tree that never called setsid, as under a
 * container's init), which the kernel does not print.
 */
export function sessionNiceness(pid: number | 'self' = 'self'): number | null {
  try {
    const match = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Whether Linux schedules by autogroup (sessions share the CPU first); false where unknown. */
export function autogroupScheduling(): boolean {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

/** Whether this process is the leader of its session (Linux /proc; false where unreadable). */
function leadsOwnSession(): boolean {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // "pid (comm) state ppid pgrp session ...": comm may hold spaces, so read from the last ')'.
    const session = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
    return session === process.pid;
  } catch {
    return false;
  }
}
