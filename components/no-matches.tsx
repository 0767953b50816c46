import Link from "next/link";

/** A filtered table's empty state: nothing matched, and a link that clears the filters. */
export function NoMatches({ noun, clearHref, filters = "this filter" }: { noun: string; clearHref: string; filters?: "this filter" | "these filters" }) {
  return (
    <p>
      No {noun} match {filters}.{" "}
      <Link href={clearHref} scroll={false} className="font-medium text-indigo-700 underline">
        Clear the {filters === "this filter" ? "filter" : "filters"}
      </Link>
    </p>
  );
}
