"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useTransition } from "react";

export type ParamUpdates = Record<string, string | number | null | undefined>;

/**
 * Builds links to this page with some search params changed (null or "" removes
 * one), and navigates to them in a transition, so state kept in the URL can be
 * bookmarked and back/forward restore it. `pending` is true until the new page
 * has rendered.
 */
export function useUrlState() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();

  const hrefWith = useCallback(
    (updates: ParamUpdates) => {
      const next = new URLSearchParams(searchParams.toString());
      for (const [key, value] of Object.entries(updates)) {
        if (value === null || value === undefined || value === "") next.delete(key);
        else next.set(key, String(value));
      }
      const qs = next.toString();
      return qs ? `${pathname}?${qs}` : pathname;
    },
    [pathname, searchParams],
  );

  const navigate = useCallback(
    (updates: ParamUpdates) => {
      const href = hrefWith(updates);
      startTransition(() => router.push(href, { scroll: false }));
    },
    [hrefWith, router],
  );

  return { hrefWith, navigate, pending, searchParams, pathname };
}

/** Whether a click should be left to the browser (new tab, new window, download). */
export function isModifiedClick(e: React.MouseEvent): boolean {
  return e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey;
}
