"use client";

import { lazy, Suspense, useSyncExternalStore, type ComponentType } from "react";

const noSubscription = () => () => {};

/**
 * A dialog whose code loads after the page instead of with it (issue 11's first-load JS budget):
 * rendered on the client only, so the server sends nothing for it and the page's scripts don't
 * include it; the code is fetched as the page hydrates. A closed dialog shows nothing, so its late
 * arrival changes nothing on screen. Like next/dynamic with ssr: false, without next/dynamic's own
 * runtime (about 2 kB gzipped).
 */
export function lazyDialog<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  const Lazy = lazy(async () => ({ default: await load() })) as unknown as ComponentType<P>;
  function LazyDialog(props: P) {
    const onClient = useSyncExternalStore(noSubscription, () => true, () => false);
    return onClient ? (
      <Suspense fallback={null}>
        <Lazy {...props} />
      </Suspense>
    ) : null;
  }
  return LazyDialog;
}
