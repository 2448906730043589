import type { Store } from '../open-store.js';

/**
 * A token that changes whenever the database's contents may have changed: SQLite's `data_version`
 * moves when another connection (a worker, another process) commits, and `total_changes()` counts the
 * rows this connection has written. Equal tokens mean nothing was written in between, so anything
 * computed from the database at that token (a chart, a page of runs) is still what a read would return.
 */
export function dataVersion(store: Store): string {
  const { other, own } = store.sqlite
    .prepare(
      'SELECT (SELECT data_version FROM pragma_data_version) AS other, total_changes() AS own',
    )
    .get() as { other: number; own: number };
  return `${other}:${own}`;
}
