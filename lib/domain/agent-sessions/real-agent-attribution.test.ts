import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { issueSecret } from "@/lib/domain/credentials/token-format";
import { createTestPerson } from "@/lib/test-support/factories";
import { botWithToken, eventsOf, latestSession, NO_CTX, RECHECK_MS, refusal, sdkSession, withAgentListener } from "@/lib/test-support/ngrok-agents";

// Who a session belongs to, and what cannot end it, with ngrok's own agent SDK (@ngrok/ngrok) against a
// real agent listener (its credential re-check every RECHECK_MS).
const h = withAgentListener();

describe("a real agent's session", () => {
  it("is a person's when it presents a member's own authtoken (attributed to the member, no bot)", async () => {
    const { account, admin } = await botWithToken();
    const member = await createTestPerson(account.id, "member");
    const created = await createCredential(admin, { kind: "authtoken", ownerId: member.id }, NO_CTX);
    if (!created.ok) throw new Error(created.message);
    const agent = await sdkSession(h, created.data.token!).connect();
    try {
      const row = await latestSession(account.id);
      expect(row).toMatchObject({ principalId: member.id, credentialId: created.data.credential.id, endedAt: null });
      const [started] = await eventsOf(account.id, "agent.session_started");
      expect(started).toMatchObject({ principalId: member.id, source: "agent", credentialId: created.data.credential.id, subjectId: row!.id, botId: null });
    } finally {
      await agent.close();
    }
  });

  it("is not ended by another connection presenting a wrong secret for its authtoken's id (refused ERR_NGROK_107, proves nothing)", async () => {
    const { account, token, credentialId } = await botWithToken();
    const agent = await sdkSession(h, token).connect();
    try {
      const open = await latestSession(account.id);
      // Well formed, the right credential id and checksum, another secret.
      const forged = issueSecret("authtoken", credentialId).token;
      expect((await refusal(sdkSession(h, forged).connect())).code).toBe("ERR_NGROK_107");
      await new Promise((r) => setTimeout(r, RECHECK_MS * 4));
      expect((await db().tunnelSession.findUniqueOrThrow({ where: { id: open!.id } })).endedAt).toBeNull();
      expect(await db().tunnelSession.count({ where: { accountId: account.id } })).toBe(1);
    } finally {
      await agent.close();
    }
  });
});
