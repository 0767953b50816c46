"use server";

import { cookies } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ACCOUNT_COOKIE, requireActor } from "@/lib/auth/actor";
import { signOut } from "@/lib/auth/config";

export async function signOutAction(): Promise<void> {
  (await cookies()).delete(ACCOUNT_COOKIE);
  await signOut({ redirectTo: "/sign-in" });
}

const switchAccountSchema = z.object({ accountId: z.string().min(1).max(64) });

/** Switches the account the dashboard shows; only to an account the person is an active member of. */
export async function switchAccountAction(formData: FormData): Promise<void> {
  const actor = await requireActor();
  const parsed = switchAccountSchema.safeParse({ accountId: formData.get("accountId") });
  if (!parsed.success || !actor.accounts.some((a) => a.id === parsed.data.accountId)) return;
  (await cookies()).set(ACCOUNT_COOKIE, parsed.data.accountId, { httpOnly: true, sameSite: "lax", path: "/" });
  revalidatePath("/", "layout");
}
