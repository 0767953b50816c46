import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../", import.meta.url));
const PRELOAD = path.join(REPO, "scripts", "exit-with-parent.cjs");

/** `npm start` as a user runs it, with these settings; its output once it exits. */
function startWith(env: Record<string, string>): { status: number | null; output: string } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "botdesk-start-"));
  try {
    const run = spawnSync(process.execPath, ["scripts/start.mjs"], {
      cwd: REPO,
      env: { ...process.env, BOTDESK_DATA_DIR: dataDir, PORT: "3999", ...env },
      encoding: "utf8",
      timeout: 60_000,
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe("npm start refuses a bad DATABASE_URL with what to fix", () => {
  it("names a value that is not a URL, and claims nothing was saved", () => {
    const run = startWith({ DATABASE_URL: "base" });
    expect(run.status).toBe(1);
    expect(run.output).toContain("DATABASE_URL is not a URL. Expected postgresql://user:password@host:5432/database");
    expect(run.output).not.toContain("getaddrinfo");
    expect(run.output).not.toContain("Your data is saved");
  });

  it("names a host that does not resolve", () => {
    const run = startWith({ DATABASE_URL: "postgresql://u:p@no-such-host.invalid:5432/botdesk" });
    expect(run.status).toBe(1);
    expect(run.output).toContain('Cannot find the database host "no-such-host.invalid" named in DATABASE_URL');
    expect(run.output).not.toContain("Your data is saved");
  });

  it("names the wrong scheme", () => {
    const run = startWith({ DATABASE_URL: "mysql://u:p@localhost/botdesk" });
    expect(run.output).toContain("DATABASE_URL must start with postgresql:// (it starts with mysql://)");
  });
});

describe("the web server that npm start runs", () => {
  it("exits when npm start is killed with SIGKILL instead of holding its port", async () => {
    // A stand-in for npm start: it spawns a long-running server the way start.ts does, then is killed.
    const parent = spawn(
      process.execPath,
      [
        "-e",
        `const { spawn } = require("node:child_process");
         const server = spawn(process.execPath, ["--require", ${JSON.stringify(PRELOAD)}, "-e", "setInterval(() => {}, 1000)"], { stdio: ["pipe", "inherit", "inherit"], env: { ...process.env, BOTDESK_STDIN_FROM_LAUNCHER: "1" } });
         console.log(server.pid);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const serverPid = await new Promise<number>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));
    expect(isAlive(serverPid)).toBe(true);
    parent.kill("SIGKILL");
    const deadline = Date.now() + 5_000;
    while (isAlive(serverPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(serverPid)).toBe(false);
  });

  it("leaves the stdin of the server's own workers alone (they inherit the preload; one that read its stdin hung npm run dev)", () => {
    // A server started as start.ts starts it spawns a worker the way Next.js does (execArgv and env inherited):
    // the worker must not see the launcher's variable, so the preload does nothing there.
    const worker = `console.log(JSON.stringify({ flag: process.env.BOTDESK_STDIN_FROM_LAUNCHER ?? null, reading: process.stdin.readableFlowing }))`;
    const server = `const { spawnSync } = require("node:child_process");
      const r = spawnSync(process.execPath, [...process.execArgv, "-e", ${JSON.stringify(worker)}], { encoding: "utf8", stdio: ["pipe", "pipe", "inherit"] });
      process.stdout.write(r.stdout); process.exit(0);`;
    const run = spawnSync(process.execPath, ["--require", PRELOAD, "-e", server], {
      encoding: "utf8",
      input: "",
      env: { ...process.env, BOTDESK_STDIN_FROM_LAUNCHER: "1" },
      timeout: 20_000,
    });
    expect(JSON.parse(run.stdout.trim())).toEqual({ flag: null, reading: null });
  });
});

/** Running, and not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
