import Link from "next/link";
import { buttonClass } from "@/components/ui/button-styles";

export default function NotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-3 px-4 text-center">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <p className="text-slate-600">There is nothing at this address, or it belongs to another account.</p>
      <Link href="/" className={buttonClass("secondary")}>
        Back to the overview
      </Link>
    </main>
  );
}
