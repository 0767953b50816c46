import Link from "next/link";
import { connection } from "next/server";
import { buttonClass } from "@/components/ui/button-styles";

export default async function NotFound() {
  // Rendered per request, not prerendered: every page's Content-Security-Policy (proxy.ts) allows only scripts
  // carrying that request's nonce, and a prerendered page's scripts carry none (the browser refused all of them).
  await connection();
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
