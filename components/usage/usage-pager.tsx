import Link from "next/link";
import { buttonClass } from "@/components/ui/button-styles";

/** Where a page of /usage's principals sits ("51–100 of 9,904") and the links to the pages around it (null where there is none). */
export function UsagePager({ start, shown, count, first, previous, next }: { start: number; shown: number; count: number; first: string | null; previous: string | null; next: string | null }) {
  if (count === 0) return null;
  const disabled = "pointer-events-none opacity-40";
  const end = start + shown - 1;
  return (
    <nav aria-label="Pages of bots and people" className="mt-3 flex flex-wrap items-center gap-2" data-testid="usage-pager">
      <p className="mr-auto text-sm text-slate-600" data-testid="usage-range">
        {shown === count ? `All ${count.toLocaleString("en")}` : `${start.toLocaleString("en")}–${end.toLocaleString("en")} of ${count.toLocaleString("en")}`}
      </p>
      {first && (
        <Link href={first} className={buttonClass("ghost", "", "sm")} data-testid="usage-page-first">
          First
        </Link>
      )}
      {previous ? (
        <Link href={previous} className={buttonClass("secondary", "", "sm")} rel="prev" data-testid="usage-page-previous">
          ← Previous
        </Link>
      ) : (
        <span aria-disabled="true" className={buttonClass("secondary", disabled, "sm")}>
          ← Previous
        </span>
      )}
      {next ? (
        <Link href={next} className={buttonClass("secondary", "", "sm")} rel="next" data-testid="usage-page-next">
          Next →
        </Link>
      ) : (
        <span aria-disabled="true" className={buttonClass("secondary", disabled, "sm")}>
          Next →
        </span>
      )}
    </nav>
  );
}
