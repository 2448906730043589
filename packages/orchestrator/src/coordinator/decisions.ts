import { sweepDecisions, type Store } from '@isoflop/store';
import type { DecisionPayload } from './coordinator.js';

/** One decision of a sweep's adaptive step, in the order it was taken. */
export type SweepDecision = DecisionPayload & { at: number };

/** The adaptive step's decisions of a sweep (added runs with their reasons, limits, settling), oldest first. */
export function listDecisions(store: Store, sweepId: string): SweepDecision[] {
  return sweepDecisions(store, sweepId).map((event) => ({
    ...(event.payload as DecisionPayload),
    at: event.createdAt,
  }));
}

/** A decision in one line, as `isoflop run` prints it and `isoflop status` lists it. */
export function describeDecision(decision: DecisionPayload): string {
  switch (decision.type) {
    case 'add':
      return `added ${decision.runId} (${decision.variant}, C=${decision.budgetFlops.toExponential(2)}, N=${Math.round(decision.params)}): ${decision.rule}/${decision.code}: ${decision.message}`;
    case 'limit':
      return `limit ${decision.rule}/${decision.code} (${decision.variant}${decision.budgetFlops === undefined ? '' : `, C=${decision.budgetFlops.toExponential(2)}`}): ${decision.message}`;
    case 'settled':
      return `settled after ${decision.runs} runs: ${decision.message}`;
  }
}
