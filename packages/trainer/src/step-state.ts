import { ADAMW_NAMES } from '@isoflop/graph';
import { initParams, type ModelConfig, type StepGraph } from '@isoflop/models';
import type { StateBinding } from './device-state.js';

/**
 * The state a step graph carries from one step to the next: parameters, then first and second moments, in
 * the graph's parameter order, each fed as its input name and returned as its output name.
 */
export function stateBindings(graph: StepGraph): StateBinding[] {
  const bindings: StateBinding[] = [];
  for (const param of graph.params) {
    const dims = param.shape;
    bindings.push({
      input: ADAMW_NAMES.param(param.name),
      output: ADAMW_NAMES.paramNext(param.name),
      dims,
    });
    bindings.push({
      input: ADAMW_NAMES.m(param.name),
      output: ADAMW_NAMES.mNext(param.name),
      dims,
    });
    bindings.push({
      input: ADAMW_NAMES.v(param.name),
      output: ADAMW_NAMES.vNext(param.name),
      dims,
    });
  }
  return bindings;
}

/** Seeded initial parameters and zero moments, keyed by state input name (what `DeviceState.load` takes). */
export function initialState(
  config: ModelConfig,
  graph: StepGraph,
  seed: number,
): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  const params = initParams(config, seed);
  for (const param of graph.params) {
    const init = params.get(param.name) as Float32Array;
    values.set(ADAMW_NAMES.param(param.name), init);
    values.set(ADAMW_NAMES.m(param.name), new Float32Array(init.length));
    values.set(ADAMW_NAMES.v(param.name), new Float32Array(init.length));
  }
  return values;
}
