"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { useToastPlacement } from "./toast-placement";

export type ToastTone = "success" | "error" | "info";

interface ToastItem {
  id: number;
  tone: ToastTone;
  /** A string, or text with user-supplied names isolated in <bdi> (see components/name.tsx). */
  message: React.ReactNode;
}

interface ToastApi {
  show: (message: React.ReactNode, tone?: ToastTone) => void;
  success: (message: React.ReactNode) => void;
  error: (message: React.ReactNode) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

/** How long a toast stays, unless hovered or focused. Errors stay longer: they need reading. */
const DURATION_MS: Record<ToastTone, number> = { success: 5000, info: 5000, error: 9000 };
const MAX_VISIBLE = 2;

/**
 * Short messages after an action ("Bot created", "Could not delete…"), placed
 * where they cover no control (./toast-placement.ts). One
 * polite live region (role=status) that exists before any toast is added, so
 * screen readers announce each new one without interrupting. Each toast has a
 * close button; Escape closes them all (unless a dialog is open: Escape is
 * the dialog's).
 */
export function ToastProvider({ children }: { children: React.ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);
  const nextId = useRef(0);
  const regionRef = useRef<HTMLDivElement>(null);
  const placement = useToastPlacement(regionRef, items.length);

  const dismiss = useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const show = useCallback((message: React.ReactNode, tone: ToastTone = "info") => {
    nextId.current += 1;
    const id = nextId.current;
    setItems((xs) => [...xs.slice(-(MAX_VISIBLE - 1)), { id, tone, message }]);
  }, []);
  const api = useMemo<ToastApi>(
    () => ({ show, success: (m) => show(m, "success"), error: (m) => show(m, "error") }),
    [show],
  );

  useEffect(() => {
    if (items.length === 0) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented || document.querySelector("dialog[open]")) return;
      setItems([]);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [items.length]);

  const reserved = placement === "reserved";
  return (
    <ToastContext value={api}>
      {/* Where the toasts sit when no floating spot is free of controls (see useToastPlacement): in the flow at the top
          of the content, sticky, so they push the page down instead of covering it. Empty otherwise. */}
      <div data-toast-slot className={reserved ? "sticky top-0 z-40 -mx-4 mb-4 bg-slate-50 px-4 py-2" : undefined}>
        <div
          role="status"
          aria-live="polite"
          aria-label="Notifications"
          data-testid="toast-region"
          data-placement={reserved ? "reserved" : "floating"}
          ref={regionRef}
          style={reserved ? undefined : placement}
          className={`pointer-events-none flex flex-col items-stretch gap-2 ${reserved ? "mx-auto max-w-md" : "fixed z-50"}`}
        >
          {items.map((item) => (
            <Toast key={item.id} item={item} onDismiss={dismiss} />
          ))}
        </div>
      </div>
      {children}
    </ToastContext>
  );
}

const TONES: Record<ToastTone, string> = {
  success: "border-emerald-200 bg-white text-slate-900 [&_[data-mark]]:bg-emerald-500",
  info: "border-slate-200 bg-white text-slate-900 [&_[data-mark]]:bg-sky-500",
  error: "border-red-200 bg-red-50 text-red-900 [&_[data-mark]]:bg-red-500",
};

function Toast({ item, onDismiss }: { item: ToastItem; onDismiss: (id: number) => void }) {
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    const timer = setTimeout(() => onDismiss(item.id), DURATION_MS[item.tone]);
    return () => clearTimeout(timer);
  }, [paused, item.id, item.tone, onDismiss]);

  return (
    <div
      data-testid="toast"
      data-tone={item.tone}
      onMouseEnter={() => setPaused(true)}
      onMouseLeave={() => setPaused(false)}
      onFocus={() => setPaused(true)}
      onBlur={() => setPaused(false)}
      className={`pointer-events-auto flex items-start gap-3 rounded-lg border px-4 py-3 text-sm shadow-lg ${TONES[item.tone]}`}
    >
      <span data-mark aria-hidden="true" className="mt-1.5 size-2 shrink-0 rounded-full" />
      <p className="min-w-0 flex-1 break-words">
        {item.tone === "error" && <span className="sr-only">Error: </span>}
        {item.message}
      </p>
      <button
        type="button"
        onClick={() => onDismiss(item.id)}
        className="-my-1 -mr-2 inline-flex size-8 shrink-0 items-center justify-center rounded text-lg leading-none text-slate-500 hover:bg-slate-100 hover:text-slate-900"
        aria-label="Dismiss notification"
        title="Dismiss (Esc)"
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

/** The toast API; throws outside a ToastProvider so a missing provider is caught in development. */
export function useToast(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error("useToast needs a <ToastProvider> above it");
  return api;
}
