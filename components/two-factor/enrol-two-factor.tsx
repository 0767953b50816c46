"use client";

import { useState, useTransition } from "react";
import { callAction } from "@/components/call-action";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import type { Result } from "@/lib/domain/result";
import type { Enrolment } from "@/lib/domain/two-factor/begin-enrolment";

/** The two server actions of a setup (app/(dashboard)/settings/two-factor-actions.ts), passed in by the page. */
export interface EnrolmentActions {
  begin: () => Promise<Result<Enrolment>>;
  confirm: (input: { code: string }) => Promise<Result<{ recoveryCodes: string[] }>>;
}

/**
 * Setting up an authenticator app: a button starts it (the server makes the
 * secret), then the QR code and the secret as text, then a current code
 * confirms it; `onConfirmed` then gets the recovery codes, which the caller
 * shows once (it holds them: the confirmation re-renders the page, which may
 * no longer show this). Used in Settings and on the page a person is sent to
 * when an account requires it.
 */
export function EnrolTwoFactor({
  actions,
  onConfirmed,
  startLabel = "Set up two-factor sign-in",
}: {
  actions: EnrolmentActions;
  onConfirmed: (recoveryCodes: string[]) => void;
  startLabel?: string;
}) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string | undefined>();
  const [starting, startStarting] = useTransition();
  const [confirming, startConfirming] = useTransition();

  const start = () =>
    startStarting(async () => {
      setError(null);
      const result = await callAction(() => actions.begin());
      if (result.ok) setEnrolment(result.data);
      else setError(result.message);
    });

  if (!enrolment) {
    return (
      <div className="flex flex-col items-start gap-3">
        {error && <Alert>{error}</Alert>}
        <Button onClick={start} disabled={starting} aria-busy={starting}>
          {starting && <Spinner />}
          {starting ? "Preparing…" : startLabel}
        </Button>
      </div>
    );
  }

  return (
    <form
      className="flex flex-col gap-4"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const code = String(new FormData(e.currentTarget).get("code") ?? "");
        startConfirming(async () => {
          setError(null);
          setFieldError(undefined);
          const result = await callAction(() => actions.confirm({ code }));
          if (result.ok) onConfirmed(result.data.recoveryCodes);
          else {
            setError(result.message);
            setFieldError(result.fieldErrors?.code);
          }
        });
      }}
    >
      <ol className="flex list-decimal flex-col gap-2 pl-5 text-sm text-slate-700">
        <li>Open an authenticator app (1Password, Google Authenticator, Authy, Microsoft Authenticator…) and add an account.</li>
        <li>Scan this QR code, or type the setup key below.</li>
        <li>Enter the 6-digit code the app then shows.</li>
      </ol>
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start">
        {/* Drawn on the server: no outside service sees the secret. */}
        {/* eslint-disable-next-line @next/next/no-img-element */}
        <img
          src={enrolment.qrCode}
          alt="QR code of the setup key for your authenticator app"
          width={192}
          height={192}
          className="size-48 shrink-0 rounded-md border border-slate-200 bg-white p-1 [image-rendering:pixelated]"
          data-testid="two-factor-qr"
        />
        <div className="flex min-w-0 flex-col gap-1.5">
          <span className="text-sm font-medium text-slate-700">Setup key</span>
          <code className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 font-mono text-sm break-all select-all" data-testid="two-factor-secret">
            {enrolment.secret}
          </code>
          <span className="text-xs text-slate-500">Time-based, 6 digits, every 30 seconds (SHA-1): what every app assumes. Shown only during this setup.</span>
        </div>
      </div>
      {error && !fieldError && <Alert>{error}</Alert>}
      <div className="max-w-xs">
        <Field label="Code from the app" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={16} required error={fieldError} autoFocus />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={confirming} aria-busy={confirming}>
          {confirming && <Spinner />}
          {confirming ? "Checking…" : "Turn on two-factor sign-in"}
        </Button>
        <Button variant="ghost" onClick={start} disabled={starting || confirming}>
          {starting ? "Preparing…" : "Start over with a new key"}
        </Button>
      </div>
    </form>
  );
}
