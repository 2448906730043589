import type { Store } from '../open-store.js';
import { fits } from '../schema.js';

/** Stores a fit of a sweep with the rows it was computed from; returns its id. */
export function saveFit(
  store: Store,
  sweepId: string,
  document: unknown,
  data: readonly unknown[],
): number {
  const row = store.db
    .insert(fits)
    .values({ sweepId, document, data, runCount: data.length, createdAt: Date.now() })
    .returning({ id: fits.id })
    .get();
  return row.id;
}
