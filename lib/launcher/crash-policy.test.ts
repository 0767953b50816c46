import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { describeExit, nextStreak, restartDelayMs, tailKeeper } from "./crash-policy";

/** A real Node process, its exit and the end of its stderr, as the launcher sees a dying web server. */
async function runNode(flags: string[], code: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const child = spawn(process.execPath, [...flags, "-e", code], { stdio: ["ignore", "ignore", "pipe"] });
  const tail = tailKeeper();
  child.stderr.on("data", (d: Buffer) => tail.push(d.toString()));
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("close", (c, s) => resolve([c, s])));
  return { code: exitCode, signal, stderr: tail.text() };
}

describe("why the web server stopped, as the console says it", () => {
  it("names heap exhaustion when V8 runs out of memory (a real process with a 16 MiB heap)", async () => {
    const died = await runNode(["--max-old-space-size=16"], "const a = []; for (;;) a.push(new Array(100_000).fill({ x: 1 }));");
    expect(died.signal ?? died.code).not.toBe(0);
    expect(describeExit(died.code, died.signal, died.stderr)).toMatch(/^out of memory: the JavaScript heap reached its limit \((signal SIG[A-Z]+|exit code \d+)\)$/);
  }, 30_000);

  it("says a SIGKILL may be kill -9 or the out-of-memory killer, and gives exit codes as they are", async () => {
    expect(describeExit(null, "SIGKILL", "")).toBe("signal SIGKILL (kill -9, or the system's out-of-memory killer)");
    const thrown = await runNode([], "throw new Error('boom')");
    expect(describeExit(thrown.code, thrown.signal, thrown.stderr)).toBe("exit code 1");
  });
});

describe("restarts back off while the web server keeps dying", () => {
  it("waits 1 s, 2 s, 4 s … and never more than 30 s", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("starts a new streak after a server that ran a stable minute", () => {
    expect(nextStreak(0, 500)).toBe(1);
    expect(nextStreak(4, 59_000)).toBe(5);
    expect(nextStreak(4, 60_000)).toBe(1);
  });

  it("keeps only the end of what the server wrote", () => {
    const tail = tailKeeper(10);
    tail.push("0123456789");
    tail.push("abc");
    expect(tail.text()).toBe("3456789abc");
  });
});
