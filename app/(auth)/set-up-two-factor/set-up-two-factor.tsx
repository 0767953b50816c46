"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { EnrolTwoFactor, type EnrolmentActions } from "@/components/two-factor/enrol-two-factor";
import { RecoveryCodesReveal } from "@/components/two-factor/recovery-codes-reveal";

/**
 * The setup, then the recovery codes, then on to the dashboard. The codes are
 * held here: confirming re-renders the page, which then says it is done
 * (`alreadyOn`) while this component keeps showing them.
 */
export function SetUpTwoFactor({ actions, alreadyOn }: { actions: EnrolmentActions; alreadyOn: boolean }) {
  const router = useRouter();
  const [codes, setCodes] = useState<string[] | null>(null);
  if (codes) return <RecoveryCodesReveal codes={codes} onDone={() => router.push("/")} />;
  if (alreadyOn) {
    return (
      <p className="text-sm text-slate-700">
        Two-factor sign-in is set up for you.{" "}
        <Link href="/" className="font-medium text-indigo-700 hover:underline">
          Continue to the dashboard
        </Link>
      </p>
    );
  }
  return <EnrolTwoFactor actions={actions} startLabel="Start setup" onConfirmed={setCodes} />;
}
