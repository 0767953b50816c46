/**
 * Whether an authtoken's ACL lets an agent bind an endpoint. Pure (no I/O), so
 * every case is a unit test. The rules are the ones lib/validation/credentials.ts
 * accepts on a credential:
 *
 * - an empty ACL, `*` or `bind:*`: no restriction;
 * - `bind:app.example.com`: exactly that hostname (case-insensitive, a trailing
 *   dot ignored);
 * - `bind:*.example.com`: any hostname under example.com, at any depth
 *   (`a.example.com`, `a.b.example.com`), but not `example.com` itself;
 * - `bind:key=value`, with `*` for the key or the value: a label.
 *
 * A bind is allowed when its hostname (if any) matches a domain rule AND each
 * of its labels (if any) matches a label rule. A domain rule never admits a
 * label, nor a label rule a hostname.
 */

export interface BindTarget {
  /** The hostname to bind, lowercase; null for a labeled endpoint without one. */
  hostname: string | null;
  labels: Record<string, string>;
}

/** A refusal says which kind of rule was missing: ngrok answers ERR_NGROK_308 for a hostname, ERR_NGROK_399 for a label. */
export type AclDecision = { allowed: true } | { allowed: false; refused: "hostname" | "label"; why: string };

/** The hostname as compared: lowercase, no trailing dot. */
export function normalizeHostname(hostname: string): string {
  return hostname.trim().toLowerCase().replace(/\.$/, "");
}

function hostnameMatches(rule: string, hostname: string): boolean {
  const pattern = normalizeHostname(rule);
  if (pattern.startsWith("*.")) {
    const suffix = pattern.slice(1); // ".example.com"
    return hostname.length > suffix.length && hostname.endsWith(suffix);
  }
  return pattern === hostname;
}

function labelMatches(rule: string, key: string, value: string): boolean {
  const eq = rule.indexOf("=");
  const ruleKey = rule.slice(0, eq);
  const ruleValue = rule.slice(eq + 1);
  return (ruleKey === "*" || ruleKey === key) && (ruleValue === "*" || ruleValue === value);
}

export function aclAllowsBind(acl: readonly string[], target: BindTarget): AclDecision {
  if (acl.length === 0 || acl.includes("*") || acl.includes("bind:*")) return { allowed: true };
  const targets = acl.filter((r) => r.startsWith("bind:")).map((r) => r.slice("bind:".length));
  const domainRules = targets.filter((t) => !t.includes("="));
  const labelRules = targets.filter((t) => t.includes("="));
  if (target.hostname !== null) {
    const hostname = normalizeHostname(target.hostname);
    if (!domainRules.some((rule) => hostnameMatches(rule, hostname))) {
      return { allowed: false, refused: "hostname", why: `the authtoken's ACL does not permit binding ${hostname}` };
    }
  }
  for (const [key, value] of Object.entries(target.labels)) {
    if (!labelRules.some((rule) => labelMatches(rule, key, value))) {
      return { allowed: false, refused: "label", why: `the authtoken's ACL does not permit the label ${key}=${value}` };
    }
  }
  return { allowed: true };
}
