import fs from "node:fs";
import net from "node:net";
import { readEnv } from "@/lib/env";

/** What a gate admits: at most `total` connections at once, at most `perAddress` of them from one client address. */
export interface GateLimits {
  total: number;
  perAddress: number;
}

/** Why a connection was refused: the gate's cap, one address's share of it, or the process's (its file descriptors). */
export type GateRefusal = "total" | "per_address" | "process";

export interface ConnectionGate {
  /**
   * Counts the socket until it closes, or refuses it (the caller closes it): false when this
   * gate, or one it counts under, is full or the socket's address holds its share already.
   */
  admit(socket: net.Socket): boolean;
  /** Connections held now. */
  readonly size: number;
  /** Connections refused since the start, by why (for tests and logs). */
  readonly refused: Readonly<Record<GateRefusal, number>>;
}

export interface GateOptions extends Partial<GateLimits> {
  /** A gate every connection is counted under too (default: the process's, processConnectionGate()); null: none. */
  parent?: ConnectionGate | null;
  /** What the gate is, in its log lines ("SSH server"). */
  name?: string;
  /** Told of refusals: the first at once, then at most once a minute with the count, so a flood writes a few lines, not one each. */
  log?: (line: string) => void;
}

/** A socket's client address as the gate counts it (IPv4 written plainly, not as ::ffff:a.b.c.d). */
export function addressOf(socket: net.Socket): string {
  return (socket.remoteAddress ?? "").replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
}

const REFUSAL_WORDS: Record<GateRefusal, string> = {
  total: "it holds the most connections it may",
  per_address: "that address holds the most connections one address may",
  process: "the process holds the most connections it may (BOTDESK_MAX_CONNECTIONS)",
};
const LOG_EVERY_MS = 60_000;

/**
 * THE connection limits of every listener beside the dashboard (the SSH server, the agent
 * listener, the ingress, the TCP endpoints): each listener's own gate (a cap on connections held
 * at once, and on those of one client address), counted under the process's gate, so a flood on
 * one listener, or on all of them, can never take the file descriptors the dashboard and the
 * database need. A refused connection is closed at once by its listener, before any byte is read.
 */
export function createConnectionGate(options: GateOptions = {}): ConnectionGate {
  const total = options.total ?? Number.POSITIVE_INFINITY;
  const perAddress = options.perAddress ?? Number.POSITIVE_INFINITY;
  const parent = options.parent === undefined ? processConnectionGate() : options.parent;
  const byAddress = new Map<string, number>();
  const refused: Record<GateRefusal, number> = { total: 0, per_address: 0, process: 0 };
  let size = 0;
  let lastLogAt = 0;
  let unsaid = 0;
  const refuse = (why: GateRefusal, address: string): false => {
    refused[why]++;
    unsaid++;
    const now = Date.now();
    if (options.log && now - lastLogAt >= LOG_EVERY_MS) {
      options.log(`${options.name ?? "listener"}: refused ${unsaid === 1 ? "a connection" : `${unsaid} connections`} (the latest from ${address || "?"}): ${REFUSAL_WORDS[why]}`);
      lastLogAt = now;
      unsaid = 0;
    }
    return false;
  };
  const gate: ConnectionGate = {
    admit(socket) {
      const address = addressOf(socket);
      const held = byAddress.get(address) ?? 0;
      if (size >= total) return refuse("total", address);
      if (held >= perAddress) return refuse("per_address", address);
      // A gate counted under another: that one says its own refusals (the process's says none of its own).
      if (parent && !parent.admit(socket)) return parent === (globalThis as WithGate)[PROCESS_GATE] ? refuse("process", address) : false;
      size++;
      byAddress.set(address, held + 1);
      socket.once("close", () => {
        size--;
        const left = (byAddress.get(address) ?? 1) - 1;
        if (left > 0) byAddress.set(address, left);
        else byAddress.delete(address);
      });
      return true;
    },
    get size() {
      return size;
    },
    refused,
  };
  return gate;
}

/** The open-files limit of this process (Linux: /proc/self/limits), or undefined where it cannot be read. */
export function openFilesLimit(): number | undefined {
  try {
    const line = fs.readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * How many connections the listeners may hold together: BOTDESK_MAX_CONNECTIONS, else three
 * quarters of the open-files limit (a quarter stays for the dashboard's clients, the database
 * pool, files and logs), at most 65,536; 768 where the limit cannot be read (a limit of 1,024).
 */
export function processConnectionCap(setting: number | undefined, limit: number | undefined): number {
  if (setting !== undefined) return setting;
  return limit === undefined ? 768 : Math.max(64, Math.min(65_536, Math.floor((limit * 3) / 4)));
}

const PROCESS_GATE = Symbol.for("botdesk.processConnectionGate");
type WithGate = typeof globalThis & { [PROCESS_GATE]?: ConnectionGate };

/**
 * The process's gate (processConnectionCap), which every listener's gate counts under: one per
 * process, also when the bundler gives the listeners' modules copies of this one.
 */
export function processConnectionGate(): ConnectionGate {
  const g = globalThis as WithGate;
  g[PROCESS_GATE] ??= createConnectionGate({ total: processConnectionCap(readEnv().BOTDESK_MAX_CONNECTIONS, openFilesLimit()), parent: null });
  return g[PROCESS_GATE];
}

/**
 * A log for what a flood repeats (a handshake timed out, a connection reset): the first line at
 * once, then at most one a minute, saying how many were left unsaid, so 1,000 failed connections
 * write a few lines, not 1,000.
 */
export function throttledLog(log: (line: string) => void, everyMs = LOG_EVERY_MS): (line: string) => void {
  let lastAt = Number.NEGATIVE_INFINITY;
  let unsaid = 0;
  return (line) => {
    const now = Date.now();
    if (now - lastAt < everyMs) {
      unsaid++;
      return;
    }
    log(unsaid > 0 ? `${line} (and ${unsaid} more like it since the last such line)` : line);
    lastAt = now;
    unsaid = 0;
  };
}

/** The listening methods a gated server answers with its front listener's (see gatedListening). */
export interface GatedListening<S> {
  listen: (...args: unknown[]) => S;
  address: () => ReturnType<net.Server["address"]>;
  close: (callback?: (error?: Error) => void) => S;
  getConnections: (callback: (error: Error | null, count: number) => void) => S;
  ref: () => S;
  unref: () => S;
}

/**
 * Puts a plain TCP listener in front of `server` (an ssh2 or TLS server, whose own listener then
 * never listens): each connection is first admitted by the gate (refused ones are closed before
 * a byte is read or a TLS or SSH handshake starts), then given to `inject`. Returns the methods
 * to put on `server` so that its `listen`, `address` and `close` are the front's; the front's
 * `error`, `listening` and `close` events are emitted on `server`.
 */
export function gatedListening<S extends NodeJS.EventEmitter>(server: S, gate: ConnectionGate, inject: (socket: net.Socket) => void): GatedListening<S> {
  const front = net.createServer((socket) => {
    socket.on("error", () => {});
    if (!gate.admit(socket)) return void socket.destroy();
    inject(socket);
  });
  front.on("error", (error) => server.emit("error", error));
  front.on("listening", () => server.emit("listening"));
  front.on("close", () => server.emit("close"));
  return {
    listen: (...args) => {
      (front.listen as (...a: unknown[]) => net.Server)(...args);
      return server;
    },
    address: () => front.address(),
    close: (callback) => {
      front.close(callback);
      return server;
    },
    getConnections: (callback) => {
      front.getConnections(callback);
      return server;
    },
    ref: () => {
      front.ref();
      return server;
    },
    unref: () => {
      front.unref();
      return server;
    },
  };
}
