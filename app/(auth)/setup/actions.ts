"use server";

import { log } from "@/lib/server/log";
import { headers } from "next/headers";
import { unstable_rethrow } from "next/navigation";
import { createFirstAccount } from "@/lib/domain/setup/create-first-account";
import { GENERIC_FAILURE } from "@/lib/server/perform-action";
import { requestContextFrom } from "@/lib/server/request-context";

export interface SetupState {
  status?: "created" | "error";
  /** Once the account exists: the form gives way to "sign in". */
  created?: { accountName: string; email: string };
  /** Why nothing was created (`invalid_input`: the fields; anything else: the link is of no use any more). */
  code?: string;
  message?: string;
  fieldErrors?: Record<string, string>;
  /** The fields as sent (never the passwords), so a refused form keeps them. */
  values: { accountName: string; name: string; email: string };
}

const text = (form: unknown, name: string): string => {
  const value = form instanceof FormData ? form.get(name) : null;
  return typeof value === "string" ? value : "";
};

/**
 * The setup page's form: creates the first account with the one-time link's
 * token. A public endpoint like every action: createFirstAccount checks the
 * token and that no account exists, under its lock, whoever calls it.
 */
export async function setupAction(_prev: SetupState, formData: FormData): Promise<SetupState> {
  const values = { accountName: text(formData, "accountName"), name: text(formData, "name"), email: text(formData, "email") };
  try {
    const result = await createFirstAccount(
      { ...values, token: text(formData, "token"), password: text(formData, "password"), confirmPassword: text(formData, "confirmPassword") },
      requestContextFrom(await headers()),
    );
    if (!result.ok) return { status: "error", values, code: result.code, message: result.message, fieldErrors: result.fieldErrors };
    return { status: "created", values, created: { accountName: result.data.accountName, email: result.data.email } };
  } catch (error) {
    unstable_rethrow(error);
    log.error("action", "setup failed", { error });
    return { status: "error", values, code: "internal", message: GENERIC_FAILURE };
  }
}
