import type { Command } from 'commander';

// Not written yet: its issue adds the commands here.
export function registerUp(_program: Command): void {}
