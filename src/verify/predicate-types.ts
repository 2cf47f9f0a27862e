import { invalidInput } from '../errors.js';

/** cosign's `--type` short names and the predicate type URIs they stand for (cosign options/predicate.go). */
export const PREDICATE_TYPES: Record<string, string> = {
  custom: 'https://cosign.sigstore.dev/attestation/v1',
  slsaprovenance: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance02: 'https://slsa.dev/provenance/v0.2',
  slsaprovenance1: 'https://slsa.dev/provenance/v1',
  link: 'https://in-toto.io/Link/v1',
  spdx: 'https://spdx.dev/Document',
  spdxjson: 'https://spdx.dev/Document',
  cyclonedx: 'https://cyclonedx.org/bom',
  vuln: 'https://cosign.sigstore.dev/attestation/vuln/v1',
  openvex: 'https://openvex.dev/ns',
};

/** A short name or a URI (anything with a scheme) as the predicate type URI. */
export function predicateTypeFor(type: string): string {
  const known = PREDICATE_TYPES[type];
  if (known) return known;
  if (/^[a-z][a-z0-9+.-]*:/i.test(type)) return type;
  throw invalidInput(
    `unknown predicate type ${JSON.stringify(type)}: use ${Object.keys(PREDICATE_TYPES).join(', ')} or a URI`,
  );
}
