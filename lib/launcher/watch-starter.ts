import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

/**
 * The launcher's tie to whoever started it. `npm start` runs
 * `sh -c "node scripts/start.mjs"`, so npm is the launcher's grandparent: when
 * npm is killed (even by SIGKILL) the shell between stays, and nothing tells
 * the launcher. So it watches its parent and, through any `sh -c` wrappers
 * (npm's, a test runner's), the first process above them; when one of them is
 * gone, or the launcher has a new parent, it is time to stop everything.
 */

export interface Starter {
  pid: number;
  command: string;
  /** When it started (Linux: clock ticks since boot), so a reused pid is not mistaken for it. */
  startTime: string | null;
}

interface Info {
  ppid: number;
  command: string;
  argv: string[];
  startTime: string | null;
}

function info(pid: number): Info | null {
  if (fs.existsSync("/proc/self/stat")) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      // The fields after the command name in parentheses (which may itself hold spaces): state, ppid, …, starttime (22nd).
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] === "Z") return null; // exited, not yet reaped
      const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      return { ppid: Number(fields[1]), command: argv.join(" "), argv, startTime: fields[19] ?? null };
    } catch {
      return null;
    }
  }
  const ps = spawnSync("ps", ["-o", "ppid=", "-o", "lstart=", "-o", "command=", "-p", String(pid)], { encoding: "utf8" });
  // "  123 Mon Dec  7 02:17:31 2026 sh -c node scripts/start.mjs"
  const m = /^\s*(\d+)\s+(\w{3}\s+\w{3}\s+\d+\s+[\d:]+\s+\d{4})\s+(.*)$/.exec(ps.stdout.trim());
  return m ? { ppid: Number(m[1]), startTime: m[2]!, command: m[3]!, argv: m[3]!.split(/\s+/) } : null;
}

const SHELLS = new Set(["sh", "bash", "dash", "zsh", "ash", "ksh", "mksh"]);

/** `sh -c "…"`: a shell that only runs a command line (npm runs every script this way). */
function isShellWrapper(argv: string[]): boolean {
  return SHELLS.has(path.basename(argv[0] ?? "").replace(/^-/, "")) && argv.includes("-c");
}

/** The processes whose end means the launcher's starter is gone: its parent, up through `sh -c` wrappers. */
export function startersOf(pid: number = process.pid): Starter[] {
  const starters: Starter[] = [];
  let current = info(pid)?.ppid ?? 0;
  while (current > 1 && starters.length < 8) {
    const p = info(current);
    if (!p) break;
    starters.push({ pid: current, command: p.command, startTime: p.startTime });
    if (!isShellWrapper(p.argv)) break;
    current = p.ppid;
  }
  return starters;
}

/**
 * Checks every `intervalMs` that the starters are still there (same pid, same
 * start time) and that the launcher's parent did not change; calls `onGone`
 * once with the first one missing. Returns a function that stops watching.
 */
export function watchStarters(onGone: (starter: Starter) => void, intervalMs = 500): () => void {
  const starters = startersOf();
  const parent = process.ppid;
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? starters[0] : starters.find((s) => info(s.pid)?.startTime !== s.startTime);
    if (!gone) return;
    clearInterval(timer);
    onGone(gone);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
