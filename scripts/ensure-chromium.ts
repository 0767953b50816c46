/**
 * Makes sure the end-to-end tests have a Chromium: CHROMIUM_PATH, Debian's
 * chromium, or Playwright's own. Where none exists it installs Debian's package
 * (`apt-get install -y chromium`), since Playwright's download is not always reachable.
 */
import { spawnSync } from "node:child_process";
import { findChromium } from "../e2e/support/browser";

function sh(cmd: string, args: string[]): boolean {
  const asRoot = process.getuid?.() === 0;
  const [bin, argv] = asRoot ? [cmd, args] : ["sudo", ["-n", cmd, ...args]];
  return spawnSync(bin, argv, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } }).status === 0;
}

const found = findChromium();
if (found) {
  console.log(`[e2e] Chromium: ${found}`);
} else {
  console.log("[e2e] No Chromium found (CHROMIUM_PATH, /usr/bin/chromium, Playwright's). Installing Debian's chromium…");
  const ok = sh("apt-get", ["update", "-qq"]) && sh("apt-get", ["install", "-y", "-qq", "chromium"]);
  const after = findChromium();
  if (!ok || !after) {
    console.error("[e2e] Could not install Chromium. Install it (apt-get install chromium) or set CHROMIUM_PATH.");
    process.exit(1);
  }
  console.log(`[e2e] Chromium: ${after}`);
}
