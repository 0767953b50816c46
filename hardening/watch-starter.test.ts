import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";

/**
 * The launcher's tie to npm, with real processes in npm's shape: a stand-in
 * for npm (a Node process) runs `sh -c "node …"`, as npm runs every script, and
 * the innermost process watches its starters. Killing the stand-in with SIGKILL
 * leaves the shell waiting, so only watching past it notices. A fault test
 * (npm run test:faults, one file at a time): processes killed with SIGKILL, timed
 * to a 100 ms poll. The watcher reports its starters only after the watch has
 * taken its list: reported before, a loaded machine let the test kill npm in
 * between, the watch then listed the shell alone and never saw npm go (no
 * "gone" line in 15 s, once in CI and 1 run in 8 at load 7).
 */

const MODULE = path.resolve("lib/launcher/watch-starter.ts");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-watch-"));
const spawned: number[] = [];
afterEach(() => {
  // A failed test leaves its stand-in npm and watcher running: end them (the shell goes with the watcher).
  for (const pid of spawned.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Starts stand-in npm → sh -c → watcher; resolves with the watcher's starters once it reports them. */
async function npmShaped() {
  const watcher = path.join(dir, `watcher-${Date.now()}.mts`);
  fs.writeFileSync(
    watcher,
    `import { startersOf, watchStarters } from ${JSON.stringify(MODULE)};
watchStarters((s) => { console.log(JSON.stringify({ gone: s.pid, parent: process.ppid })); process.exit(0); }, 100);
// Reported only once the watch has taken its own list: the test kills npm as soon as it reads this line.
console.log(JSON.stringify({ me: process.pid, starters: startersOf().map((s) => s.pid) }));
setTimeout(() => process.exit(2), 20_000);
`,
  );
  const script = `require("node:child_process").spawn("sh", ["-c", ${JSON.stringify(`${process.execPath} --import tsx ${watcher}`)}], { stdio: "inherit" }); setInterval(() => {}, 1000);`;
  const npm = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  spawned.push(npm.pid!);
  const lines: string[] = [];
  let buffer = "";
  npm.stdout.on("data", (d: Buffer) => {
    buffer += d.toString();
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  const next = async (key: string, ms = 15_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = lines.find((l) => l.includes(`"${key}"`));
      if (line) return JSON.parse(line) as Record<string, number & number[]>;
      if (Date.now() > deadline) throw new Error(`no "${key}" line: ${lines.join("\n")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { npm, next };
}

describe("the launcher's starters", () => {
  it("are its parent and, through npm's `sh -c`, npm itself; npm's SIGKILL is noticed though the shell stays", async () => {
    const { npm, next } = await npmShaped();
    const { starters, me } = await next("starters");
    spawned.push(me as unknown as number);
    expect(starters).toHaveLength(2);
    const [shell, npmPid] = starters as unknown as [number, number];
    expect(fs.readFileSync(`/proc/${shell}/cmdline`, "utf8").split("\0")[0]).toBe("sh");
    expect(npmPid).toBe(npm.pid);

    npm.kill("SIGKILL");
    const started = Date.now();
    const { gone, parent } = await next("gone");
    expect(gone).toBe(npm.pid);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The shell was still its parent then: watching only the parent would have missed npm's end.
    expect(parent).toBe(shell);
  }, 30_000);
});
