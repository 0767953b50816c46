"use client";

import { useEffect, useId, useRef, useState } from "react";
import { Alert } from "./alert";
import { Button } from "./button";

const FIELD = "input:not([type=hidden]):not([disabled]):not([readonly]), select:not([disabled]), textarea:not([disabled])";

/**
 * A modal dialog on the native <dialog> element (showModal): the browser traps
 * focus, makes the page inert and closes on Esc. On open it focuses the first
 * field (or `data-autofocus`), else the first button; on close it returns focus
 * to what had it. Children mount only while open, so forms start fresh.
 *
 * `dismissGuard` makes a show-once dialog: Esc, a click outside and × then ask
 * first (the dialog stays open with its content), and only the dialog's own
 * explicit button or "Close anyway" closes it.
 */
export function Dialog({
  open,
  onClose,
  title,
  description,
  children,
  testId,
  wide = false,
  dismissGuard,
}: {
  open: boolean;
  onClose: () => void;
  title: React.ReactNode;
  description?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
  wide?: boolean;
  /** The question asked before a show-once dialog closes any other way than by its explicit button. */
  dismissGuard?: { question: React.ReactNode; leaveLabel?: string; stayLabel?: string };
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const returnTo = useRef<HTMLElement | null>(null);
  // The data-focus-return container around the trigger (the table), found while the trigger is on the page.
  const returnKey = useRef<string | null>(null);
  const pressedOnBackdrop = useRef(false);
  const titleId = useId();
  const descriptionId = useId();
  const [asking, setAsking] = useState(false);
  // Set when the dialog is closed on purpose (the parent closed it, or "Close anyway").
  const closingOnPurpose = useRef(false);
  const guarded = Boolean(dismissGuard);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      closingOnPurpose.current = false;
      returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      returnKey.current = returnTo.current?.closest("[data-focus-return]")?.getAttribute("data-focus-return") ?? null;
      dialog.showModal();
      const first =
        dialog.querySelector<HTMLElement>("[data-autofocus]") ??
        dialog.querySelector<HTMLElement>(FIELD) ??
        dialog.querySelector<HTMLElement>("button:not([disabled])");
      first?.focus();
    } else if (!open && dialog.open) {
      closingOnPurpose.current = true;
      dialog.close();
    }
  }, [open]);

  const requestClose = () => {
    if (guarded) setAsking(true);
    else ref.current?.close();
  };

  const handleClose = () => {
    const dialog = ref.current;
    // The browser may close a modal dialog despite a cancelled Esc (repeated presses without a click in
    // between): a show-once dialog opens again at once, asking, so the secret is not lost.
    if (guarded && open && !closingOnPurpose.current && dialog) {
      dialog.showModal();
      setAsking(true);
      return;
    }
    setAsking(false);
    returnFocus(returnTo, returnKey);
    onClose();
  };

  // A row's dialog lives in its row: when the refreshed page drops the row while the dialog is still open,
  // the dialog is unmounted without a close event reaching React, so focus is returned here instead.
  useEffect(() => () => returnFocus(returnTo, returnKey), []);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      data-testid={testId}
      onClose={handleClose}
      onCancel={(e) => {
        if (!guarded) return;
        e.preventDefault();
        setAsking(true);
      }}
      onKeyDown={(e) => {
        if (guarded && e.key === "Escape") {
          e.preventDefault();
          setAsking(true);
        }
      }}
      // The dialog element itself only receives presses on its backdrop (the content has its own box);
      // a drag that starts inside (selecting text) and ends outside must not close it.
      onMouseDown={(e) => {
        pressedOnBackdrop.current = e.target === e.currentTarget;
      }}
      onClick={(e) => {
        if (pressedOnBackdrop.current && e.target === e.currentTarget) requestClose();
        pressedOnBackdrop.current = false;
      }}
      // text-left and whitespace-normal: a row's dialog lives inside its table cell and must not inherit the
      // cell's right alignment or no-wrap (a long sentence or name would run off the dialog).
      className={`m-auto w-[calc(100%-2rem)] rounded-xl border border-slate-200 bg-white p-0 text-left whitespace-normal text-slate-900 shadow-xl backdrop:bg-slate-900/40 ${wide ? "max-w-lg" : "max-w-md"}`}
    >
      {open && (
        <div className="flex flex-col gap-4 p-5 sm:p-6">
          <div className="flex items-start justify-between gap-4">
            <div className="min-w-0">
              <h2 id={titleId} className="text-lg font-semibold break-words">
                {title}
              </h2>
              {description && (
                <div id={descriptionId} className="mt-1 text-sm text-slate-600">
                  {description}
                </div>
              )}
            </div>
            <button
              type="button"
              onClick={requestClose}
              className="-mr-2 -mt-1 rounded-md px-2 py-1 text-xl leading-none text-slate-500 hover:bg-slate-100 hover:text-slate-900"
              aria-label="Close dialog"
            >
              <span aria-hidden="true">×</span>
            </button>
          </div>
          {children}
          {dismissGuard && asking && (
            <DismissQuestion
              guard={dismissGuard}
              onStay={() => setAsking(false)}
              onLeave={() => {
                closingOnPurpose.current = true;
                ref.current?.close();
              }}
            />
          )}
        </div>
      )}
    </dialog>
  );
}

/** For a few seconds, when `target` leaves the page while focus is on it (or lost), focus `fallback` instead. */
/**
 * Focus goes back to the dialog's trigger; if the trigger is gone, now or once the page refreshes (a
 * deleted row), to the container marked data-focus-return around it (the table), never to <body>.
 */
function returnFocus(returnTo: React.RefObject<HTMLElement | null>, returnKey: React.RefObject<string | null>) {
  const target = returnTo.current;
  const key = returnKey.current;
  returnTo.current = null;
  returnKey.current = null;
  if (!target) return;
  if (target.isConnected) target.focus();
  if (key) keepFocusNear(target, key);
}

function keepFocusNear(target: HTMLElement, key: string) {
  // Looked up when needed, not held: a refresh may render the container anew.
  const fallback = () => document.querySelector<HTMLElement>(`[data-focus-return="${CSS.escape(key)}"]`);
  const settle = () => {
    if (target.isConnected) return false;
    const active = document.activeElement;
    if (active === null || active === document.body || active === target) fallback()?.focus();
    return true;
  };
  if (settle()) return;
  const observer = new MutationObserver(() => {
    if (settle()) observer.disconnect();
  });
  observer.observe(document.body, { childList: true, subtree: true });
  // The refresh that removes a deleted row can take a while on a busy server; a person who moves on
  // moves focus themselves, and then settle() leaves it alone.
  setTimeout(() => observer.disconnect(), 30_000);
}

/** The row of buttons at the bottom of a dialog: stacked on phones, right-aligned otherwise. */
export function DialogActions({ children }: { children: React.ReactNode }) {
  return <div className="flex flex-col-reverse gap-2 pt-1 sm:flex-row sm:justify-end">{children}</div>;
}

function DismissQuestion({
  guard,
  onStay,
  onLeave,
}: {
  guard: NonNullable<React.ComponentProps<typeof Dialog>["dismissGuard"]>;
  onStay: () => void;
  onLeave: () => void;
}) {
  const groupRef = useRef<HTMLDivElement>(null);
  // The safe answer gets the focus, so a second Esc or Enter keeps the dialog open.
  useEffect(() => groupRef.current?.querySelector<HTMLElement>("[data-stay]")?.focus(), []);
  return (
    <div ref={groupRef} role="group" aria-label="Close this dialog?" data-testid="dismiss-question" className="flex flex-col gap-3">
      <Alert tone="warning">{guard.question}</Alert>
      <DialogActions>
        <Button variant="danger" onClick={onLeave}>
          {guard.leaveLabel ?? "Close anyway"}
        </Button>
        <Button data-stay variant="secondary" onClick={onStay}>
          {guard.stayLabel ?? "Keep it open"}
        </Button>
      </DialogActions>
    </div>
  );
}
