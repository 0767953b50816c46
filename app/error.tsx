"use client";

import { useRouter } from "next/navigation";
import { startTransition, useEffect } from "react";
import { Button } from "@/components/ui/button";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/lib/server/database-unavailable";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const databaseDown = error.digest === DATABASE_UNAVAILABLE_DIGEST;
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });

  // An outage ends by itself: look again every few seconds, so the page comes back with it.
  useEffect(() => {
    if (!databaseDown) return;
    const timer = setInterval(retry, 5_000);
    return () => clearInterval(timer);
  });

  if (databaseDown) {
    return (
      <main className="flex min-h-dvh flex-col items-center justify-center gap-3 px-4 text-center" data-testid="database-unavailable">
        <h1 className="text-2xl font-semibold">Database unavailable</h1>
        <p className="max-w-md text-slate-600">
          Botdesk cannot reach its database right now. Nothing was lost; this page tries again every few seconds and
          comes back by itself once the database is reachable.
        </p>
        <Button variant="secondary" onClick={retry}>
          Try again now
        </Button>
      </main>
    );
  }
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 px-4 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="max-w-md text-slate-600">
        Botdesk could not finish this request. The error was logged on the server; try again.
        {error.digest && <span className="mt-1 block text-xs text-slate-500">Reference: {error.digest}</span>}
      </p>
      <Button variant="secondary" onClick={retry}>
        Try again
      </Button>
    </main>
  );
}
