import { Button } from "@/components/ui/button";
import { plural } from "@/components/format";

/**
 * The bar above a table while rows are selected: how many, the bulk actions, and a way to clear.
 * Sticky at the top of the viewport while its table is on screen, so selecting rows low in a long
 * list does not leave the actions scrolled away.
 */
export function BulkBar({
  count,
  noun,
  testId,
  onClear,
  children,
}: {
  count: number;
  noun: { one: string; many: string };
  testId: string;
  onClear: () => void;
  children: React.ReactNode;
}) {
  return (
    <div
      role="group"
      aria-label={`Actions on the selected ${noun.many}`}
      data-testid={testId}
      className="sticky top-2 z-20 flex flex-wrap items-center gap-2 rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm shadow-sm"
    >
      <span className="mr-auto font-medium" aria-live="polite">
        {plural(count, noun.one, noun.many)} selected
      </span>
      {children}
      <Button variant="ghost" size="sm" onClick={onClear}>
        Clear selection
      </Button>
    </div>
  );
}
