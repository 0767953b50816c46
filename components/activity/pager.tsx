import Link from "next/link";
import { buttonClass } from "@/components/ui/button-styles";

/** Newer / older links of a keyset-paged feed (hrefs null where there is nothing more). */
export function Pager({ newest, newer, older }: { newest: string | null; newer: string | null; older: string | null }) {
  if (!newest && !newer && !older) return null;
  const disabled = "pointer-events-none opacity-40";
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center gap-2" data-testid="pager">
      {newest && (
        <Link href={newest} className={buttonClass("ghost", "", "sm")}>
          Newest
        </Link>
      )}
      {newer ? (
        <Link href={newer} className={buttonClass("secondary", "", "sm")} rel="prev" data-testid="page-newer">
          ← Newer
        </Link>
      ) : (
        <span aria-disabled="true" className={buttonClass("secondary", disabled, "sm")}>
          ← Newer
        </span>
      )}
      {older ? (
        <Link href={older} className={buttonClass("secondary", "", "sm")} rel="next" data-testid="page-older">
          Older →
        </Link>
      ) : (
        <span aria-disabled="true" className={buttonClass("secondary", disabled, "sm")}>
          Older →
        </span>
      )}
    </nav>
  );
}
