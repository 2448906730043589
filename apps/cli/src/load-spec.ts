import { existsSync, readFileSync, statSync } from 'node:fs';
import { corpusFileIssues } from '@isoflop/data';
import { dirname, extname, resolve } from 'node:path';
import {
  parseSweepSpec,
  SPEC_LIMITS,
  specFiles,
  SpecError,
  withResolvedFiles,
  type SpecIssue,
  type SweepSpec,
} from '@isoflop/planner';
import { CliError } from './errors.js';

export interface LoadedSpec {
  /** Validated, with corpus paths made absolute. */
  spec: SweepSpec;
  /** Corpus files the spec names that do not exist (empty when `requireFiles` is on: they throw). */
  missingFiles: SpecIssue[];
}

/**
 * Read, validate and resolve a sweep spec file: JSON by `.json` extension, YAML otherwise. Corpus paths
 * are taken relative to the spec file. With `requireFiles` (the default; commands that train need the
 * data) a missing corpus file is a SpecError naming its field path; without it, it is returned.
 */
export function loadSweepSpec(
  specPath: string,
  options: { requireFiles?: boolean } = {},
): LoadedSpec {
  const absolute = resolve(specPath);
  if (!existsSync(absolute)) throw new CliError('BAD_INPUT', `SPEC: file not found: ${specPath}`);
  // A FIFO or /dev/zero would never finish reading; a spec is a few KB of text.
  const stat = statSync(absolute);
  if (!stat.isFile()) throw new CliError('BAD_INPUT', `SPEC: expected a regular file: ${specPath}`);
  if (stat.size > 4 * SPEC_LIMITS.textLength) {
    throw new CliError('BAD_INPUT', `SPEC: ${stat.size} bytes is too large for a sweep spec`);
  }
  const text = readFileSync(absolute, 'utf8');
  const parsed = parseSweepSpec(
    text,
    extname(absolute).toLowerCase() === '.json' ? 'json' : 'yaml',
  );
  const spec = withResolvedFiles(parsed, (file) => resolve(dirname(absolute), file));
  const files = specFiles(spec);
  // A FIFO or a device (/dev/zero) is refused whatever `requireFiles` says: nothing may read it.
  const refused = corpusFileIssues(files, { requireExisting: false });
  if (refused.length > 0) throw new SpecError(refused);
  const missingFiles = files
    .filter((file) => !existsSync(file.file))
    .map((file) => ({
      path: file.path,
      message: `expected an existing file, not found: ${file.file}`,
    }));
  if (missingFiles.length > 0 && (options.requireFiles ?? true)) throw new SpecError(missingFiles);
  return { spec, missingFiles };
}
