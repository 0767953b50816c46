"use client";

import { useLayoutEffect, useState, type RefObject } from "react";

/** Marks the element toasts hang below (the dashboard header, app/(dashboard)/layout.tsx). */
const ANCHOR = "[data-toast-anchor]";
const CONTROLS = "a[href], button, input, select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
const GAP = 8;
const EDGE = 16;
const MAX_WIDTH = 448;

export interface ToastPlacement {
  top: number;
  left: number;
  width: number;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Whether any visible control (outside the toasts themselves) lies under `r`. */
function coversControl(r: Rect, region: HTMLElement): boolean {
  for (const el of document.querySelectorAll<HTMLElement>(CONTROLS)) {
    if (region.contains(el)) continue;
    const b = el.getBoundingClientRect();
    if (b.width === 0 || b.height === 0) continue;
    if (b.left < r.x + r.w && b.right > r.x && b.top < r.y + r.h && b.bottom > r.y) return true;
  }
  return false;
}

/**
 * Where the toasts go: the first of these spots with no control under it —
 * top center just below the header (over the page title) while the header is
 * on screen, else the top edge; then the bottom edge; on wider screens also
 * the right and left of each. A spot that is still free is kept while the
 * page scrolls, so a toast moves only when a control would come under it;
 * when every spot has one (rare: a phone full of buttons) it stays top center.
 */
export function useToastPlacement(region: RefObject<HTMLElement | null>, count: number): ToastPlacement {
  const [placement, setPlacement] = useState<ToastPlacement>({ top: GAP, left: EDGE, width: MAX_WIDTH });
  useLayoutEffect(() => {
    if (count === 0) return;
    let frame = 0;
    let current: ToastPlacement | null = null;
    const place = () => {
      frame = 0;
      const node = region.current;
      if (!node) return;
      const vw = document.documentElement.clientWidth;
      const vh = window.innerHeight;
      const width = Math.min(MAX_WIDTH, vw - 2 * EDGE);
      const height = node.offsetHeight;
      const headerBottom = document.querySelector(ANCHOR)?.getBoundingClientRect().bottom ?? 0;
      const top = Math.max(GAP, Math.round(headerBottom + GAP));
      const bottom = Math.max(top, vh - height - EDGE);
      const xs = vw >= 640 ? [(vw - width) / 2, vw - width - EDGE, EDGE] : [(vw - width) / 2];
      const spots = xs.flatMap((x) => [top, bottom].map((y) => ({ top: y, left: Math.round(x), width })));
      const free = (p: ToastPlacement) => !coversControl({ x: p.left, y: p.top, w: p.width, h: height }, node);
      const same = current && spots.find((s) => s.top === current!.top && s.left === current!.left);
      const next = same && free(same) ? same : (spots.find(free) ?? spots[0]!);
      current = next;
      setPlacement((p) => (p.top === next.top && p.left === next.left && p.width === next.width ? p : next));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(place);
    };
    place();
    window.addEventListener("scroll", schedule, { passive: true });
    window.addEventListener("resize", schedule);
    return () => {
      window.removeEventListener("scroll", schedule);
      window.removeEventListener("resize", schedule);
      if (frame) cancelAnimationFrame(frame);
    };
  }, [region, count]);
  return placement;
}
