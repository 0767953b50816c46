import { Prisma } from "@/lib/db/generated/client";
import { fail, type Result } from "@/lib/domain/result";

export const BOT_NOT_FOUND = "Bot not found";

export const botNameTaken = (name: string): Result<never> =>
  fail("bot_name_taken", `A bot named "${name}" already exists in this account`, {
    name: "That name is taken by another bot in this account (names ignore case)",
  });

/** Whether a write failed on the (account, lower(name)) unique index. */
export function isNameConflict(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export const botNotFound = (): Result<never> => fail("not_found", BOT_NOT_FOUND);
