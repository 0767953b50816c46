"use client";

import { useEffect, useState } from "react";
import { Button, Spinner } from "@/components/ui/button";

/**
 * Copies `text` to the clipboard: "Copying…" while the browser works, then
 * "Copied" for two seconds. Where the clipboard is refused (an insecure
 * origin, a permission), it says how to copy by hand from `fallbackHint`.
 */
export function CopyButton({ text, label, fallbackHint, testId }: { text: string; label: string; fallbackHint: string; testId?: string }) {
  const [state, setState] = useState<"idle" | "pending" | "copied" | "failed">("idle");
  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 2_000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    setState("pending");
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };

  return (
    <span className="inline-flex flex-col items-start gap-1">
      <Button variant="secondary" size="sm" onClick={copy} disabled={state === "pending"} aria-busy={state === "pending"} data-testid={testId}>
        {state === "pending" && <Spinner />}
        {state === "pending" ? "Copying…" : state === "copied" ? "Copied" : label}
      </Button>
      <span aria-live="polite" className="text-xs text-slate-600">
        {state === "copied" && "Copied to the clipboard."}
        {state === "failed" && `Could not copy automatically: ${fallbackHint}`}
      </span>
    </span>
  );
}
