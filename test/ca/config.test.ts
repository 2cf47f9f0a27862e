import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isSignetError } from '../../src/errors.js';
import { loadIdentityConfig, parseIdentityConfig } from '../../src/ca/index.js';
import { compileMetaIssuer, matchesMetaIssuer } from '../../src/ca/oidc/meta-issuer.js';
import { applyTemplate } from '../../src/ca/oidc/template.js';
import { tempDir } from '../helpers/process.js';

test('config keys: Go field names, YAML kebab-case and any case are the same', () => {
  const a = parseIdentityConfig({
    OIDCIssuers: { 'https://a': { IssuerURL: 'https://a', ClientID: 'x', Type: 'email', SkipEmailVerification: true } },
  });
  const b = parseIdentityConfig({
    'oidc-issuers': {
      'https://a': { 'issuer-url': 'https://a', 'client-id': 'x', type: 'email', 'skip-email-verification': true },
    },
  });
  assert.deepEqual(a, b);
  assert.equal(a.oidcIssuers['https://a']!.clientId, 'x');
  const d = parseIdentityConfig({ OIDCIssuers: { 'https://d': { Type: 'email' } } });
  assert.equal(d.oidcIssuers['https://d']!.clientId, 'sigstore', 'audience defaults to sigstore');
  assert.equal(d.oidcIssuers['https://d']!.issuerUrl, 'https://d');
});

test('config validation names the problem', () => {
  const bad: [unknown, RegExp][] = [
    [{ OIDCIssuers: { 'https://a': { Type: 'nope' } } }, /type "nope" is not supported/],
    [{ OIDCIssuers: { 'https://a': { Type: 'spiffe' } } }, /SPIFFETrustDomain/],
    [{ OIDCIssuers: { 'https://a': { Type: 'uri', SubjectDomain: 'example.com' } } }, /SubjectDomain with a scheme/],
    [{ OIDCIssuers: { 'https://a': { Type: 'username', SubjectDomain: 'https://example.com' } } }, /without a scheme/],
    [
      { OIDCIssuers: { 'https://a': { Type: 'uri', SubjectDomain: 'https://a', IssuerClaim: '$.x' } } },
      /IssuerClaim is only allowed/,
    ],
    [{ OIDCIssuers: { 'https://a': { Type: 'ci-provider', CIProvider: 'unknown' } } }, /no CIIssuerMetadata/],
    [{ MetaIssuers: { 'https://a/b': { Type: 'email' } } }, /has no wildcard/],
    [{ MetaIssuers: { 'https://a/*': { Type: 'spiffe', SPIFFETrustDomain: 'x' } } }, /cannot be meta issuers/],
    [{ OIDCIssuers: [] }, /must be an object/],
    ['x', /must be an object/],
  ];
  for (const [cfg, re] of bad) {
    assert.throws(
      () => parseIdentityConfig(cfg),
      (e) => isSignetError(e, 'invalid-input') && re.test(e.message),
      JSON.stringify(cfg),
    );
  }
});

test('config file: JSON loads, YAML is refused with a hint', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'c.json'), JSON.stringify({ OIDCIssuers: { 'https://a': { Type: 'email' } } }));
  assert.ok(loadIdentityConfig(join(dir, 'c.json')).oidcIssuers['https://a']);
  writeFileSync(join(dir, 'c.yaml'), 'oidc-issuers:\n  https://a:\n    type: email\n');
  assert.throws(() => loadIdentityConfig(join(dir, 'c.yaml')), /not JSON \(YAML is not supported/);
  assert.throws(() => loadIdentityConfig(join(dir, 'missing.json')), /cannot read/);
});

test('meta issuers: Fulcio public-good patterns match real issuers', () => {
  assert.ok(
    matchesMetaIssuer(
      'https://oidc.eks.*.amazonaws.com/id/*',
      'https://oidc.eks.us-west-2.amazonaws.com/id/B02C93B6A2D30341AD01E1B6D48164CB',
    ),
  );
  assert.ok(
    matchesMetaIssuer(
      'https://container.googleapis.com/v1/projects/*/locations/*/clusters/*',
      'https://container.googleapis.com/v1/projects/p/locations/us-west1-b/clusters/c',
    ),
  );
  assert.ok(
    matchesMetaIssuer(
      'https://token.actions.githubusercontent.com/*',
      'https://token.actions.githubusercontent.com/my_enterprise',
    ),
  );
  assert.ok(
    matchesMetaIssuer('https://*.oic.prod-aks.azure.com/*', 'https://westeurope.oic.prod-aks.azure.com/abc-123'),
  );
  for (const bad of [
    'https://oidc.eks.us-west-2.amazonaws.com/id/X/extra',
    'https://oidc.eks.a.b.amazonaws.com/id/X',
    'https://oidc.eks.x.amazonaws.com.evil.com/id/X',
    'https://oidc.eks.x.amazonaws.com/id/X?x=1',
    'https://oidc.eks.x@evil.com/id/X',
    'http://oidc.eks.x.amazonaws.com/id/X',
    'https://oidc.eks.x.amazonaws.com/id/',
    'https://oidc.eks.x.amazonaws.com/id/X\n',
  ]) {
    assert.ok(!matchesMetaIssuer('https://oidc.eks.*.amazonaws.com/id/*', bad), bad);
  }
});

test('property: a wildcard never matches a character outside [-_a-zA-Z0-9]', () => {
  const re = compileMetaIssuer('https://issuer.example.com/tenants/*');
  fc.assert(
    fc.property(fc.string({ minLength: 1, maxLength: 30 }), (label) => {
      const matched = re.test(`https://issuer.example.com/tenants/${label}`);
      assert.equal(matched, /^[-_a-zA-Z0-9]+$/.test(label));
    }),
  );
});

test('templates: Go text/template subset as Fulcio config uses it', () => {
  const v = {
    url: 'https://gitlab.com',
    ref: 'main',
    ref_type: 'branch',
    'oidc.circleci.com/project-id': 'p1',
    x: 'true',
  };
  assert.equal(applyTemplate('{{ .url }}/{{.ref}}', v), 'https://gitlab.com/main');
  assert.equal(
    applyTemplate('refs/{{if eq .ref_type "branch"}}heads/{{ else }}tags/{{end}}{{ .ref }}', v),
    'refs/heads/main',
  );
  assert.equal(
    applyTemplate('refs/{{if eq .ref_type "tag"}}heads/{{ else }}tags/{{end}}{{ .ref }}', v),
    'refs/tags/main',
  );
  assert.equal(applyTemplate('{{(index . "oidc.circleci.com/project-id")}}/x', v), 'p1/x');
  assert.equal(applyTemplate('{{if eq (index . "x") "true"}}ssh-rerun{{ else }}""{{end}}', v), 'ssh-rerun');
  assert.equal(applyTemplate('ref', v), 'main', 'a bare name is a claim');
  assert.throws(() => applyTemplate('{{ .missing }}', v), /value missing not present in either claims or defaults/);
  assert.throws(() => applyTemplate('missing', v), /not present/);
  assert.throws(() => applyTemplate('{{ printf "%s" .url }}', v), /not supported/);
  assert.throws(() => applyTemplate('{{if eq .ref "main"}}x', v), /without \{\{end\}\}/);
});

test('built-in CI metadata: Buildkite and CircleCI templates render from their claims', async () => {
  const { BUILTIN_CI_METADATA } = await import('../../src/ca/oidc/ci-metadata.js');
  const bk = BUILTIN_CI_METADATA['buildkite-job']!;
  const v = {
    url: 'https://buildkite.com',
    organization_slug: 'acme',
    pipeline_slug: 'app',
    build_number: '7',
    job_id: 'j1',
  };
  assert.equal(applyTemplate(bk.subjectAlternativeNameTemplate, v), 'https://buildkite.com/acme/app');
  assert.equal(
    applyTemplate(bk.extensionTemplates['run-invocation-uri']!, v),
    'https://buildkite.com/acme/app/builds/7#j1',
  );
  const cc = BUILTIN_CI_METADATA['circleci-job']!;
  const c = {
    ...cc.defaultTemplateValues,
    'oidc.circleci.com/project-id': 'p',
    'oidc.circleci.com/pipeline-definition-id': 'd',
    'oidc.circleci.com/ssh-rerun': 'false',
  };
  assert.equal(
    applyTemplate(cc.subjectAlternativeNameTemplate, c),
    'https://circleci.com/api/v2/projects/p/pipeline-definitions/d',
  );
  assert.equal(
    applyTemplate(cc.extensionTemplates['runner-environment']!, c),
    '""',
    "Fulcio's template prints two quote characters",
  );
});
