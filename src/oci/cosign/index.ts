export * from './simple-signing.js';
export * from './tags.js';
export * from './annotations.js';
export { readAttachments, appendAttachment, MAX_ATTACHMENTS, type AttachedLayer } from './legacy-layout.js';
export { pushBundleReferrer, readBundleReferrers, deleteReferrer, type ReferrerBundle } from './referrers.js';
export { attachmentTree, type AttachmentTree } from './tree.js';
export { copyManifest, copyImageWithAttachments } from './copy.js';
export { cleanAttachments, type CleanType } from './clean.js';
