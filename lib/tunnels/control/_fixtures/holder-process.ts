// Another instance, for live-control.test.ts: an SSH server for agents in a process of its own (its own
// held-session registry and LISTEN connection), key re-checks once an hour, so only a notification can
// end its sessions quickly. Prints its port; SIGTERM stops it.
import type { AddressInfo } from "node:net";
import { createAgentSshServer } from "@/lib/ssh/agent-ssh-server";
import { generateEd25519Key } from "@/lib/ssh/ed25519-key";

const server = createAgentSshServer({ hostKey: generateEd25519Key().private, domain: "tunnel.test", heartbeatMs: 3_600_000 });
server.listen(0, "127.0.0.1", () => console.log(`holder: SSH on port ${(server.address() as AddressInfo).port}`));
process.on("SIGTERM", () => void server.stop().finally(() => process.exit(0)));
