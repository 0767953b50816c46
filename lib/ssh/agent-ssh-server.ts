import { UNKNOWN_PLATFORM } from "@/lib/domain/agent-sessions/session-view";
import { createHash } from "node:crypto";
import ssh2 from "ssh2";
import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import type { CredentialActor, RequestContext } from "@/lib/domain/access/types";
import { bindEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { endSessionOfRefusedCredential } from "@/lib/domain/agent-sessions/end-refused-session";
import { endSession } from "@/lib/domain/agent-sessions/end-session";
import { reportSession } from "@/lib/domain/agent-sessions/heartbeat";
import { HEARTBEAT_INTERVAL_SECONDS } from "@/lib/domain/agent-sessions/limits";
import { startSession } from "@/lib/domain/agent-sessions/start-session";
import { stopSessions } from "@/lib/domain/agent-sessions/stop-sessions";
import { randomTunnelHostname } from "@/lib/domain/domains/random-tunnel-hostname";
import { trafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { registerEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { holdSession } from "@/lib/tunnels/control/held-sessions";
import { describeEndReason } from "@/lib/tunnels/control/end-reason";
import { SESSION_USER_AGENT_MAX } from "@/lib/validation/agent-sessions";
import { unbindEndpoint } from "@/lib/domain/agent-sessions/unbind-endpoint";
import { consumeRateLimit } from "@/lib/domain/access/rate-limit";
import { createConnectionGate, gatedListening, throttledLog, type ConnectionGate } from "@/lib/server/connection-gate";

/** Defaults: signed in within 10 s of connecting (BOTDESK_HANDSHAKE_TIMEOUT_SECONDS), 1,024 connections, 256 of them from one address (BOTDESK_MAX_CONNECTIONS_PER_IP). */
export const SSH_SERVER_DEFAULTS = { handshakeTimeoutMs: 10_000, maxConnections: 1_024, maxConnectionsPerIp: 256, maxSessionsPerKey: 10, maxBindsPerMinute: 60 } as const;

export interface AgentSshServerOptions {
  /** The server's private host key (OpenSSH or PEM). */
  hostKey: string | Buffer;
  /** How often an open SSH session re-checks its key and heartbeats (default HEARTBEAT_INTERVAL_SECONDS). */
  heartbeatMs?: number;
  /** Hostnames given to tunnels that ask for none: `<random>.<domain>` (randomTunnelHostname). */
  domain: string;
  /** BOTDESK_TCP_PORTS: a `-R PORT:…` forward on a port in this range is served by the TCP ingress on that port. */
  tcpPorts?: { from: number; to: number } | "off";
  /** Where the ingress serves HTTP(S) endpoints (`http://<host>:8000`): said to the client after each bind. Unset: not said. */
  ingressUrl?: (hostname: string) => string;
  /** Time from the connection's first byte to signed in (a signature being checked is waited for); then it is closed. */
  handshakeTimeoutMs?: number;
  /** Connections held at once, and from one client address (counted under the process's cap too); more are closed at once. */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /** Sessions one SSH key may hold open (across every instance), and binds it may make a minute: the authtokens' caps (BOTDESK_AGENT_MAX_*). */
  maxSessionsPerKey?: number;
  maxBindsPerMinute?: number;
  /** Instead of the two connection caps: a gate of the caller's. */
  gate?: ConnectionGate;
  log?: (line: string) => void;
}

/** OpenSSH's fingerprint of a public key blob: `SHA256:` and unpadded base64 (as lib/domain/credentials/ssh-key.ts stores it). */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside an SSH public key blob (its first string). */
function keyTypeOf(blob: Buffer): string {
  const length = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + length).toString("latin1");
}

/**
 * The hostname `-R [bind_address:]port:host:hostport` names, lowercase; null when it names none
 * (empty, `localhost`, an IP address): Botdesk then hands out a random one (randomTunnelHostname).
 */
export function namedHostname(bindAddr: string): string | null {
  const named = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(bindAddr) && !/^[\d.]+$/.test(bindAddr);
  return named ? bindAddr.toLowerCase() : null;
}

/** The endpoint URL Botdesk binds for a hostname and the port `-R` asked for. */
export function endpointUrlFor(hostname: string, bindPort: number): string {
  return bindPort === 0 || bindPort === 80 || bindPort === 443 ? `https://${hostname}` : `tcp://${hostname}:${bindPort}`;
}

/**
 * Botdesk's SSH server for agents: `ssh -p PORT -R 0:localhost:8080 user@host`
 * signs in with a public key registered as an SSH credential (looked up by
 * fingerprint after the client proved it holds the private key; a user name
 * `ac_…` picks the account when the key is registered in several), and each
 * `-R` starts (once) a tunnel session with transport `ssh` attributed to the
 * key's owner and binds an endpoint through the same bindEndpoint, ACL and
 * hostname rules as ngrok's agents (a named host must be reserved by the account;
 * an unnamed one gets randomTunnelHostname); the shell channel says what was bound. While connected, every
 * heartbeat interval the key is checked again: once refused (owner
 * deactivated or deleted, key revoked or expired) the session ends
 * (`credential_refused`) and the connection is dropped. Closing the
 * connection ends the session (`agent_closed`). Each bound HTTP(S) endpoint
 * is served by the ingress (registered in lib/tunnels/registry): a connection
 * to its host opens a forwarded-tcpip channel to the `ssh -R` client, which
 * connects it to its local service; the endpoint stops serving when the
 * forward is cancelled or the connection goes, and the session's metered
 * traffic is written before the session is recorded as ended.
 */
export function createAgentSshServer(opts: AgentSshServerOptions): ssh2.Server & { stop(): Promise<void> } {
  const log = opts.log ?? (() => {});
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_INTERVAL_SECONDS * 1000;
  /** Each live connection's way to end its session and go, for stop(). */
  const live = new Set<() => Promise<void>>();
  const handshakeTimeoutMs = opts.handshakeTimeoutMs ?? SSH_SERVER_DEFAULTS.handshakeTimeoutMs;
  const gate =
    opts.gate ??
    createConnectionGate({
      total: opts.maxConnections ?? SSH_SERVER_DEFAULTS.maxConnections,
      perAddress: opts.maxConnectionsPerIp ?? SSH_SERVER_DEFAULTS.maxConnectionsPerIp,
      name: "SSH server",
      log,
    });
  /** Connections not signed in yet, by `address:port` (as ssh2 reports them), each with its deadline. */
  const signingIn = new Map<string, Deadline>();
  /** Connection errors (a handshake cut off, a reset) are what a flood repeats: said a few times a minute at most. */
  const connectionError = throttledLog(log);
  const server = new ssh2.Server({ hostKeys: [opts.hostKey], ident: "Botdesk" }, (client, info) => {
    const deadline = signingIn.get(`${info.ip}:${info.port}`);
    const ctx: RequestContext = { ip: info.ip?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1") ?? null, userAgent: info.header?.versions?.software?.slice(0, 64) ?? null };
    const clientComment = info.header?.comments?.slice(0, 32).replace(/[^\x20-\x7e]/g, "") ?? "";
    // The client's whole identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6`): its session's user agent.
    const identification = info.header?.identRaw?.replace(/[^\x20-\x7e]/g, "").slice(0, SESSION_USER_AGENT_MAX) ?? "";
    let actor: CredentialActor | null = null;
    let fingerprint = "";
    let keyBlob: Buffer | undefined;
    let accountId: string | null = null;
    let sessionId: string | null = null;
    let closed = false;
    /** Live control's hold on the session (lib/tunnels/control): released when the session ends here. */
    let release = () => {};
    const bound: string[] = [];
    /** The ingress's way to stop serving each forward, by `bindAddr:port` (the port given to the client). */
    const serving = new Map<string, () => void>();
    /** The endpoint each forward bound, by the same key: a cancel ends it (unbindEndpoint), as ngrok's Unbind does. */
    const forwarded = new Map<string, string>();
    const channels: ssh2.ServerChannel[] = [];
    const say = (line: string) => {
      for (const ch of channels) if (ch.writable) ch.write(`${line}\r\n`);
    };
    let timer: NodeJS.Timeout | undefined;
    let queue = Promise.resolve();
    /** Work on one connection runs in order (a forward and a heartbeat never interleave). */
    const serial = (work: () => Promise<void>) => {
      queue = queue.then(work).catch((error: unknown) => log(`ssh connection from ${ctx.ip}: ${error instanceof Error ? error.message : String(error)}`));
      return queue;
    };

    client.on("authentication", (auth) => {
      if (auth.method !== "publickey") return auth.reject(["publickey"]);
      const blob = auth.key.data;
      const print = fingerprintOf(blob);
      const named = /^ac_[0-9A-Za-z]{1,40}$/.test(auth.username) ? auth.username : null;
      if (!auth.signature) {
        // The client asks whether this key may try: let every key sign, so possession is proven before anything is decided or recorded.
        return auth.accept();
      }
      const parsed = ssh2.utils.parseKey(`${keyTypeOf(blob)} ${blob.toString("base64")}`);
      if (parsed instanceof Error || !auth.blob || parsed.verify(auth.blob, auth.signature, auth.hashAlgo) !== true) return auth.reject(["publickey"]);
      // The client did its part: the check below is Botdesk's, waited for; after a refusal (or a failed
      // check) trying again is within the deadline's rest only.
      deadline?.hold();
      void serial(async () => {
        try {
          // The one credential check, as for API keys and authtokens (a refusal of a known key recorded once, capped).
          const verified = await authenticateCredential({ sshKey: { fingerprint: print, blob, accountId: named } }, { source: "agent", path: "ssh", ctx });
          if (!verified.ok) {
            log(`ssh key ${print} from ${ctx.ip} refused: ${verified.message}`);
            return auth.reject(["publickey"]);
          }
          actor = verified.actor;
          fingerprint = print;
          keyBlob = blob;
          accountId = verified.actor.account.id;
          deadline?.clear();
          auth.accept();
        } finally {
          deadline?.release();
        }
      });
    });

    client.on("ready", () => {
      deadline?.clear();
      timer = setInterval(() => void serial(heartbeat), heartbeatMs);
      timer.unref();
    });

    /** Re-checks the key and keeps the session alive; a refused key ends the session and the connection. */
    async function heartbeat(): Promise<void> {
      if (closed || !actor) return;
      const verified = await authenticateCredential({ sshKey: { fingerprint, blob: keyBlob, accountId } }, { source: "agent", path: "ssh", ctx });
      if (!verified.ok) {
        // Unknown now means deleted (with its bot): it was known when the connection signed in.
        release();
        if (sessionId) await endSessionOfRefusedCredential(actor.credential.id, verified.reason, sessionId, ctx);
        say(`Botdesk: the SSH key was refused (${verified.message}); the tunnel session has ended.`);
        closed = true;
        stopServing();
        for (const ch of channels) {
          ch.exit(1);
          ch.end();
        }
        // Let the message reach the client before the connection goes.
        setTimeout(() => client.end(), 100).unref();
        return;
      }
      actor = verified.actor;
      if (sessionId) await reportSession(actor, sessionId);
    }

    client.on("request", (accept, reject, name, info) => {
      if (name === "cancel-tcpip-forward") {
        // OpenSSH cancels a `-R 0:…` forward by the port it was given (443), others by the port asked.
        const { bindAddr, bindPort } = info as { bindAddr: string; bindPort: number };
        const key = `${bindAddr}:${bindPort === 0 ? 443 : bindPort}`;
        serving.get(key)?.();
        serving.delete(key);
        const endpointId = forwarded.get(key);
        forwarded.delete(key);
        if (endpointId) {
          void serial(async () => {
            if (!actor || !sessionId || closed) return;
            const ended = await unbindEndpoint(actor, ctx, sessionId, endpointId);
            if (!ended.ok) log(`ssh: cancelling ${key} in session ${sessionId}: ${ended.message}`);
          });
        }
        return accept?.();
      }
      if (name !== "tcpip-forward" || !actor) return reject?.();
      const { bindAddr, bindPort } = info as { bindAddr: string; bindPort: number };
      void serial(async () => {
        if (!actor) return reject?.();
        if (!sessionId) {
          // An SSH client tells its software and a free comment (e.g. "OpenSSH_9.2p1" "Debian-2+deb12u3": the
          // package's build, not the OS): both are the client's version; its OS and architecture are unknown.
          const clientVersion = [ctx.userAgent, clientComment].filter(Boolean).join(" ").slice(0, 64) || "ssh";
          const started = await startSession(
            actor,
            ctx,
            { agent_version: clientVersion, os: UNKNOWN_PLATFORM, arch: UNKNOWN_PLATFORM, user_agent: identification },
            { transport: "ssh", maxOpenPerCredential: opts.maxSessionsPerKey ?? SSH_SERVER_DEFAULTS.maxSessionsPerKey },
          );
          if (!started.ok) {
            say(`Botdesk: could not start a tunnel session: ${started.message}`);
            return reject?.();
          }
          sessionId = started.data.id;
          release = holdSession({
            sessionId,
            credentialId: actor.credential.id,
            principalId: actor.principal.id,
            accountId: actor.account.id,
            stop: stopByControl,
          });
        }
        // The authtokens' cap on binds a minute, per key: a client asking for forwards in a loop gets refusals.
        const maxBinds = opts.maxBindsPerMinute ?? SSH_SERVER_DEFAULTS.maxBindsPerMinute;
        const flood = await consumeRateLimit(`agent-binds:${actor.credential.id}`, maxBinds, 60);
        if (flood.limited) {
          say(`Botdesk: this SSH key made more than ${maxBinds} binds in a minute (BOTDESK_AGENT_MAX_BINDS_PER_MINUTE): try again in ${flood.retryAfterSeconds} s. ERR_NGROK_5001`);
          return reject?.();
        }
        // A named host follows the hostname rules (reserved by the account); an unnamed one gets a random name.
        const named = namedHostname(bindAddr);
        const url = endpointUrlFor(named ?? (await randomTunnelHostname(undefined, opts.domain)), bindPort);
        const result = await bindEndpoint(actor, ctx, sessionId, { url }, { assignedHostname: named === null });
        if (!result.ok) {
          say(`Botdesk: ${result.message}`);
          return reject?.();
        }
        bound.push(result.data.url ?? url);
        const allocatedPort = bindPort === 0 ? 443 : bindPort;
        forwarded.set(`${bindAddr}:${allocatedPort}`, result.data.id);
        serve(result.data.id, result.data.url ?? url, bindAddr, bindPort, allocatedPort);
        say(`Botdesk: tunnel session ${sessionId}: forwarding ${result.data.url}`);
        const served = new URL(result.data.url ?? url);
        if (opts.ingressUrl && served.protocol !== "tcp:") say(`Botdesk: open ${opts.ingressUrl(served.hostname)}`);
        accept?.(allocatedPort);
      });
    });

    /**
     * Lets the ingress serve an HTTP(S) endpoint this connection bound: each incoming connection becomes a
     * forwarded-tcpip channel to the client, for the address and port its `-R` named (OpenSSH matches on them).
     * A TCP forward (`tcp://host:port`) is carried by the TCP ingress when its port is in BOTDESK_TCP_PORTS;
     * one outside that range is recorded but not carried (the port is not the ingress's to serve).
     */
    function serve(endpointId: string, endpointUrl: string, bindAddr: string, bindPort: number, allocatedPort: number): void {
      const parsed = new URL(endpointUrl);
      if (!sessionId || !actor) return;
      const range = opts.tcpPorts;
      const tcp = parsed.protocol === "tcp:" && range !== undefined && range !== "off" && bindPort >= range.from && bindPort <= range.to;
      if (parsed.protocol !== "https:" && parsed.protocol !== "http:" && !tcp) return;
      const unregister = registerEndpoint({
        endpointId,
        sessionId,
        accountId: actor.account.id,
        principalId: actor.principal.id,
        proto: tcp ? "tcp" : parsed.protocol === "https:" ? "https" : "http",
        ...(tcp ? { tcpPort: bindPort } : { hostname: parsed.hostname }),
        url: endpointUrl,
        open: ({ clientAddr }) =>
          new Promise((resolve, reject) => {
            if (closed) return reject(new Error("the SSH connection has ended"));
            client.forwardOut(bindAddr, allocatedPort, clientAddr || "0.0.0.0", 0, (error, channel) => (error ? reject(error) : resolve(channel)));
          }),
      });
      if (!unregister) return log(`ssh: ${tcp ? `port ${bindPort}` : parsed.hostname} is already served in this process; not serving it for session ${sessionId}`);
      serving.set(`${bindAddr}:${allocatedPort}`, unregister);
    }

    client.on("session", (accept) => {
      const session = accept();
      session.on("pty", (ok) => ok?.());
      session.on("env", (ok) => ok?.());
      const open = (stream: ssh2.ServerChannel) => {
        void serial(async () => {
          stream.write(`Botdesk: signed in as ${actor?.principal.name ?? "?"} with SSH key ${fingerprint}\r\n`);
          if (bound.length === 0) stream.write("Botdesk: no tunnel yet: connect with -R 0:localhost:PORT\r\n");
          for (const url of bound) stream.write(`Botdesk: tunnel session ${sessionId}: forwarding ${url}\r\n`);
          // From now on, each bind and refusal is said as it happens.
          channels.push(stream);
        });
        // Ctrl-C or "exit" typed in the session ends the connection.
        stream.on("data", (data: Buffer) => {
          if (data.includes(3) || data.includes(4)) client.end();
        });
      };
      session.on("shell", (ok) => {
        const stream = ok?.();
        if (stream) open(stream);
      });
      session.on("exec", (ok) => {
        const stream = ok?.();
        if (stream) open(stream);
      });
    });

    /**
     * Live control ended the session (its owner deactivated or deleted, its key revoked,
     * deleted or expired, the stop API): the row is already recorded as ended; the endpoints
     * stop serving at once, the client is told why and the connection goes.
     */
    function stopByControl(reason: string): Promise<void> {
      closed = true;
      stopServing();
      return serial(async () => {
        if (sessionId) await trafficMeter().flush(sessionId);
        say(`Botdesk: ${describeEndReason(reason, "SSH key")}; the tunnel session has ended.`);
        for (const ch of channels) {
          ch.exit(1);
          ch.end();
        }
        // Let the message reach the client before the connection goes.
        setTimeout(() => client.end(), 100).unref();
      });
    }

    const stopServing = () => {
      for (const unregister of serving.values()) unregister();
      serving.clear();
    };
    const finish = () => {
      if (timer) clearInterval(timer);
      release();
      stopServing();
      const wasClosed = closed;
      closed = true;
      const id = sessionId;
      if (id) {
        const a = actor;
        void serial(async () => {
          // What the session carried is written before it is recorded as ended.
          await trafficMeter().flush(id);
          if (a && !wasClosed) await endSession(a, ctx, id);
        });
      }
    };
    const stopConnection = () =>
      serial(async () => {
        release();
        stopServing();
        if (sessionId) await trafficMeter().flush(sessionId);
        if (!closed && sessionId) await stopSessions([sessionId], ctx);
        closed = true;
        say("Botdesk: the SSH server is stopping; the tunnel session has ended.");
        for (const ch of channels) ch.end();
        // Let the message reach the client before the connection goes (ending at once can drop it).
        await new Promise((resolve) => setTimeout(resolve, 100));
        client.end();
      });
    live.add(stopConnection);
    client.on("close", () => {
      live.delete(stopConnection);
      finish();
    });
    client.on("error", (error) => connectionError(`ssh connection from ${ctx.ip}: ${error.message}`));
  });
  // Connections are accepted in front of ssh2: each counted by the gate (over its caps, closed before a byte is
  // read), then it must be signed in within the handshake timeout (one that never sends its banner included).
  const listening = gatedListening(server, gate, (socket) => {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    const deadline = new Deadline(handshakeTimeoutMs, () => socket.destroy());
    signingIn.set(key, deadline);
    socket.once("close", () => {
      deadline.clear();
      signingIn.delete(key);
    });
    server.injectSocket(socket);
  });
  /** Stops listening, ends every open session of this server (`server_stopped`) and closes its connections. */
  const stop = async () => {
    listening.close();
    await Promise.all([...live].map((end) => end()));
  };
  return Object.assign(server, listening, { stop });
}

/**
 * A connection's time to sign in: it expires after `ms` unless cleared (signed in); while a
 * signature is being checked (held) it waits for the check, and expires at its release if late.
 */
class Deadline {
  private readonly timer: NodeJS.Timeout;
  private held = 0;
  private late = false;
  private done = false;

  constructor(
    ms: number,
    private readonly expire: () => void,
  ) {
    this.timer = setTimeout(() => {
      this.late = true;
      if (this.held === 0) this.fire();
    }, ms);
    this.timer.unref();
  }

  hold(): void {
    this.held++;
  }

  release(): void {
    this.held = Math.max(0, this.held - 1);
    if (this.late && this.held === 0) this.fire();
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private fire(): void {
    if (this.done) return;
    this.done = true;
    this.expire();
  }
}
