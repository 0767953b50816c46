import type { CredentialKind, CredentialStatus } from "@/lib/domain/credentials/credential-view";

export { KIND_LABELS } from "@/lib/domain/credentials/labels";
export const KIND_PLURALS: Record<CredentialKind, string> = { authtoken: "Authtokens", api_key: "API keys", ssh_key: "SSH keys" };
export const KIND_ORDER: CredentialKind[] = ["authtoken", "api_key", "ssh_key"];

export const STATUS_LABELS: Record<CredentialStatus, string> = {
  active: "Active",
  expiring: "Expiring soon",
  expired: "Expired",
  suspended: "Suspended",
};

export const GRACE_OPTIONS = [
  { value: "0", label: "None: the old secret stops working now" },
  { value: "1h", label: "1 hour" },
  { value: "24h", label: "24 hours" },
  { value: "7d", label: "7 days" },
] as const;

/** A label inside a sentence: "authtoken", but "API key" and "SSH keys" keep their capitals. */
export function inSentence(label: string): string {
  return /^[A-Z]{2}/.test(label) ? label : label.toLowerCase();
}
