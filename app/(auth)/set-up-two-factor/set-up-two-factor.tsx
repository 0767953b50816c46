"use client";

import { useRouter } from "next/navigation";
import { EnrolTwoFactor, type EnrolmentActions } from "@/components/two-factor/enrol-two-factor";

/** The setup, then on to the dashboard once the recovery codes are stored. */
export function SetUpTwoFactor({ actions }: { actions: EnrolmentActions }) {
  const router = useRouter();
  return <EnrolTwoFactor actions={actions} startLabel="Start setup" onDone={() => router.push("/")} />;
}
