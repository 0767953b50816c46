import { expect, test } from "@playwright/test";
import { newId } from "../../lib/ids";
import { closeDatabase, COOKIE_PRINCIPALS, createFixture, digest, type CookiePrincipal, type Fixture, insertBot, insertCredential, insertPerson, insertEventStream, insertReservedDomain, sessionCookie } from "./fixture";
import { type ActionAnswer, callAction, Form } from "./http";
import { serverActions } from "./inventory";

/**
 * The authorization matrix of every server action the production build serves
 * (read from its manifest): each action × every cookie principal, with the exact
 * answer, the database unchanged whenever the principal may not change it, and
 * another account's ids answered exactly like ids that do not exist.
 */

interface Targets {
  botId: string;
  personId: string;
  credentialId: string;
  accountId: string;
  domainId: string;
  destinationId: string;
  subscriptionId: string;
}

interface ActionEntry {
  args: (t: Targets) => unknown[];
  /** The exact outcome per principal (see outcomeOf). */
  expect: Record<CookiePrincipal, string>;
  /** Who may change the database with this call (everyone else must leave it as it was). */
  changes: CookiePrincipal[];
  /** The call names another account's rows: compare otherAdmin's answer with the one for ids that do not exist. */
  foreignIds?: boolean;
  read?: (a: ActionAnswer) => string;
}

const NOT_ADMITTED = {
  anonymous: "redirect:/sign-in",
  // The person's only membership is deactivated: no account left to show.
  deactivated: "redirect:/sign-in?error=no_account",
  signedOut: "redirect:/sign-in?error=ended",
} as const;

/** An admin-only change of rows in the account: members refused, another account's admin told "not found". */
const adminOnly = (foreign = "refused:not_found"): Pick<ActionEntry, "expect" | "changes" | "foreignIds"> => ({
  expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: foreign },
  changes: ["admin", "owner"],
  foreignIds: true,
});

const same = (outcome: string, signedIn = outcome): Record<CookiePrincipal, string> => ({
  anonymous: outcome, deactivated: outcome, signedOut: outcome, member: signedIn, admin: signedIn, owner: signedIn, otherAdmin: signedIn,
});

const NOT_OWNER_RETENTION = "Only owners can change how long the account keeps its events.";
const NOT_OWNER_ACCOUNT = "Only owners can change the account's name, seat limit and quotas.";
const unique = () => Math.random().toString(36).slice(2, 10);
const CREDENTIAL_FORM = { kind: "authtoken", description: "matrix", metadata: "", acl: "", publicKey: "", expiry: "never", expiresOn: "" };

/** Keyed by the manifest's `file#exportedName`. */
const ACTIONS: Record<string, ActionEntry> = {
  "app/(dashboard)/actions.ts#signOutAction": {
    args: () => [],
    expect: same("redirect:/sign-in"),
    changes: ["member", "admin", "owner", "otherAdmin"], // ends the session everywhere (session_version)
  },
  "app/(dashboard)/actions.ts#switchAccountAction": {
    args: (t) => [new Form({ accountId: t.accountId })],
    expect: { ...NOT_ADMITTED, member: "void", admin: "void", owner: "void", otherAdmin: "void" },
    changes: [],
    foreignIds: true,
  },
  "app/(auth)/choose-password/actions.ts#choosePasswordAction": {
    args: () => [null, new Form({ newPassword: "a-new-password-123", confirmPassword: "a-new-password-123" })],
    expect: { ...NOT_ADMITTED, member: "redirect:/", admin: "redirect:/", owner: "redirect:/", otherAdmin: "redirect:/" },
    changes: [],
  },
  "app/(auth)/sign-in/actions.ts#signInAction": {
    args: () => [null, new Form({ login: `nobody-${unique()}@example.test`, password: "wrong-password-123" })],
    expect: same("error:Wrong email or password."),
    changes: [],
    read: (a) => (a.result?.error ? `error:${a.result.error}` : outcomeOf(a)),
  },
  // Creates the first account, with the setup link's token, only on a database without any: refused to everyone here.
  "app/(auth)/setup/actions.ts#setupAction": {
    args: () => [null, new Form({ token: "A".repeat(43), accountName: "Matrix", name: "Matrix Owner", email: `matrix-${unique()}@example.test`, password: "a-new-password-123", confirmPassword: "a-new-password-123" })],
    expect: same("error:already_set_up"),
    changes: [],
    read: (a) => (a.result?.status === "error" ? `error:${a.result.code}` : outcomeOf(a)),
  },
  "app/(auth)/sign-in/two-factor/actions.ts#secondFactorAction": {
    // Without a pending sign-in (the httpOnly cookie of a right password) a code completes nothing, for anyone.
    args: () => [null, new Form({ code: "123456" })],
    expect: same("error:Your sign-in took too long or was already completed. Sign in again."),
    changes: [],
    read: (a) => (a.result?.error ? `error:${a.result.error}` : outcomeOf(a)),
  },
  "app/(auth)/sign-in/actions.ts#signInWithProviderAction": {
    args: () => [new Form({ provider: "no-such-provider" })],
    expect: same("void"),
    changes: [],
  },
  "app/(dashboard)/activity/actions.ts#setEventRetentionAction": {
    args: () => [null, new Form({ days: String(300 + Math.floor(Math.random() * 99)) })],
    expect: { ...NOT_ADMITTED, member: "error:not_owner", admin: "error:not_owner", owner: "saved", otherAdmin: "error:not_owner" },
    changes: ["owner"],
    read: (a) => (a.result?.status ? `${a.result.status}${a.result.status === "error" ? `:${a.result.message === NOT_OWNER_RETENTION ? "not_owner" : a.result.message}` : ""}` : outcomeOf(a)),
  },
  "app/(dashboard)/settings/account-actions.ts#updateAccountAction": {
    args: () => [null, new Form({ name: `Hardening A ${unique()}`, seatLimit: "100000", sessions: "50", endpoints: "20", bandwidthGb: "100", apiRequests: "1000000" })],
    expect: { ...NOT_ADMITTED, member: "error:not_owner", admin: "error:not_owner", owner: "saved", otherAdmin: "error:not_owner" },
    changes: ["owner"],
    read: (a) => (a.result?.status ? `${a.result.status}${a.result.status === "error" ? `:${a.result.message === NOT_OWNER_ACCOUNT ? "not_owner" : a.result.message}` : ""}` : outcomeOf(a)),
  },
  "app/(dashboard)/credentials/actions.ts#createCredentialAction": {
    args: (t) => [null, new Form({ ...CREDENTIAL_FORM, ownerId: t.botId })],
    ...adminOnly(),
  },
  "app/(dashboard)/credentials/actions.ts#rotateCredentialAction": {
    args: (t) => [{ id: t.credentialId, grace: "0" }],
    ...adminOnly(),
    expect: { ...adminOnly().expect, member: "refused:not_found" },
  },
  "app/(dashboard)/credentials/actions.ts#revokeCredentialsAction": {
    args: (t) => [{ ids: [t.credentialId] }],
    ...adminOnly(),
    // A member may see a bot's credentials but not revoke them: told "not found", like anyone else's.
    expect: { ...adminOnly().expect, member: "refused:not_found" },
  },
  "app/(dashboard)/settings/domains/actions.ts#reserveDomainAction": {
    args: () => [null, new Form({ domain: `matrix-${unique()}.example.com`, description: "matrix" })],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" }, // in their own account
    changes: ["admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/settings/domains/actions.ts#deleteReservedDomainAction": {
    args: (t) => [{ id: t.domainId }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/event-streams/actions.ts#createDestinationAction": {
    args: () => [null, new Form({ kind: "webhook", url: `https://203.0.113.10/matrix-${unique()}`, description: "matrix" })],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" }, // in their own account
    changes: ["admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/settings/event-streams/actions.ts#deleteDestinationAction": {
    args: (t) => [{ id: t.destinationId }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/event-streams/actions.ts#sendTestEventAction": {
    args: (t) => [{ id: t.destinationId }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/event-streams/actions.ts#redeliverAction": {
    args: (t) => [{ id: t.destinationId, since: "2020-01-01T00:00:00.000Z" }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/event-streams/actions.ts#createSubscriptionAction": {
    // No destination named: a subscription of the caller's own account.
    args: () => [null, new Form({ destinationId: "", description: "matrix", types: "bot_user_created.v0" })],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" },
    changes: ["admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/settings/event-streams/actions.ts#deleteSubscriptionAction": {
    args: (t) => [{ id: t.subscriptionId }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/actions.ts#changePasswordAction": {
    args: () => [null, new Form({ currentPassword: "not-the-password-1", newPassword: "a-new-password-123", confirmPassword: "a-new-password-123" })],
    expect: { ...NOT_ADMITTED, member: "error:currentPassword", admin: "error:currentPassword", owner: "error:currentPassword", otherAdmin: "error:currentPassword" },
    changes: [],
    read: (a) => (a.result?.status ? `${a.result.status}:${Object.keys(a.result.fieldErrors ?? {}).join(",")}` : outcomeOf(a)),
  },
  "app/(dashboard)/users/actions.ts#createBotAction": {
    args: () => [null, new Form({ name: `matrix-${unique()}` })],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" }, // in their own account
    changes: ["admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/users/actions.ts#renameBotAction": {
    args: (t) => [null, new Form({ id: t.botId, name: `matrix-${unique()}` })],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#updateBotDetailsAction": {
    args: (t) => [null, new Form({ id: t.botId, description: `matrix-${unique()}`, contact: "#matrix" })],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#setBotsActiveAction": {
    args: (t) => [{ ids: [t.botId], active: false }],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#deactivationImpactAction": {
    // A read (what a deactivation would stop): another account's ids count nothing, like ids of nobody.
    args: (t) => [{ ids: [t.botId, t.personId] }],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" },
    changes: [],
    foreignIds: true,
  },
  "app/(dashboard)/users/actions.ts#deleteBotsAction": {
    args: (t) => [{ ids: [t.botId] }],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#addPersonAction": {
    args: () => [null, new Form({ email: `matrix-${unique()}@example.test`, name: "Matrix Person", role: "member" })],
    expect: { ...NOT_ADMITTED, member: "refused:not_admin", admin: "ok", owner: "ok", otherAdmin: "ok" }, // in their own account
    changes: ["admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/users/actions.ts#changeRoleAction": {
    args: (t) => [{ personId: t.personId, role: "admin" }],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#setPersonActiveAction": {
    args: (t) => [{ personId: t.personId, active: false }],
    ...adminOnly(),
  },
  "app/(dashboard)/users/actions.ts#removePersonAction": {
    args: (t) => [{ personId: t.personId }],
    ...adminOnly(),
  },
  "app/(dashboard)/settings/two-factor-actions.ts#beginTwoFactorEnrolmentAction": {
    args: () => [],
    expect: { ...NOT_ADMITTED, member: "ok", admin: "ok", owner: "ok", otherAdmin: "ok" }, // their own setup
    changes: ["member", "admin", "owner", "otherAdmin"],
  },
  "app/(dashboard)/settings/two-factor-actions.ts#confirmTwoFactorEnrolmentAction": {
    // Not a code: refused whether or not a setup was begun (no_enrolment or wrong_code), nothing turned on.
    args: () => [{ code: "not-a-code" }],
    expect: { ...NOT_ADMITTED, member: "refused:code", admin: "refused:code", owner: "refused:code", otherAdmin: "refused:code" },
    changes: [],
    read: (a) => (a.result && a.result.ok === false && ["no_enrolment", "wrong_code"].includes(a.result.code) ? "refused:code" : outcomeOf(a)),
  },
  "app/(dashboard)/settings/two-factor-actions.ts#disableTwoFactorAction": {
    args: () => [{ code: "123456" }],
    expect: { ...NOT_ADMITTED, member: "refused:not_enrolled", admin: "refused:not_enrolled", owner: "refused:not_enrolled", otherAdmin: "refused:not_enrolled" },
    changes: [],
  },
  "app/(dashboard)/settings/two-factor-actions.ts#regenerateRecoveryCodesAction": {
    args: () => [{ code: "123456" }],
    expect: { ...NOT_ADMITTED, member: "refused:not_enrolled", admin: "refused:not_enrolled", owner: "refused:not_enrolled", otherAdmin: "refused:not_enrolled" },
    changes: [],
  },
  "app/(dashboard)/settings/two-factor-actions.ts#setTwoFactorRequirementAction": {
    // Off, as it is: the owner's call succeeds and changes nothing (on would send the matrix's people to set it up).
    args: () => [{ required: false }],
    expect: { ...NOT_ADMITTED, member: "refused:not_owner", admin: "refused:not_owner", owner: "ok", otherAdmin: "refused:not_owner" },
    changes: [],
  },
  "app/(dashboard)/users/actions.ts#stopTunnelSessionAction": {
    // The fixture holds no tunnel session: every signed-in caller is told "not found", as for one they may not stop; nothing changes.
    args: () => [{ id: newId("tunnelSession") }],
    expect: { ...NOT_ADMITTED, member: "refused:not_found", admin: "refused:not_found", owner: "refused:not_found", otherAdmin: "refused:not_found" },
    changes: [],
  },
  "app/(dashboard)/users/actions.ts#resetTwoFactorAction": {
    // The fresh target has no second factor: admins and owners are told so; another account's admin "not found".
    args: (t) => [{ personId: t.personId }],
    ...adminOnly(),
    expect: { ...adminOnly().expect, admin: "refused:not_enrolled", owner: "refused:not_enrolled" },
  },
  "app/(dashboard)/users/actions.ts#resetPasswordAction": {
    args: (t) => [{ personId: t.personId }],
    ...adminOnly(),
  },
};

const PARTS = ["principals", "memberships", "credentials", "accounts", "reserved domains", "event streams", "events"];
const changedParts = (a: string, b: string) => PARTS.filter((_, i) => a.split("|")[i] !== b.split("|")[i]).join(", ");

/** `redirect:<to>`, `status:<n>`, `void`, `ok` or `refused:<code>`; a form state's `result` is read. */
function outcomeOf(a: ActionAnswer): string {
  if (a.redirect) return `redirect:${a.redirect}`;
  if (a.status !== 200) return `status:${a.status}`;
  let r = a.result;
  if (r && typeof r === "object" && "result" in r) r = r.result;
  if (r === undefined || r === null) return "void";
  if (r.ok === true) return "ok";
  if (r.ok === false) return `refused:${r.code}`;
  return `value:${JSON.stringify(r)}`;
}

async function freshTargets(f: Fixture): Promise<Targets> {
  const botId = await insertBot(f.accountA);
  return {
    botId,
    personId: (await insertPerson(f.accountA, "member")).id,
    credentialId: await insertCredential(f.accountA, botId),
    accountId: f.accountA,
    domainId: await insertReservedDomain(f.accountA),
    ...(await insertEventStream(f.accountA)),
  };
}

const missingTargets = (): Targets => ({
  botId: newId("bot"),
  personId: newId("person"),
  credentialId: newId("authtoken"),
  accountId: newId("account"),
  domainId: newId("reservedDomain"),
  destinationId: newId("eventDestination"),
  subscriptionId: newId("eventSubscription"),
});

/** The answer with the ids it was given replaced, so two calls with different ids compare. */
const normalized = (a: ActionAnswer, t: Targets) =>
  JSON.stringify({ status: a.status, redirect: a.redirect, result: a.result }).replaceAll(t.botId, "<bot>").replaceAll(t.personId, "<person>").replaceAll(t.credentialId, "<credential>").replaceAll(t.accountId, "<account>").replaceAll(t.domainId, "<domain>").replaceAll(t.destinationId, "<destination>").replaceAll(t.subscriptionId, "<subscription>").replace(/matrix-[a-z0-9]+/g, "<name>");

test.afterAll(closeDatabase);

test("every server action refuses whom it must, exactly, and changes nothing when it does", async ({ request }) => {
  test.setTimeout(120_000);
  const inventory = serverActions();
  const built = inventory.map((a) => a.key);
  expect(built.filter((k) => !ACTIONS[k]), "server actions in the build without a matrix entry").toEqual([]);
  const stale = Object.keys(ACTIONS).filter((k) => !built.includes(k));
  if (stale.length > 0) console.warn(`[matrix] entries for server actions this build does not have: ${stale.join(", ")}`);

  const fixture = await createFixture();
  // The signed-out principal signs out through the product, then its old cookie is kept.
  const signOut = inventory.find((a) => a.key.endsWith("#signOutAction"))!;
  const oldCookie = await sessionCookie(fixture, "signedOut");
  expect((await callAction(request, signOut, [], oldCookie)).redirect).toBe("/sign-in");
  const cookieOf = async (who: CookiePrincipal) => (who === "signedOut" ? oldCookie : sessionCookie(fixture, who));

  const mismatches: string[] = [];
  let cells = 0;
  for (const action of inventory) {
    const entry = ACTIONS[action.key]!;
    const read = entry.read ?? outcomeOf;
    for (const who of COOKIE_PRINCIPALS) {
      const targets = await freshTargets(fixture);
      const cookie = await cookieOf(who);
      const before = await digest();
      const answer = await callAction(request, action, entry.args(targets), cookie);
      const after = await digest();
      const changed = after !== before;
      cells++;
      const outcome = read(answer);
      if (outcome !== entry.expect[who]) mismatches.push(`${action.key} as ${who}: ${outcome} (expected ${entry.expect[who]})`);
      if (changed && !entry.changes.includes(who)) mismatches.push(`${action.key} as ${who}: changed the database (answered ${outcome}; ${changedParts(before, after)})`);
      if (who === "otherAdmin" && entry.foreignIds) {
        const missing = missingTargets();
        const before2 = await digest();
        const answer2 = await callAction(request, action, entry.args(missing), await cookieOf(who));
        if ((await digest()) !== before2) mismatches.push(`${action.key} with ids that do not exist: changed the database`);
        if (normalized(answer, targets) !== normalized(answer2, missing)) {
          mismatches.push(`${action.key}: another account's ids answered ${normalized(answer, targets)}, ids that do not exist ${normalized(answer2, missing)}`);
        }
      }
    }
  }
  console.log(`[matrix] ${inventory.length} server actions × ${COOKIE_PRINCIPALS.length} principals = ${cells} cells`);
  expect(mismatches).toEqual([]);
});
