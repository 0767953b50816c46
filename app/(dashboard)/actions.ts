"use server";

import { cookies, headers } from "next/headers";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { ACCOUNT_COOKIE, getActor, requireActor } from "@/lib/auth/actor";
import { signOut } from "@/lib/auth/config";
import { cookieAttributes, isHttps } from "@/lib/auth/session-cookie";
import { signOutEverywhere } from "@/lib/domain/people/end-sessions";
import { formFields } from "@/lib/server/form-fields";

/**
 * Signs out here and ends every other copy of this session (see signOutEverywhere), first, so a
 * database it cannot reach leaves the person signed in and told so; Auth.js's signOut event
 * (lib/auth/config.ts) then finds the session ended already.
 */
export async function signOutAction(): Promise<void> {
  const admission = await getActor();
  if (admission?.ok) await signOutEverywhere(admission.value);
  (await cookies()).delete({ name: ACCOUNT_COOKIE, ...cookieAttributes(ACCOUNT_COOKIE, isHttps(await headers())) });
  await signOut({ redirectTo: "/sign-in" });
}

const switchAccountSchema = z.object({ accountId: z.string().min(1).max(64) });

/** Switches the account the dashboard shows; only to an account the person is an active member of. */
export async function switchAccountAction(formData: FormData): Promise<void> {
  const actor = await requireActor();
  const parsed = switchAccountSchema.safeParse({ accountId: formFields(formData)("accountId") });
  if (!parsed.success || !actor.accounts.some((a) => a.id === parsed.data.accountId)) return;
  (await cookies()).set(ACCOUNT_COOKIE, parsed.data.accountId, cookieAttributes(ACCOUNT_COOKIE, isHttps(await headers())));
  revalidatePath("/", "layout");
}
