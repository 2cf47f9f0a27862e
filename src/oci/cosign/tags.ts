/** cosign's tag-based attachment kinds: `sha256-<hex>.sig`, `.att`, `.sbom`. */
export type AttachmentKind = 'sig' | 'att' | 'sbom';

export function attachmentTag(digest: string, kind: AttachmentKind): string {
  return `${digest.replace(':', '-')}.${kind}`;
}
