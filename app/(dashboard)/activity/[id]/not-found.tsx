import Link from "next/link";
import { buttonClass } from "@/components/ui/button-styles";

export default function EventNotFound() {
  return (
    <div className="flex flex-col items-start gap-3 py-8">
      <h1 className="text-2xl font-semibold">Event not found</h1>
      <p className="text-slate-600">This event doesn&apos;t exist, was purged after the account&apos;s retention period, or belongs to another account.</p>
      <Link href="/activity" className={buttonClass("secondary")}>
        Back to activity
      </Link>
    </div>
  );
}
