#!/usr/bin/env node
// Runs every benchmark script (packages/*/bench/*.ts, apps/*/bench/*.ts) in its own process.
// Each prints JSON lines: {"bench", "metric", "value", "unit", ...context}. Pass names to run a subset:
//   npm run bench -- train-step fit
import { spawnSync } from 'node:child_process';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const scripts = [];
for (const group of ['packages', 'apps']) {
  for (const pkg of readdirSync(group)) {
    const dir = join(group, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith('.ts')) continue;
      const name = file.replace(/\.ts$/, '');
      if (filters.length > 0 && !filters.some((f) => name.includes(f) || pkg === f)) continue;
      scripts.push(join(dir, file));
    }
  }
}
let failures = 0;
for (const script of scripts) {
  const result = spawnSync('npx', ['tsx', script], { stdio: 'inherit' });
  if (result.status !== 0) {
    failures += 1;
    process.stderr.write(`bench: ${script} exited with ${result.status}\n`);
  }
}
process.exit(failures > 0 ? 1 : 0);
