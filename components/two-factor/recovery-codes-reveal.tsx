"use client";

import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** Recovery codes shown once (at enrolment and each regeneration), with a copy button and "I've stored them". */
export function RecoveryCodesReveal({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  };
  return (
    <div className="flex flex-col gap-3" data-testid="recovery-codes-reveal">
      <Alert tone="warning">
        <strong>Store these recovery codes now: they won&apos;t be shown again.</strong> Each signs you in once when your phone is not at hand.
        Keep them in a password manager or on paper, not beside your phone.
      </Alert>
      <ol className="grid grid-cols-1 gap-x-6 gap-y-1 rounded-md border border-slate-200 bg-slate-50 px-4 py-3 font-mono text-sm sm:grid-cols-2" data-testid="recovery-codes">
        {codes.map((code) => (
          <li key={code} className="select-all">
            {code}
          </li>
        ))}
      </ol>
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" onClick={copy}>
          {copied === "yes" ? "Copied" : "Copy codes"}
        </Button>
        <Button onClick={onDone}>I&apos;ve stored them</Button>
        <span aria-live="polite" className="text-xs text-slate-600">
          {copied === "yes" && "Copied to the clipboard."}
          {copied === "failed" && "Could not copy automatically: select the codes and copy them."}
        </span>
      </div>
    </div>
  );
}
