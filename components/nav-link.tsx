"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/** A main-navigation link, marked as the current page (aria-current) on its own path and below it. */
export function NavLink({ href, children }: { href: string; children: React.ReactNode }) {
  const pathname = usePathname();
  const current = href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={current ? "page" : undefined}
      className="rounded-sm text-slate-700 hover:text-slate-900 aria-[current=page]:font-semibold aria-[current=page]:text-indigo-700"
    >
      {children}
    </Link>
  );
}
