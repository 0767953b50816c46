// Preloaded (`node --require`) into the Next.js server that `npm start` runs.
// `npm start` keeps a pipe to the server's stdin; when that process dies, even
// by SIGKILL, the pipe closes and the server exits with it instead of holding
// the port as an orphan.
//
// Only in the process the launcher spawned (BOTDESK_STDIN_FROM_LAUNCHER=1),
// and the variable is dropped at once: Next's own workers (Turbopack's PostCSS
// worker under `next dev`) inherit the --require, and one that read its stdin
// hung `npm run dev` at "Compiling /sign-in" for good.
if (process.env.BOTDESK_STDIN_FROM_LAUNCHER === "1") {
  delete process.env.BOTDESK_STDIN_FROM_LAUNCHER;
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}
