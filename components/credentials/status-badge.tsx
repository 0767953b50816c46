import { Badge } from "@/components/ui/badge";
import type { CredentialStatus } from "@/lib/domain/credentials/credential-view";
import { STATUS_LABELS } from "./labels";

const TITLES: Record<CredentialStatus, string> = {
  active: "Works",
  expiring: "Expires within 7 days",
  expired: "Past its expiry: refused",
  suspended: "Its owner is deactivated: refused until reactivated",
};

/** A credential's status: green works, amber soon expires, red expired, gray suspended. */
export function CredentialStatusBadge({ status }: { status: CredentialStatus }) {
  const tone = status === "active" ? "green" : status === "expiring" ? "amber" : status === "expired" ? "red" : "gray";
  return (
    <Badge tone={tone} title={TITLES[status]} data-status={status}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
