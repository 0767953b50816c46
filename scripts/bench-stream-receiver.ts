/**
 * The webhook receiver of scripts/bench-streams.ts, in a process of its own so
 * that recording the events (the benchmark's own work) never delays an answer:
 * a message's delivery time is the sender's and the network's alone.
 *
 *   tsx scripts/bench-stream-receiver.ts <host> <port>
 * Reads its signing secret as the first line of stdin, verifies every message
 * (Standard Webhooks), answers 204 and notes when it arrived (Date.now(), the
 * same clock as the benchmark's) with the event's `event_timestamp`. Prints
 * {"listening": true} once listening; on the stdin line "count", prints
 * {"count": n}; on "pause", answers 503 (not counted) until "resume"; on "report", {"arrivals": [[event_id, arrived ms, recorded ms], …], "badSignatures": n}.
 */
import http from "node:http";
import { createInterface } from "node:readline";
import { Webhook } from "standardwebhooks";

const [host, port] = process.argv.slice(2);
const arrivals: [string, number, number][] = [];
let badSignatures = 0;
let webhook: Webhook | undefined;
let paused = false;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const at = Date.now();
    const text = Buffer.concat(chunks).toString("utf8");
    if (paused) {
      res.writeHead(503).end();
      return;
    }
    try {
      if (!webhook) throw new Error("no secret yet");
      webhook.verify(text, req.headers as Record<string, string>);
    } catch {
      badSignatures++;
      res.writeHead(400).end();
      return;
    }
    const body = JSON.parse(text) as { event_id: string; event_timestamp: string };
    arrivals.push([body.event_id, at, Date.parse(body.event_timestamp)]);
    res.writeHead(204).end();
  });
});
server.listen(Number(port), host, () => console.log(JSON.stringify({ listening: true })));

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  if (!webhook) webhook = new Webhook(line.trim());
  else if (line.trim() === "pause" || line.trim() === "resume") {
    paused = line.trim() === "pause";
    console.log(JSON.stringify({ paused }));
  } else if (line.trim() === "count") console.log(JSON.stringify({ count: arrivals.length }));
  else if (line.trim() === "report") console.log(JSON.stringify({ arrivals, badSignatures }));
});
lines.on("close", () => server.close(() => process.exit(0)));
