"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useId, useRef, useState } from "react";

export interface MainNavItem {
  href: string;
  label: string;
}

const isCurrent = (href: string, pathname: string) => (href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`));

/**
 * The main navigation, each link marked as the current page (aria-current) on its own path and
 * below it. From the sm breakpoint up it is a row that wraps (never a sideways scroll); below it
 * a "Menu" button (aria-expanded) opens it as a full-width list under the header. The open menu
 * closes on Escape (focus back on the button), on choosing a link and when the page changes.
 * Renders as two flex items (button, nav) of the header's row, so the header can place them.
 */
export function MainNav({ items }: { items: MainNavItem[] }) {
  const pathname = usePathname();
  // The path the menu was opened on: navigating elsewhere closes it without an effect.
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();

  return (
    <>
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpenOn(open ? null : pathname)}
        className="ml-auto inline-flex min-h-10 items-center gap-2 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 hover:bg-slate-50 max-sm:order-2 sm:hidden"
        data-testid="nav-menu-button"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-4" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round">
          {open ? <path d="M5 5l10 10M15 5L5 15" /> : <path d="M3 5h14M3 10h14M3 15h14" />}
        </svg>
        Menu
      </button>
      <nav
        id={id}
        aria-label="Main"
        onKeyDown={(e) => {
          if (e.key === "Escape" && open) {
            setOpenOn(null);
            button.current?.focus();
          }
        }}
        className={`${open ? "flex" : "hidden"} text-sm max-sm:order-last max-sm:basis-full max-sm:flex-col max-sm:border-t max-sm:border-slate-200 max-sm:pt-2 sm:flex sm:flex-wrap sm:items-center sm:gap-x-4 sm:gap-y-1`}
      >
        {items.map((i) => (
          <Link
            key={i.href}
            href={i.href}
            aria-current={isCurrent(i.href, pathname) ? "page" : undefined}
            onClick={() => setOpenOn(null)}
            className="rounded-sm text-slate-700 hover:text-slate-900 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700 max-sm:rounded-md max-sm:px-2 max-sm:py-2.5 max-sm:hover:bg-slate-50 max-sm:aria-[current=page]:bg-indigo-50"
          >
            {i.label}
          </Link>
        ))}
      </nav>
    </>
  );
}
