"use client";

import { useId, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";

/** Asked when a show-once dialog is closed any other way than by its explicit button. */
export const SHOW_ONCE_GUARD = {
  question: "Close without storing it? It can't be shown again.",
  leaveLabel: "Close anyway",
  stayLabel: "Keep it open",
};

/**
 * A secret shown exactly once (an initial password, a new API key): selectable,
 * with a copy button, and a plain warning that it cannot be shown again.
 */
export function SecretReveal({ label, value, warning }: { label: string; value: string; warning: React.ReactNode }) {
  const id = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      // Clipboard access can be refused (insecure origin, permissions): select it for a manual copy.
      inputRef.current?.select();
      setCopied("failed");
    }
  };

  return (
    <div className="flex flex-col gap-3">
      <Alert tone="warning">{warning}</Alert>
      <div className="flex flex-col gap-1.5">
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          {label}
        </label>
        <div className="flex items-start gap-2">
          {/* A wrapping, read-only textarea: the whole secret stays visible to check, and selectable. */}
          <textarea
            ref={inputRef}
            id={id}
            readOnly
            value={value}
            rows={value.length > 36 ? 3 : 1}
            spellCheck={false}
            data-testid="secret-value"
            onFocus={(e) => e.currentTarget.select()}
            className="min-h-10 min-w-0 flex-1 resize-none rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm break-all"
          />
          <Button variant="secondary" onClick={copy} data-autofocus>
            {copied === "yes" ? "Copied" : "Copy"}
          </Button>
        </div>
        <p aria-live="polite" className="min-h-5 text-xs text-slate-600">
          {copied === "yes" && "Copied to the clipboard."}
          {copied === "failed" && "Could not copy automatically: it is selected, press Ctrl+C (⌘C)."}
        </p>
      </div>
    </div>
  );
}
