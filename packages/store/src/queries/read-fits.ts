import { desc, eq } from 'drizzle-orm';
import type { Store } from '../open-store.js';
import { fits } from '../schema.js';

/** A stored fit: the fit document, the rows it was computed from, and when. */
export interface FitRecord {
  id: number;
  sweepId: string;
  document: unknown;
  data: unknown;
  runCount: number;
  createdAt: number;
}

/** The newest fit of a sweep (the current one), or undefined before the first. */
export function latestFit(store: Store, sweepId: string): FitRecord | undefined {
  return store.db
    .select()
    .from(fits)
    .where(eq(fits.sweepId, sweepId))
    .orderBy(desc(fits.id))
    .limit(1)
    .get();
}
