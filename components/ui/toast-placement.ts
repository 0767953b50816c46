"use client";

import { useLayoutEffect, useRef, useState, type RefObject } from "react";

/** Marks the element toasts hang below (the dashboard header, app/(dashboard)/layout.tsx). */
const ANCHOR = "[data-toast-anchor]";
const CONTROLS = "a[href], button, input, select, textarea, summary, [role=button], [tabindex]:not([tabindex='-1'])";
const GAP = 8;
const EDGE = 16;
const MAX_WIDTH = 448;
const FLOATING = { top: GAP, left: EDGE, width: MAX_WIDTH };

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
 * page scrolls, so a toast moves only when a control would come under it.
 * When every spot has a control (a phone scrolled into a list full of
 * buttons), no floating spot will do: "reserved" puts the toasts in the page's
 * flow at the top of the content (a sticky bar, see ToastProvider), so they
 * push what is on screen down instead of lying over it, until they are gone.
 */
export function useToastPlacement(region: RefObject<HTMLElement | null>, count: number): ToastPlacement | "reserved" {
  const [placement, setPlacement] = useState<ToastPlacement | "reserved">(FLOATING);
  // Once reserved, the toasts stay in the flow until they are all gone: moving them out again would make the page jump twice.
  const reserved = useRef(false);
  useLayoutEffect(() => {
    const root = document.documentElement;
    if (count === 0) {
      reserved.current = false;
      root.style.overflowAnchor = "";
      return;
    }
    let frame = 0;
    let current: ToastPlacement | null = null;
    const place = () => {
      frame = 0;
      const node = region.current;
      if (!node || reserved.current) return;
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
      const was = current;
      const same = was && spots.find((s) => s.top === was.top && s.left === was.left);
      const next = same && free(same) ? same : spots.find(free);
      if (!next) {
        reserved.current = true;
        // Chrome's scroll anchoring would scroll the page by the toasts' height to keep the content still, which
        // would put the content on screen back under them: off while they are in the flow.
        root.style.overflowAnchor = "none";
        setPlacement("reserved");
        return;
      }
      current = next;
      setPlacement((p) => (p !== "reserved" && p.top === next.top && p.left === next.left && p.width === next.width ? p : next));
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
  useLayoutEffect(() => () => void (document.documentElement.style.overflowAnchor = ""), []);
  // With no toast the region floats (empty), so the next toast starts from a fresh choice.
  return count === 0 ? FLOATING : placement;
}
