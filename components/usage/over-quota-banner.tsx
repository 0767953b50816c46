import Link from "next/link";
import type { Actor } from "@/lib/domain/access/types";
import { QUOTA_NOUNS } from "@/lib/domain/quotas/plan-quotas";
import { quotasOver } from "@/lib/domain/quotas/quotas-over";

/** Admins' banner on every dashboard page while the account is over a monthly quota (checked at most once a minute). */
export async function OverQuotaBanner({ actor }: { actor: Actor }) {
  const over = await quotasOver(actor);
  if (over.length === 0) return null;
  return (
    <div role="status" className="mb-4 rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900" data-testid="over-quota-banner">
      This account is over its monthly quota for {over.map((m) => QUOTA_NOUNS[m]).join(", ")}.{" "}
      <Link href="/usage" className="font-medium underline">
        See who used what
      </Link>
    </div>
  );
}
