"use server";

import { revalidatePath } from "next/cache";
import { requireActorSettingUpTwoFactor } from "@/lib/auth/actor";
import { reissueSession } from "@/lib/auth/session-cookie";
import { fail, type Result } from "@/lib/domain/result";
import { beginTwoFactorEnrolment, type Enrolment } from "@/lib/domain/two-factor/begin-enrolment";
import { confirmTwoFactorEnrolment } from "@/lib/domain/two-factor/confirm-enrolment";
import { disableTwoFactor } from "@/lib/domain/two-factor/disable-two-factor";
import { regenerateRecoveryCodes } from "@/lib/domain/two-factor/regenerate-recovery-codes";
import { setTwoFactorRequirement } from "@/lib/domain/two-factor/set-two-factor-requirement";
import { performAction } from "@/lib/server/perform-action";

// Thin: the domain functions parse, authorize and record. Setting up is open to a
// person an account requires it of (requireActorSettingUpTwoFactor); the rest is
// the dashboard's, behind requireActor like every other action.

const revalidate = () => revalidatePath("/", "layout");
const codeOf = (input: unknown) => (typeof input === "object" && input !== null && "code" in input ? { code: (input as { code: unknown }).code } : {});

/** Starts (or starts over) setting up an authenticator app: the secret and its QR code, shown this once. */
export async function beginTwoFactorEnrolmentAction(): Promise<Result<Enrolment>> {
  return performAction("beginTwoFactorEnrolment", (actor) => beginTwoFactorEnrolment(actor), () => {}, requireActorSettingUpTwoFactor);
}

/** Confirms the setup with a current code; returns the recovery codes once and keeps this session signed in. */
export async function confirmTwoFactorEnrolmentAction(input: { code: string }): Promise<Result<{ recoveryCodes: string[] }>> {
  const result = await performAction("confirmTwoFactorEnrolment", (actor, ctx) => confirmTwoFactorEnrolment(actor, codeOf(input), ctx), revalidate, requireActorSettingUpTwoFactor);
  if (!result.ok) return result;
  // Every other session ended with the change: this one stays.
  await reissueSession(result.data.sessionVersion);
  return { ok: true, data: { recoveryCodes: result.data.recoveryCodes } };
}

export async function disableTwoFactorAction(input: { code: string }): Promise<Result<undefined>> {
  return performAction("disableTwoFactor", (actor, ctx) => disableTwoFactor(actor, codeOf(input), ctx), revalidate);
}

export async function regenerateRecoveryCodesAction(input: { code: string }): Promise<Result<{ recoveryCodes: string[] }>> {
  return performAction("regenerateRecoveryCodes", (actor, ctx) => regenerateRecoveryCodes(actor, codeOf(input), ctx), revalidate);
}

/** Owners: require (or stop requiring) two-factor sign-in for everyone in the account. */
export async function setTwoFactorRequirementAction(input: { required: boolean }): Promise<Result<{ required: boolean; peopleWithout: number }>> {
  if (typeof input !== "object" || input === null) return fail("invalid_input", "Choose on or off.");
  return performAction("setTwoFactorRequirement", (actor, ctx) => setTwoFactorRequirement(actor, { required: input.required }, ctx), revalidate);
}
