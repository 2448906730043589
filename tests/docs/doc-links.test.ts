import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every Markdown file of the repository: tracked, or new and not ignored. */
function markdownFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.md'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

/** The targets of inline links `[text](target)` and images, outside fenced code blocks. */
function linkTargets(text: string): string[] {
  const prose = text.replace(/^```[\s\S]*?^```/gm, '');
  return [...prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map(
    (match) => match[1]!,
  );
}

describe('documentation links', () => {
  const files = markdownFiles();

  it('finds the documentation (the READMEs and docs/)', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/ARCHITECTURE.md']));
  });

  it('resolves every link to a file inside the repository, never outside it', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of linkTargets(readFileSync(join(ROOT, file), 'utf8'))) {
        if (target.startsWith('#')) continue;
        const path = target.split('#')[0]!;
        const absolute = resolve(dirname(join(ROOT, file)), decodeURIComponent(path));
        const inside = !relative(ROOT, absolute).startsWith('..');
        if (/^[a-z][a-z+.-]*:/i.test(target) || !inside || !existsSync(absolute)) {
          broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
