import type { Command } from 'commander';

// Not written yet: its issue adds the commands here.
export function registerCa(_program: Command): void {}
