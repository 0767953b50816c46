import { Badge } from "@/components/ui/badge";
import type { CredentialStatus } from "@/lib/domain/credentials/credential-view";
import { STATUS_LABELS } from "./labels";

const TITLES: Record<CredentialStatus, string> = {
  active: "Works",
  expiring: "Expires within 7 days",
  expired: "Past its expiry: refused",
  suspended: "Its owner is deactivated: refused until reactivated",
};

/** A credential's status. Expired is red; the shared Badge has no red tone yet. */
export function CredentialStatusBadge({ status }: { status: CredentialStatus }) {
  if (status === "expired") {
    return (
      <span
        title={TITLES.expired}
        data-status={status}
        className="inline-flex items-center rounded-full bg-red-50 px-2 py-0.5 text-xs font-medium whitespace-nowrap text-red-800 ring-1 ring-red-600/20 ring-inset"
      >
        {STATUS_LABELS.expired}
      </span>
    );
  }
  const tone = status === "active" ? "green" : status === "expiring" ? "amber" : "gray";
  return (
    <Badge tone={tone} title={TITLES[status]} data-status={status}>
      {STATUS_LABELS[status]}
    </Badge>
  );
}
