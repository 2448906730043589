import { describe, expect, it } from 'vitest';
import { COMMANDS, registerCommands } from './command-table.js';
import { createProgram } from './program.js';

describe('registerCommands', () => {
  it('registers, for each invoked name, exactly the command of that name', async () => {
    for (const name of new Set(COMMANDS.map((command) => command.name))) {
      const program = createProgram();
      await registerCommands(program, ['node', 'isoflop', name, '--help']);
      expect(program.commands.map((command) => command.name())).toEqual([name]);
    }
  });

  it('registers every command when the first argument is not one (help, a typo)', async () => {
    const program = createProgram();
    await registerCommands(program, ['node', 'isoflop', '--help']);
    const names = program.commands.map((command) => command.name());
    expect(new Set(names)).toEqual(new Set(COMMANDS.map((command) => command.name)));
    expect(names).toHaveLength(new Set(names).size);
  });
});
