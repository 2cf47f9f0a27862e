/**
 * The e-mail check Rekor applies before indexing a key's comment or user ID (govalidator's `IsEmail`): a
 * dot-atom local part and a domain of at least two labels. Quoted local parts are not recognised.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u00a0-\uffef]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u00a0-\uffef]+)*$/;
const LABEL = /^[A-Za-z0-9\u00a0-\uffef]([A-Za-z0-9\-._~\u00a0-\uffef]*[A-Za-z0-9\u00a0-\uffef])?$/;

export function isEmail(s: string): boolean {
  const at = s.lastIndexOf('@');
  if (at <= 0 || s.length > 320) return false;
  const labels = s
    .slice(at + 1)
    .replace(/\.$/, '')
    .split('.');
  return LOCAL.test(s.slice(0, at)) && labels.length >= 2 && labels.every((l) => LABEL.test(l));
}
