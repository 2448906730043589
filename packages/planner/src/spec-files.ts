import type { CorpusSpec } from './run-spec.js';
import type { SweepSpec } from './sweep-spec.js';

/** A file the spec names, with the field path to report when it is missing. */
export interface SpecFile {
  path: string;
  file: string;
}

/** Every corpus file a spec names, in field order. */
export function specFiles(spec: SweepSpec): SpecFile[] {
  const { corpus } = spec.data;
  switch (corpus.kind) {
    case 'sotu':
      return [];
    case 'text':
    case 'jsonl':
      return corpus.paths.map((file, i) => ({ path: `data.corpus.paths[${i}]`, file }));
    case 'shards':
      return [
        { path: 'data.corpus.train', file: corpus.train },
        { path: 'data.corpus.val', file: corpus.val },
      ];
  }
}

/**
 * The spec with every corpus file mapped through `resolve` (the caller joins paths to the spec file's
 * directory: spec files name their data relative to themselves). Pure: the mapping is the caller's.
 */
export function withResolvedFiles(spec: SweepSpec, resolve: (file: string) => string): SweepSpec {
  const corpus: CorpusSpec = spec.data.corpus;
  switch (corpus.kind) {
    case 'sotu':
      return spec;
    case 'text':
    case 'jsonl':
      return {
        ...spec,
        data: { ...spec.data, corpus: { ...corpus, paths: corpus.paths.map(resolve) } },
      };
    case 'shards':
      return {
        ...spec,
        data: {
          ...spec.data,
          corpus: { ...corpus, train: resolve(corpus.train), val: resolve(corpus.val) },
        },
      };
  }
}
