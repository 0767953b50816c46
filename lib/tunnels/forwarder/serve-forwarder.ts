import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import os from "node:os";
import { endInstanceSessions } from "@/lib/domain/agent-sessions/end-instance-sessions";
import { readEnv } from "@/lib/env";
import { isEveryInterface } from "@/lib/server/bind-host";
import { setThisInstanceAddress } from "@/lib/server/instance-address";
import { log } from "@/lib/server/log";
import { stopBeforeExit } from "@/lib/server/stop-before-exit";
import { createForwardListener } from "./forward-listener";
import { forwardingKey } from "./protocol";
import { remoteLookup, type RemoteLookup } from "./remote-endpoints";

const STARTED = Symbol.for("botdesk.forwarder");
type Flagged = typeof globalThis & { [STARTED]?: RemoteLookup | null };

/**
 * The address other instances reach a forwarder on `port` at:
 * BOTDESK_INSTANCE_ADDRESS, else BOTDESK_HOST; listening on every interface
 * (a deployment open to the network, perhaps on several machines) it is the
 * machine's name (os.hostname()), so two machines never share a default
 * address (an instance starting at an address ends the sessions recorded
 * there). The launcher's embedded default binds loopback: 127.0.0.1.
 */
export function instanceAddressFor(setting: string | undefined, host: string | undefined, port: number, machine = os.hostname()): string {
  if (setting) return setting;
  const shown = isEveryInterface(host || undefined) ? machine || "127.0.0.1" : host!.replace(/^\[|\]$/g, "");
  return isIP(shown) === 6 ? `[${shown}]:${port}` : `${shown}:${port}`;
}

/**
 * The instance-to-instance forwarder in the web server's process (started once
 * from listeners.ts, BEFORE the agent listener and the SSH server, so every
 * session they start records this instance's address): listens on
 * BOTDESK_FORWARD_PORT at BOTDESK_HOST, ends the sessions a previous life left
 * open at this address, and gives the ingress the lookup that finds endpoints
 * held by other instances. Off ("off", no AUTH_SECRET, or its port in use: said
 * on the console): sessions record no address, and requests for endpoints held
 * elsewhere are answered ERR_NGROK_3200 as before.
 */
export async function serveForwarderInThisProcess(): Promise<RemoteLookup | undefined> {
  const flagged = globalThis as Flagged;
  if (flagged[STARTED] !== undefined) return flagged[STARTED] ?? undefined;
  flagged[STARTED] = null;
  const env = readEnv();
  const say = (line: string) => log.info("botdesk", line);
  if (env.BOTDESK_FORWARD_PORT === "off") return undefined;
  if (!env.AUTH_SECRET) {
    say("Forwarder between instances not started: AUTH_SECRET is not set (instances authenticate each other with it).");
    return undefined;
  }
  const key = forwardingKey(env.AUTH_SECRET);
  const listener = createForwardListener({ key, log: say });
  const port = env.BOTDESK_FORWARD_PORT;
  const bound = await new Promise<number | null>((resolve) => {
    listener.once("error", (error: NodeJS.ErrnoException) => {
      say(
        error.code === "EADDRINUSE"
          ? `Forwarder between instances not started: port ${port} is in use (set BOTDESK_FORWARD_PORT, or "off"); requests for endpoints whose agent is on another instance answer ERR_NGROK_3200 here.`
          : `Forwarder between instances not started: ${error.message}`,
      );
      resolve(null);
    });
    listener.listen({ port, host: env.BOTDESK_HOST, exclusive: true }, () => resolve((listener.address() as AddressInfo).port));
  });
  if (bound === null) return undefined;
  listener.on("error", (error: Error) => say(`Forwarder between instances: ${error.message}`));
  const address = instanceAddressFor(env.BOTDESK_INSTANCE_ADDRESS, env.BOTDESK_HOST, bound);
  try {
    const ended = await endInstanceSessions(address);
    if (ended.length > 0) say(`Forwarder between instances: ended ${ended.length} session(s) a previous run at ${address} left open.`);
  } catch (error) {
    // Not fatal: the holder answers "not here" for them, and the heartbeat sweep ends them.
    say(`Forwarder between instances: ending the sessions a previous run left open failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  setThisInstanceAddress(address);
  say(`Forwarder between instances on port ${bound}: other instances on this database reach this one at ${address} (BOTDESK_INSTANCE_ADDRESS).`);
  const lookup = remoteLookup({ key, self: address, domain: env.BOTDESK_TUNNEL_DOMAIN });
  flagged[STARTED] = lookup;
  stopBeforeExit(
    async () => {
      setThisInstanceAddress(null);
      await listener.stop();
    },
    (error) => say(`Forwarder between instances: stopping failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  return lookup;
}

/** The lookup of endpoints held by other instances, once serveForwarderInThisProcess started the forwarder. */
export function remoteLookupOfThisProcess(): RemoteLookup | undefined {
  return (globalThis as Flagged)[STARTED] ?? undefined;
}
