import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

type Env = Record<string, string | undefined>;

/**
 * The command that would open a URL in a browser here: `$BROWSER` when set, `open` on macOS, `xdg-open` on a Linux
 * desktop (DISPLAY or WAYLAND_DISPLAY set), else none (a server or a CI job: use the device flow or print the URL).
 */
export function browserCommand(env: Env = process.env, platform = process.platform): string | undefined {
  if (env.BROWSER) return env.BROWSER;
  if (platform === 'darwin') return 'open';
  if (platform === 'win32') return undefined;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  return onPath('xdg-open', env) ? 'xdg-open' : undefined;
}

function onPath(cmd: string, env: Env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, cmd)));
}

/** Runs `command URL` detached; resolves false when it cannot start. */
export function openInBrowser(command: string, url: string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const child = spawn(command, [url], { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
}
