import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Bundle } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import { boolFlag } from './bool-flags.js';
import { readInput } from './files.js';
import { addSigningOptions, info, resolveServices, signerFor, tlogOptions, type SignFlags } from './signing-flags.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');
const verifyCode = () => import('../verify/index.js');
const signCode = () => import('../sign/index.js');

interface SignBlobFlags extends SignFlags {
  outputSignature?: string;
  outputCertificate?: string;
  b64: boolean;
}

interface AttestBlobFlags extends SignFlags {
  predicate?: string;
  statement?: string;
  type: string;
  outputSignature?: string;
  outputCertificate?: string;
}

export function registerSignBlob(program: Command): void {
  addSigningOptions(
    program
      .command('sign-blob')
      .description(summary('sign-blob'))
      .argument('<artifact>', "the file to sign ('-' for stdin)"),
  )
    .option('--output-signature <file>', 'write the base64 signature here (else it is printed)')
    .option('--output-certificate <file>', 'write the signing certificate here (base64 of the PEM with --b64)')
    .addOption(boolFlag('--b64', 'base64-encode the signature and certificate files', true))
    .addHelpText(
      'after',
      `
Examples:
  signet sign-blob --key cosign.key --bundle file.sigstore.json --rekor-url http://127.0.0.1:3000 file
  signet sign-blob --signing-config http://127.0.0.1:3000/signing_config.json \\
      --identity-token "$(signet oidc token --email you@example.com --issuer http://127.0.0.1:3000/oidc)" \\
      --bundle file.sigstore.json file`,
    )
    .action(async (artifactPath: string, flags: SignBlobFlags) => {
      const artifact = await readInput(artifactPath);
      const services = await resolveServices(flags, flags.newBundleFormat ? 2 : 1);
      const signer = await signerFor(flags, services);
      const signed = await (
        await signCode()
      ).signBlob(artifact, signer, { ...tlogOptions(services), tlogUpload: flags.tlogUpload });
      if (signed.tlogEntry) info(`tlog entry created with index: ${signed.tlogEntry.logIndex}`, true);
      const sig = signed.signature.toString('base64');
      if (!flags.bundle && signed.tlogEntry) {
        info('WARNING: no --bundle: the log entry and its proofs are not saved next to the signature', true);
      }
      if (flags.bundle) {
        const { legacyBlobBundle } = await signCode();
        await writeBundle(flags, signed.bundle, () =>
          legacyBlobBundle(signed.signature, signed.verifierPem, signed.tlogEntry),
        );
      }
      if (flags.outputCertificate && signer.certificateChainPem) {
        const pem = signed.verifierPem;
        await writeOut(flags.outputCertificate, flags.b64 ? Buffer.from(pem).toString('base64') : pem, 'Certificate');
      }
      if (flags.outputSignature) {
        await writeOut(flags.outputSignature, flags.b64 ? sig : signed.signature, 'Signature');
      } else {
        process.stdout.write(sig + '\n');
      }
    });

  addSigningOptions(
    program
      .command('attest-blob')
      .description(summary('attest-blob'))
      .argument('[artifact]', "the file the attestation is about ('-' for stdin); not needed with --statement"),
  )
    .option('--predicate <file>', 'the predicate (JSON; any text for --type custom)')
    .option('--statement <file>', 'a complete in-toto statement to sign instead of --predicate')
    .option(
      '--type <type>',
      'custom, slsaprovenance, slsaprovenance02, slsaprovenance1, link, spdx, spdxjson, cyclonedx, vuln, openvex, or a URI',
      'custom',
    )
    .option('--output-signature <file>', 'write the DSSE envelope JSON here')
    .option('--output-certificate <file>', 'write the signing certificate (PEM) here')
    .addHelpText(
      'after',
      '\nExample:\n  signet attest-blob --key cosign.key --predicate prov.json --type slsaprovenance1 --bundle att.sigstore.json file',
    )
    .action(async (artifactPath: string | undefined, flags: AttestBlobFlags) => {
      const statement = await buildStatement(artifactPath, flags);
      const services = await resolveServices(flags, flags.newBundleFormat ? 2 : 1);
      const signer = await signerFor(flags, services);
      const signed = await (
        await signCode()
      ).attestStatement(statement, signer, {
        ...tlogOptions(services),
        tlogUpload: flags.tlogUpload,
      });
      if (signed.tlogEntry) info(`tlog entry created with index: ${signed.tlogEntry.logIndex}`, true);
      const envelopeJson = JSON.stringify(signed.envelope);
      if (flags.bundle) {
        const { legacyBlobBundle } = await signCode();
        await writeBundle(flags, signed.bundle, () => ({
          ...legacyBlobBundle(Buffer.from(envelopeJson), signed.verifierPem, signed.tlogEntry),
          base64Signature: Buffer.from(envelopeJson).toString('base64'),
        }));
      }
      if (flags.outputCertificate && signer.certificateChainPem) {
        await writeOut(flags.outputCertificate, signed.verifierPem, 'Certificate');
      }
      if (flags.outputSignature) await writeOut(flags.outputSignature, envelopeJson, 'Attestation');
      else if (!flags.bundle) process.stdout.write(envelopeJson + '\n');
    });
}

async function buildStatement(artifactPath: string | undefined, flags: AttestBlobFlags): Promise<Buffer> {
  if (!!flags.predicate === !!flags.statement) throw invalidInput('pass exactly one of --predicate and --statement');
  if (flags.statement) {
    const raw = await readInput(flags.statement);
    let s: { _type?: unknown; subject?: unknown; predicateType?: unknown };
    try {
      s = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalidInput(`--statement ${flags.statement} is not JSON`);
    }
    if (typeof s._type !== 'string' || !Array.isArray(s.subject) || typeof s.predicateType !== 'string') {
      throw invalidInput(`--statement ${flags.statement} is not an in-toto statement (_type, subject, predicateType)`);
    }
    return raw; // signed byte for byte, as given
  }
  if (artifactPath === undefined) throw invalidInput('name the file the attestation is about (or pass --statement)');
  const predicateType = (await verifyCode()).predicateTypeFor(flags.type);
  const predicate = (await signCode()).predicateFrom(predicateType, await readInput(flags.predicate!));
  const name = artifactPath === '-' ? 'stdin' : artifactPath;
  return Buffer.from(
    JSON.stringify((await signCode()).blobStatement(name, await readInput(artifactPath), predicateType, predicate)),
  );
}

async function writeBundle(flags: SignFlags, bundle: Bundle, legacy: () => unknown): Promise<void> {
  const text = flags.newBundleFormat ? (await bundleCode()).serializeBundle(bundle) : JSON.stringify(legacy());
  await writeOut(flags.bundle!, text, 'Bundle');
}

async function writeOut(path: string, data: string | Buffer, what: string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw invalidInput(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  info(`Wrote ${what.toLowerCase()} to file ${path}`, true);
}
