import Link from "next/link";
import { buttonClass } from "@/components/ui/button-styles";

export default function BotNotFound() {
  return (
    <div className="flex flex-col items-start gap-3 py-8">
      <h1 className="text-2xl font-semibold">Bot not found</h1>
      <p className="text-slate-600">This bot doesn&apos;t exist, was deleted, or belongs to another account.</p>
      <Link href="/users" className={buttonClass("secondary")}>
        Back to users &amp; bots
      </Link>
    </div>
  );
}
