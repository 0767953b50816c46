/**
 * Botdesk's SSH server for agents, run by `npm start` as a child process (so
 * the launcher never loads Prisma) when BOTDESK_SSH_PORT is not "off":
 * `ssh -p 2222 -R 0:localhost:8080 agent@host` with a key registered as an SSH
 * credential opens a tunnel session (lib/ssh/agent-ssh-server.ts). Exits with
 * its parent (exit-with-parent.cjs). A port already in use is reported and the
 * rest of Botdesk runs on without SSH.
 */
import path from "node:path";
import { readEnv } from "../lib/env";
import { createAgentSshServer } from "../lib/ssh/agent-ssh-server";
import { ensureHostKey } from "../lib/ssh/host-key";

const say = (line: string) => console.log(`[botdesk] ${line}`);
const env = readEnv();
if (env.BOTDESK_SSH_PORT === "off") process.exit(0);
const port = env.BOTDESK_SSH_PORT;
const hostKey = ensureHostKey(path.resolve(process.cwd(), env.BOTDESK_DATA_DIR));
if (hostKey.generated) say(`SSH host key generated in ${hostKey.file}.`);
const server = createAgentSshServer({ hostKey: hostKey.key, domain: env.BOTDESK_SSH_DOMAIN, log: (line) => say(line) });
server.on("error", (error: NodeJS.ErrnoException) => {
  say(error.code === "EADDRINUSE" ? `SSH server not started: port ${port} is in use (set BOTDESK_SSH_PORT, or "off").` : `SSH server stopped: ${error.message}`);
  process.exit(0);
});
server.listen(port, () => say(`SSH server for agents on port ${port}: ssh -p ${port} -R 0:localhost:8080 agent@<host>`));
// Stopping Botdesk ends this server's sessions at once (recorded), rather than leaving them to the sweep.
const stop = () => void server.stop().finally(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
// `npm start` keeps a pipe on our stdin: when it dies, even by SIGKILL, the pipe closes and we go too
// (as exit-with-parent.cjs does for Next.js; preloading that file stalls tsx's loader here).
if (process.env.BOTDESK_EXIT_WITH_PARENT === "1") {
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
