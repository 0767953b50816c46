import { Prisma } from "@/lib/db/generated/client";
import { db } from "@/lib/db/client";
import { fail, type Result } from "@/lib/domain/result";
import { botNameKeys } from "@/lib/validation/name-keys";

export const BOT_NOT_FOUND = "Bot not found";

export const BOT_NAME_TAKEN_MESSAGE = "That name is taken by another bot in this account (names ignore case)";

/** The field message when a name is taken by `holder`'s name: the same ignoring case, or a look-alike of it. */
export function botNameTakenMessage(name: string, holder: string | null): string {
  if (holder === null || holder.toLowerCase() === name.toLowerCase()) return BOT_NAME_TAKEN_MESSAGE;
  return `That name looks like "${holder}", another bot in this account: names must differ by more than case, look-alike or invisible characters`;
}

export const botNameTaken = (name: string, holder: string | null = null): Result<never> =>
  fail(
    "bot_name_taken",
    holder === null || holder.toLowerCase() === name.toLowerCase()
      ? `A bot named "${name}" already exists in this account`
      : `"${name}" looks like "${holder}", the name of another bot in this account`,
    { name: botNameTakenMessage(name, holder) },
  );

/**
 * The answer to a name that failed on one of the name keys' unique indexes,
 * naming the live bot of the account that holds the name (or a look-alike of
 * it), so the person knows which bot theirs would be confused with.
 */
export async function botNameTakenIn(accountId: string, name: string): Promise<Result<never>> {
  const { nameKey, nameSkeleton, nameSkeletonLower } = botNameKeys(name);
  const holder = await db().principal.findFirst({
    where: { accountId, kind: "bot", deletedAt: null, OR: [{ nameKey }, { nameSkeleton }, { nameSkeletonLower }] },
    orderBy: { createdAt: "asc" },
    select: { name: true },
  });
  return botNameTaken(name, holder?.name ?? null);
}

/** Whether a write failed on a unique index of the bot's name keys ((account, name_key) or a skeleton). */
export function isNameConflict(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

export const botNotFound = (): Result<never> => fail("not_found", BOT_NOT_FOUND);
