import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { actorOf, createTestAccount, createTestBot } from "./factories";
import { sshKeygen } from "./ssh-keys";

let keys = 0;

/**
 * A new account whose owner gave a bot an SSH key (ssh-keygen's own, ACL
 * `acl`), its private key written to a file in `dir` (mode 600) for `ssh -i`.
 */
export async function botWithSshKey(dir: string, acl: string[] = []) {
  const { account, owner } = await createTestAccount();
  const admin = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const key = sshKeygen("ed25519");
  const created = await createCredential(admin, { kind: "ssh_key", ownerId: bot.id, publicKey: key.publicKey, acl }, { ip: null, userAgent: null });
  if (!created.ok) throw new Error(created.message);
  const file = path.join(dir, `key${++keys}-${process.pid}`);
  writeFileSync(file, key.privateKey);
  chmodSync(file, 0o600);
  return { account, admin, bot, key, file, credentialId: created.data.credential.id };
}
