#!/usr/bin/env bash
# The signing step of action.yml: keyless, with the job's ambient OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN,
# present when the workflow grants `id-token: write`). Inputs come as SIGNET_* environment variables.
set -euo pipefail
if [[ -z "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" || -z "${ACTIONS_ID_TOKEN_REQUEST_TOKEN:-}" ]]; then
  echo "signet action: no OIDC token: give the job 'permissions: id-token: write'" >&2
  exit 1
fi
if [[ -n "${SIGNET_TUF_MIRROR:-}" ]]; then
  # A private instance through TUF: cached in $TUF_ROOT (default ~/.sigstore/root), so later steps that run
  # signet (verify-blob, verify) use it too.
  if [[ -z "${SIGNET_TUF_ROOT:-}" ]]; then
    echo "signet action: tuf-mirror needs tuf-root (the instance's root.json, a file or URL)" >&2
    exit 1
  fi
  init=(--mirror "$SIGNET_TUF_MIRROR" --root "$SIGNET_TUF_ROOT")
  [[ -n "${SIGNET_TUF_ROOT_CHECKSUM:-}" ]] && init+=(--root-checksum "$SIGNET_TUF_ROOT_CHECKSUM")
  signet initialize "${init[@]}"
elif [[ -n "${SIGNET_TUF_ROOT:-}" ]]; then
  echo "signet action: tuf-root needs tuf-mirror (the instance's TUF mirror URL)" >&2
  exit 1
fi
opts=(--yes)
[[ -n "${SIGNET_SIGNING_CONFIG:-}" ]] && opts+=(--signing-config "$SIGNET_SIGNING_CONFIG")
[[ -n "${SIGNET_TRUSTED_ROOT:-}" ]] && opts+=(--trusted-root "$SIGNET_TRUSTED_ROOT")
signed=0
while IFS= read -r blob; do
  [[ -z "$blob" ]] && continue
  signet sign-blob "${opts[@]}" --bundle "$blob.sigstore.json" "$blob"
  signed=$((signed + 1))
done <<< "${SIGNET_BLOBS:-}"
while IFS= read -r image; do
  [[ -z "$image" ]] && continue
  signet sign "${opts[@]}" "$image"
  signed=$((signed + 1))
done <<< "${SIGNET_IMAGES:-}"
if [[ $signed -eq 0 ]]; then
  echo "signet action: nothing to sign: set the blobs or images input" >&2
  exit 1
fi
echo "signet action: signed $signed artifact(s)"
