import type { Duplex } from "node:stream";
import { authenticateCredential } from "@/lib/domain/access/authenticate-credential";
import { consumeRateLimit } from "@/lib/domain/access/rate-limit";
import type { CredentialActor, RequestContext } from "@/lib/domain/access/types";
import { endSessionOfRefusedCredential } from "@/lib/domain/agent-sessions/end-refused-session";
import { endSession } from "@/lib/domain/agent-sessions/end-session";
import { reportSession } from "@/lib/domain/agent-sessions/heartbeat";
import { stopSessions } from "@/lib/domain/agent-sessions/stop-sessions";
import { trafficMeter } from "@/lib/tunnels/metering/traffic-meter";
import { describeEndReason } from "@/lib/tunnels/control/end-reason";
import { holdSession } from "@/lib/tunnels/control/held-sessions";
import { unbindEndpoint } from "@/lib/domain/agent-sessions/unbind-endpoint";
import { registerEndpoint, type LiveEndpoint } from "@/lib/tunnels/registry/live-endpoints";
import { answerHeartbeat, answerJson, ErrorCode, MuxadoSession, openTypedStream, proxyHeader, readJson, readStreamType, StreamType, type MuxadoStream } from "@/lib/tunnels/muxado";
import { bindEndpoint, type BoundEndpoint } from "@/lib/domain/agent-sessions/bind-endpoint";
import { agentErrorCode, AUTH_REFUSAL_CODES, bindLabeledSchema, bindSchema, errorAnswer, firstProblem, NOT_SUPPORTED, protectingOption, unbindSchema } from "./messages";
import { authAgent } from "./auth-agent";
import { bindAsked } from "./bind-asked";

/** What one connection needs from its listener. */
export interface AgentConnectionOptions {
  /** `<random>.<domain>` for binds that name no hostname; the host of TCP endpoints' addresses. */
  domain: string;
  /** Ports for TCP endpoints, or "off". */
  tcpPorts: { from: number; to: number } | "off";
  /** The URL the ingress serves a hostname at (`http://name:8000`, `https://name`). */
  publicUrl: (hostname: string) => string;
  /** How often the credential is checked again and the session kept alive. */
  recheckMs: number;
  /** Time from the TCP accept to a finished Auth. */
  handshakeTimeoutMs: number;
  maxSessionsPerToken: number;
  maxBindsPerMinute: number;
  log: (line: string) => void;
}

/** One bound endpoint of this connection: the agent's id for it, the database's, and the way to stop serving it. */
interface Binding {
  agentId: string;
  endpoint: BoundEndpoint;
  unregister: () => void;
}

const MAX_STREAMS_BEFORE_AUTH = 4;

/** How long a refused agent is given to read its answer before the connection closes. */
const REFUSAL_LINGER_MS = 1_000;

/**
 * One agent's connection, after TLS: a muxado session on which the agent
 * opens the heartbeat stream (echoed), then Auth, then one stream per Bind,
 * BindLabeled or Unbind; Botdesk opens a Proxy stream per connection the ingress hands it.
 * Every decision is a domain function's: authenticateCredential (the one
 * credential check), startSession, bindEndpoint (ACL and hostname rules),
 * reportSession, endSession. Work on one connection runs in order.
 */
/** How long a session ended by a change keeps its connection after the GOAWAY (the frame is written; open transfers then end). */
const CUT_AFTER_MS = 200;

export class AgentConnection {
  private readonly session: MuxadoSession;
  private readonly ctx: RequestContext;
  private actor: CredentialActor | null = null;
  private secret = "";
  private sessionId: string | null = null;
  private authStarted = false;
  private ended = false;
  /** Live control's hold on the session (lib/tunnels/control), released when it ends any other way. */
  private releaseHold: () => void = () => {};
  private readonly bindings = new Map<string, Binding>();
  private recheckTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private lastBeatAt = Date.now();
  private readonly handshakeTimer: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private streamsBeforeAuth = 0;

  constructor(
    socket: Duplex & { remoteAddress?: string },
    private readonly opts: AgentConnectionOptions,
  ) {
    const ip = socket.remoteAddress?.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1").slice(0, 64) ?? null;
    this.ctx = { ip, userAgent: null };
    // After Auth, one stream per bind and proxied connection.
    this.session = new MuxadoSession(socket, { side: "server", maxStreams: 1024 });
    this.handshakeTimer = setTimeout(() => {
      if (!this.authStarted) this.close(`no Auth within ${opts.handshakeTimeoutMs} ms`);
    }, opts.handshakeTimeoutMs);
    this.handshakeTimer.unref();
    this.session.on("stream", (stream: MuxadoStream) => void this.accept(stream));
    this.session.on("protocolError", (error: Error) => this.opts.log(`agent connection from ${ip}: ${error.message}`));
    this.session.once("close", () => this.finish());
  }

  /** Work on one connection runs in order: a bind, a heartbeat and the end never interleave. */
  private serial(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => this.opts.log(`agent connection from ${this.ctx.ip}: ${error instanceof Error ? error.message : String(error)}`));
    return this.queue;
  }

  private async accept(stream: MuxadoStream): Promise<void> {
    // Before Auth an agent needs two streams (heartbeat, Auth): a few more are tolerated, not a thousand buffers.
    if (!this.actor && ++this.streamsBeforeAuth > MAX_STREAMS_BEFORE_AUTH) {
      stream.destroy();
      return;
    }
    let type: number;
    try {
      type = await readStreamType(stream, this.opts.handshakeTimeoutMs);
    } catch {
      stream.destroy();
      return;
    }
    if (type === StreamType.HEARTBEAT) {
      return answerHeartbeat(stream, () => {
        this.lastBeatAt = Date.now();
      });
    }
    if (type === StreamType.PROXY) {
      // Proxy streams are the server's to open.
      stream.destroy();
      return;
    }
    let request: unknown;
    try {
      request = await readJson(stream, { timeoutMs: this.opts.handshakeTimeoutMs });
    } catch (error) {
      answerJson(stream, errorAnswer(`Botdesk could not read the request: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    if (type === StreamType.AUTH) return void this.serial(() => this.auth(stream, request));
    if (type === StreamType.SRV_INFO) return answerJson(stream, { Region: "local" });
    const unsupported = NOT_SUPPORTED[type];
    if (unsupported) return answerJson(stream, errorAnswer(unsupported));
    if (type !== StreamType.BIND && type !== StreamType.BIND_LABELED && type !== StreamType.UNBIND) {
      return answerJson(stream, errorAnswer(`Request type ${type} is not supported by Botdesk.`));
    }
    if (!this.actor) return answerJson(stream, errorAnswer("Authenticate first (Auth) on this session."));
    const work = type === StreamType.BIND ? this.bind : type === StreamType.BIND_LABELED ? this.bindLabeled : this.unbind;
    void this.serial(() => work.call(this, stream, request));
  }

  private async auth(stream: MuxadoStream, request: unknown): Promise<void> {
    if (this.authStarted || this.ended) return answerJson(stream, errorAnswer("This session is already authenticated."));
    this.authStarted = true;
    // The agent did its part in time: the checks below are Botdesk's (a slow database must not cut the agent off).
    clearTimeout(this.handshakeTimer);
    const admitted = await authAgent(request, this.ctx, { maxSessionsPerToken: this.opts.maxSessionsPerToken });
    if (!admitted.ok) {
      this.opts.log(`agent from ${this.ctx.ip} refused: ${admitted.message}`);
      answerJson(stream, errorAnswer(admitted.message, admitted.code));
      // Closed once the agent has read why.
      setTimeout(() => this.close("refused"), REFUSAL_LINGER_MS).unref();
      return;
    }
    if (this.ended) {
      // The connection went while the session started: end it at once.
      await endSession(admitted.actor, this.ctx, admitted.session.id);
      return;
    }
    this.actor = admitted.actor;
    this.secret = admitted.secret;
    this.sessionId = admitted.session.id;
    // Live control (lib/tunnels/control): a deactivation, deletion, revocation, expiry or stop on any instance ends it at once.
    this.releaseHold = holdSession({
      sessionId: admitted.session.id,
      credentialId: admitted.actor.credential.id,
      principalId: admitted.actor.principal.id,
      accountId: admitted.actor.account.id,
      stop: (reason) => this.stopByControl(reason),
    });
    answerJson(stream, admitted.answer);
    this.recheckTimer = setInterval(() => void this.serial(() => this.recheck()), this.opts.recheckMs);
    this.recheckTimer.unref();
    this.watchHeartbeats(admitted.heartbeat.intervalNs, admitted.heartbeat.toleranceNs);
  }

  /**
   * The agent's heartbeats are its sign of life: none for its own interval
   * plus tolerance (nanoseconds in Auth; each kept within 1 s to 10 min) and
   * the connection is over. @ngrok/ngrok 1.7.0's `session.close()` unbinds and
   * stops heartbeating but leaves the TLS connection open: this ends it.
   */
  private watchHeartbeats(intervalNs: number, toleranceNs: number): void {
    const ms = (ns: number, fallback: number) => Math.min(Math.max(Number.isFinite(ns) && ns > 0 ? ns / 1e6 : fallback, 1_000), 600_000);
    const allowedMs = ms(intervalNs, 10_000) + ms(toleranceNs, 15_000);
    this.lastBeatAt = Date.now();
    this.livenessTimer = setInterval(() => {
      if (Date.now() - this.lastBeatAt > allowedMs) this.close(`no heartbeat for ${Math.round(allowedMs / 1000)} s`);
    }, Math.min(allowedMs / 4, 5_000));
    this.livenessTimer.unref();
  }

  /** The heartbeat re-check: the credential again (a refused one ends the session and the connection), then the session kept alive. */
  private async recheck(): Promise<void> {
    const actor = this.actor;
    const sessionId = this.sessionId;
    if (this.ended || !actor || !sessionId) return;
    const verified = await authenticateCredential({ secret: this.secret, kinds: ["authtoken"] }, { source: "agent", path: "ngrok-agent", ctx: this.ctx });
    if (!verified.ok) {
      // What the session carried is written before it is recorded as ended.
      this.releaseHold();
      this.unregisterAll();
      await trafficMeter().flush(sessionId);
      await endSessionOfRefusedCredential(actor.credential.id, verified.reason, sessionId, this.ctx);
      this.opts.log(`agent session ${sessionId} ended: ${verified.message}`);
      this.close(`${verified.message} (${AUTH_REFUSAL_CODES[verified.reason]})`, { recorded: true, cut: true });
      return;
    }
    this.actor = verified.actor;
    const reported = await reportSession(verified.actor, sessionId);
    if (reported.ok) return;
    // Ended elsewhere (the sweep, a stop on another path): nothing left to carry. Refused otherwise (the owner
    // deactivated as it ran): the connection's end ends the session as the credential check would (endSession).
    const over = reported.code === "session_ended" || reported.code === "session_not_found";
    this.close(reported.message, { recorded: over });
  }

  private async bind(stream: MuxadoStream, request: unknown): Promise<void> {
    const actor = this.actor!;
    const parsed = bindSchema.safeParse(request);
    if (!parsed.success) return answerJson(stream, errorAnswer(`Botdesk could not read the Bind message: ${firstProblem(parsed.error)}`));
    const bind = parsed.data;
    const proto = bind.Proto.toLowerCase();
    if (proto !== "http" && proto !== "https" && proto !== "tcp") {
      return answerJson(stream, errorAnswer(`${bind.Proto.slice(0, 16) || "This"} endpoints are not supported by Botdesk: bind http, https or tcp.`));
    }
    const protecting = protectingOption(bind);
    if (protecting) {
      return answerJson(stream, errorAnswer(`${protecting} is not supported by Botdesk: the endpoint would be served without it. Bind without it, and protect the service itself.`));
    }
    if (bind.Id && this.bindings.has(bind.Id)) return answerJson(stream, errorAnswer(`This session already has a tunnel ${bind.Id}.`));
    const flood = await this.bindFlood(actor);
    if (flood) return answerJson(stream, flood);
    const bound = await bindAsked(actor, this.ctx, this.sessionId!, bind, this.opts);
    if (!bound.ok) return answerJson(stream, errorAnswer(bound.message, agentErrorCode(bound.code)));
    // The connection went while the bind ran: its session's end (queued after this) ends the endpoint; serve nothing.
    if (this.ended) return;
    const endpoint = bound.data;
    const agentId = bind.Id || endpoint.id;
    const url = endpoint.url!;
    const tcpPort = proto === "tcp" ? Number(new URL(url).port) : undefined;
    const live: LiveEndpoint = {
      endpointId: endpoint.id,
      sessionId: endpoint.sessionId,
      accountId: actor.account.id,
      principalId: actor.principal.id,
      proto,
      hostname: proto === "tcp" ? undefined : (endpoint.hostname ?? undefined),
      tcpPort,
      url,
      open: (conn) => this.openProxy(agentId, conn),
    };
    const unregister = registerEndpoint(live);
    if (!unregister) {
      // The database allowed it, so this process's map is stale only if an ended session did not unregister: never serve two.
      await unbindEndpoint(actor, this.ctx, endpoint.sessionId, endpoint.id);
      return answerJson(stream, errorAnswer(`The endpoint ${url} is already served here.`, "ERR_NGROK_334"));
    }
    this.bindings.set(agentId, { agentId, endpoint, unregister });
    answerJson(stream, { Id: agentId, URL: url, Proto: bind.Proto, Opts: bind.Opts, Extra: { Token: "" } });
  }

  /** Why this bind is one too many for the authtoken this minute (BOTDESK_AGENT_MAX_BINDS_PER_MINUTE, labeled binds included), or null. */
  /** The refusal of a bind (plain or labeled) over the authtoken's binds per minute, or null. */
  private async bindFlood(actor: CredentialActor): Promise<{ Error: string } | null> {
    const flood = await consumeRateLimit(`agent-binds:${actor.credential.id}`, this.opts.maxBindsPerMinute, 60);
    if (!flood.limited) return null;
    return errorAnswer(`This authtoken made more than ${this.opts.maxBindsPerMinute} binds in a minute (BOTDESK_AGENT_MAX_BINDS_PER_MINUTE): try again in ${flood.retryAfterSeconds} s.`, "ERR_NGROK_5001");
  }

  /**
   * BindLabeled: an endpoint with labels and no URL, bound through
   * bindEndpoint (the label rules of the authtoken's ACL, ERR_NGROK_399 when
   * one is missing; `agent.endpoint_bound`). ngrok routes to labels from its
   * edges; Botdesk has none, so the endpoint is recorded and listed with its
   * session but carries no traffic: nothing is registered for the ingress.
   * Unbind ends it like any other.
   */
  private async bindLabeled(stream: MuxadoStream, request: unknown): Promise<void> {
    const actor = this.actor!;
    const parsed = bindLabeledSchema.safeParse(request);
    if (!parsed.success) return answerJson(stream, errorAnswer(`Botdesk could not read the BindLabeled message: ${firstProblem(parsed.error)}`));
    const flood = await this.bindFlood(actor);
    if (flood) return answerJson(stream, flood);
    const bound = await bindEndpoint(actor, this.ctx, this.sessionId!, { labels: parsed.data.Labels });
    if (!bound.ok) return answerJson(stream, errorAnswer(bound.message, agentErrorCode(bound.code)));
    // The connection went while the bind ran: its session's end (queued after this) ends the endpoint.
    if (this.ended) return;
    const endpoint = bound.data;
    this.bindings.set(endpoint.id, { agentId: endpoint.id, endpoint, unregister: () => {} });
    answerJson(stream, { Id: endpoint.id });
  }

  private async unbind(stream: MuxadoStream, request: unknown): Promise<void> {
    const parsed = unbindSchema.safeParse(request);
    if (!parsed.success) return answerJson(stream, errorAnswer(`Botdesk could not read the Unbind message: ${firstProblem(parsed.error)}`));
    const binding = this.bindings.get(parsed.data.Id);
    if (!binding) return answerJson(stream, errorAnswer(`No tunnel ${parsed.data.Id} in this session.`));
    binding.unregister();
    this.bindings.delete(binding.agentId);
    const ended = await unbindEndpoint(this.actor!, this.ctx, binding.endpoint.sessionId, binding.endpoint.id);
    answerJson(stream, ended.ok ? {} : errorAnswer(ended.message, agentErrorCode(ended.code)));
  }

  /** A Proxy stream to the agent for one incoming connection: type 3, the header, then the connection's bytes. */
  private openProxy(agentId: string, conn: { clientAddr: string; proto: "http" | "https" | "tcp" }): Promise<Duplex> {
    if (this.ended || this.session.isClosed) return Promise.reject(new Error("the agent's session has ended"));
    try {
      const stream = openTypedStream(this.session, StreamType.PROXY);
      stream.write(proxyHeader({ Id: agentId, ClientAddr: conn.clientAddr.slice(0, 128), Proto: conn.proto, EdgeType: conn.proto === "tcp" ? "1" : "3", PassthroughTLS: false }));
      return Promise.resolve(stream);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Stops serving this connection's endpoints. */
  /**
   * Live control ended the session (its row already says why): its endpoints stop serving at once,
   * what it carried is written, the agent is sent Stop with the reason, and the connection goes.
   */
  private async stopByControl(reason: string): Promise<void> {
    this.ended = true;
    this.unregisterAll();
    const why = describeEndReason(reason, "authtoken");
    try {
      const stop = openTypedStream(this.session, StreamType.STOP);
      stop.end(JSON.stringify({ Error: why }));
    } catch {
      // The connection is already going.
    }
    await this.serial(async () => {
      if (this.sessionId) await trafficMeter().flush(this.sessionId);
    });
    // Let the Stop reach the agent before the GOAWAY.
    setTimeout(() => this.close(why, { recorded: true, cut: true }), 100).unref();
  }

  private unregisterAll(): void {
    for (const binding of this.bindings.values()) binding.unregister();
    this.bindings.clear();
  }

  /**
   * Says GOAWAY with `why` and closes; the session ends (`agent_closed`) when
   * the connection goes, unless `recorded` says its end is already recorded.
   */
  close(why: string, opts: { recorded?: boolean; cut?: boolean } = {}): void {
    if (opts.recorded) this.ended = true;
    this.releaseHold();
    this.unregisterAll();
    this.session.goAway(ErrorCode.NONE, why.slice(0, 200));
    // A session ended by a change (deactivation, revocation, a stop) carries nothing more: transfers
    // under way are cut once the GOAWAY is written, not left to finish while the agent lingers.
    if (opts.cut) setTimeout(() => this.session.destroy(), CUT_AFTER_MS).unref();
  }

  /** The listener is stopping: the session ends (`server_stopped`) before the connection goes. */
  async stop(): Promise<void> {
    await this.serial(async () => {
      this.releaseHold();
      this.unregisterAll();
      if (this.sessionId) await trafficMeter().flush(this.sessionId);
      if (!this.ended && this.sessionId) await stopSessions([this.sessionId], this.ctx);
      this.close("Botdesk is stopping", { recorded: true });
    });
  }

  private finish(): void {
    this.releaseHold();
    clearTimeout(this.handshakeTimer);
    if (this.recheckTimer) clearInterval(this.recheckTimer);
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.unregisterAll();
    const wasEnded = this.ended;
    this.ended = true;
    const actor = this.actor;
    const sessionId = this.sessionId;
    if (sessionId) {
      void this.serial(async () => {
        // What the session carried is written before it is recorded as ended.
        await trafficMeter().flush(sessionId);
        if (!wasEnded && actor) await endSession(actor, this.ctx, sessionId);
      });
    }
  }
}
