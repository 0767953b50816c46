// Preloaded (`node --require`) into the Next.js server that `npm start` runs.
// `npm start` keeps a pipe to the server's stdin; when that process dies, even
// by SIGKILL, the pipe closes and the server exits with it instead of holding
// the port as an orphan.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
