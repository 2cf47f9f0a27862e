import type { Command } from 'commander';
import { SignetError } from '../errors.js';
import { requestDevIdToken } from '../oidc/provider/index.js';

const DEFAULT_ISSUER = 'http://localhost:3000/oidc';

export function registerOidc(program: Command): void {
  const oidc = program.command('oidc').description('identity tokens from the dev identity provider of `signet up`');
  oidc
    .command('token')
    .description('print an ID token (audience sigstore) for an email, from a running dev provider')
    .requiredOption('--email <address>', 'the identity to sign as')
    .option('--issuer <url>', 'the dev provider issuer URL', DEFAULT_ISSUER)
    .addHelpText(
      'after',
      '\nExample:\n  signet oidc token --email alice@example.com --issuer http://127.0.0.1:3000/oidc',
    )
    .action(async (opts: { email: string; issuer: string }) => {
      if (!/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw new SignetError('invalid-input', `not an email: ${opts.email}`);
      let url: URL;
      try {
        url = new URL(opts.issuer);
      } catch {
        throw new SignetError('invalid-input', `--issuer is not a URL: ${opts.issuer}`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new SignetError('invalid-input', `--issuer must be http or https: ${opts.issuer}`);
      }
      process.stdout.write((await requestDevIdToken(opts.issuer, opts.email)) + '\n');
    });
}
