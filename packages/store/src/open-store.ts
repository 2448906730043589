import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

// better-sqlite3 reads this once, at its first open: URI file names let a reader open a database on
// read-only storage with `immutable=1` (below). Our own file names are plain paths, which stay plain.
process.env['SQLITE_USE_URI'] ??= '1';

/** SQLite's answers when a WAL reader cannot create the -shm file beside a database in a read-only place. */
const READ_ONLY_PLACE = new Set([
  'SQLITE_READONLY_DIRECTORY',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
]);

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Fails unless the file is an isoflop database this connection can read. */
function probe(sqlite: Database.Database): void {
  sqlite.prepare('SELECT 1 FROM sweeps LIMIT 1').get();
}

/**
 * A read-only connection. In a read-only directory a WAL database cannot get its -shm file, so the reader
 * falls back to SQLite's `immutable` mode (the file is on read-only storage: nobody can be writing it).
 */
function openReader(file: string): Database.Database {
  const options = { readonly: true, fileMustExist: true };
  const sqlite = new Database(file, options);
  try {
    probe(sqlite);
    return sqlite;
  } catch (error) {
    sqlite.close();
    if (!READ_ONLY_PLACE.has(sqliteCode(error) ?? '')) throw error;
  }
  const immutable = new Database(`${pathToFileURL(file).href}?immutable=1`, options);
  try {
    probe(immutable);
    return immutable;
  } catch (error) {
    immutable.close();
    throw error;
  }
}

/**
 * Opens (creating if needed) the SQLite file and applies the committed migrations. WAL lets readers
 * (status, the dashboard) run while the coordinator writes; synchronous=NORMAL is durable against process
 * crashes in WAL mode, and anything lost to a power cut is recovered from the queue on reconcile.
 */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  let sqlite: Database.Database;
  try {
    if (options.readonly) {
      sqlite = openReader(file);
    } else {
      if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
      sqlite = new Database(file);
      try {
        // The first statements that read the file: a corrupt or foreign file fails here.
        sqlite.pragma('journal_mode = WAL');
      } catch (error) {
        sqlite.close();
        throw error;
      }
    }
  } catch (error) {
    const reason =
      sqliteCode(error) === 'SQLITE_ERROR'
        ? `not an isoflop database (${(error as Error).message})`
        : (error as Error).message;
    throw new StoreError('OPEN_FAILED', `cannot open database ${file}: ${reason}`, {
      cause: error,
    });
  }
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  if (!options.readonly) {
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
