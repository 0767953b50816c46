/**
 * Domain names as Botdesk reserves and binds them: parsing, normalising and
 * the limits of DNS (RFC 1035: a name of at most 253 characters, each label 1–63
 * letters, digits or inner hyphens). No zod and no imports here, so client
 * components can read the limits and the server's schemas can share the rules.
 *
 * A name is an exact hostname (`app.example.com`) or a wildcard (`*.example.com`:
 * `*` as the whole first label, nowhere else). Case is ignored and a trailing dot
 * dropped, so `App.Example.COM.` is `app.example.com`. International names are
 * written in their ASCII form (`xn--bcher-kva.example`).
 */

export const DOMAIN_NAME_MAX_BYTES = 253;
export const DOMAIN_LABEL_MAX_BYTES = 63;
/** What a form or body may send before it is even read (the name itself is at most 253). */
export const DOMAIN_INPUT_MAX_LENGTH = 1024;

export interface DomainName {
  /** As stored and shown: lowercase, no trailing dot, `*.` first for a wildcard. */
  domain: string;
  /** The name without its `*.` (the same as `domain` for an exact name). */
  base: string;
  wildcard: boolean;
  /** `base`'s labels reversed, each followed by a dot (`com.example.app.`): names under `base` have keys that start with it. */
  zoneKey: string;
}

export type DomainNameParse = { ok: true; name: DomainName } | { ok: false; message: string };

const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const shown = (s: string) => (s.length > 40 ? `${s.slice(0, 39)}…` : s);

/** `com.example.app.` for `app.example.com`. */
export function zoneKeyOf(base: string): string {
  return base
    .split(".")
    .reverse()
    .map((label) => `${label}.`)
    .join("");
}

function labelProblem(label: string): string | null {
  if (label === "") return "A domain has no empty parts: check the dots";
  if (label.length > DOMAIN_LABEL_MAX_BYTES) return `"${shown(label)}" is longer than ${DOMAIN_LABEL_MAX_BYTES} characters: each part between dots is at most ${DOMAIN_LABEL_MAX_BYTES}`;
  if (label.startsWith("-") || label.endsWith("-")) return `"${shown(label)}" starts or ends with a hyphen: a part of a domain can't`;
  if (!LABEL.test(label)) return `"${shown(label)}" is not a valid part of a domain`;
  return null;
}

/**
 * Parses what someone typed or an agent asked for into a DomainName, or says
 * in one sentence why it is not one.
 */
export function parseDomainName(raw: string): DomainNameParse {
  const text = raw.trim().toLowerCase().replace(/\.$/, "");
  if (text === "") return { ok: false, message: "Enter a domain, such as app.example.com or *.example.com" };
  // Characters first, so the message names what is wrong rather than a part it makes invalid.
  const bad = /[^a-z0-9.*-]/.exec(text)?.[0];
  if (bad === "_") return { ok: false, message: "Underscores can't be used in a domain name" };
  if (bad !== undefined) {
    const code = bad.codePointAt(0)!;
    if (code > 0x7e) return { ok: false, message: "Use only letters a–z, digits, hyphens and dots: write an international name in its ASCII form (xn--…)" };
    const what = code < 0x20 || code === 0x7f ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `"${bad}"`;
    return { ok: false, message: `${what} can't be used in a domain name: use letters a–z, digits, hyphens and dots` };
  }
  if (text.length > DOMAIN_NAME_MAX_BYTES) return { ok: false, message: `A domain is at most ${DOMAIN_NAME_MAX_BYTES} characters (this one has ${text.length})` };
  const wildcard = text.startsWith("*.");
  const base = wildcard ? text.slice(2) : text;
  if (base.includes("*")) return { ok: false, message: "A wildcard is only the whole first part of a domain, as in *.example.com" };
  const labels = base.split(".");
  for (const label of labels) {
    const problem = labelProblem(label);
    if (problem) return { ok: false, message: problem };
  }
  if (labels.length < 2) {
    return { ok: false, message: wildcard ? "A wildcard needs at least two parts after it, as in *.example.com" : "A domain has at least two parts, such as example.com" };
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return { ok: false, message: "The last part of a domain can't be only digits: an IP address is not a domain" };
  return { ok: true, name: { domain: text, base, wildcard, zoneKey: zoneKeyOf(base) } };
}
