import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { StoreError } from './errors.js';
import * as schema from './schema.js';

export type StoreDatabase = BetterSQLite3Database<typeof schema>;

/** An open isoflop database: the drizzle handle for queries, the raw handle for pragmas and closing. */
export interface Store {
  readonly db: StoreDatabase;
  readonly sqlite: Database.Database;
  readonly file: string;
  /** Runs `fn` in one synchronous SQLite transaction (rolled back if it throws). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

export interface OpenStoreOptions {
  /** Milliseconds a writer waits for another connection's lock before failing (default 5000). */
  busyTimeoutMs?: number;
  /** Open without migrating or writing (status readers, exports). */
  readonly?: boolean;
}

// The committed drizzle-kit migrations sit next to src/ and dist/, so one relative path serves both.
const MIGRATIONS_FOLDER = fileURLToPath(new URL('../drizzle', import.meta.url));

/**
 * Opens (creating if needed) the SQLite file and applies the committed migrations. WAL lets readers
 * (status, the dashboard) run while the coordinator writes; synchronous=NORMAL is durable against process
 * crashes in WAL mode, and anything lost to a power cut is recovered from the queue on reconcile.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  let sqlite: Database.Database;
  try {
    if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
    sqlite = new Database(file, {
      readonly: options.readonly === true,
      fileMustExist: options.readonly === true,
    });
  } catch (error) {
    throw new StoreError(
      'OPEN_FAILED',
      `cannot open database ${file}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  }
  const db = drizzle(sqlite, { schema });
  if (!options.readonly) {
    try {
      migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    } catch (error) {
      sqlite.close();
      throw new StoreError(
        'MIGRATION_FAILED',
        `cannot migrate ${file}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
  return {
    db,
    sqlite,
    file,
    transaction: (fn) => sqlite.transaction(fn)(),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
