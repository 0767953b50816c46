import { createHash, randomBytes } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode, FLAG_FIN, FLAG_SYN, FrameDecoder, FrameType, encodeHeader, type Frame } from "./frame";
import { answerJson, MAX_RPC_BYTES, readJson } from "./rpc";
import { MuxadoSession, type GoAway } from "./session";
import { DEFAULT_WINDOW, MuxadoStream, StreamResetError } from "./stream";
import { StreamType, answerHeartbeat, openTypedStream, readExactly, readStreamType } from "./typed";

// Both ends over a real TCP connection on loopback: muxado on each side, or muxado against raw frames.
const opened: net.Socket[] = [];
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

async function socketPair(): Promise<[net.Socket, net.Socket]> {
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
  const client = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
  await new Promise((resolve) => client.once("connect", resolve));
  const serverSide = await accepted;
  opened.push(client, serverSide);
  return [serverSide, client];
}

async function sessions(window?: number) {
  const [a, b] = await socketPair();
  return { server: new MuxadoSession(a, { side: "server", window }), client: new MuxadoSession(b, { side: "client", window }) };
}

const nextStream = (session: MuxadoSession) => new Promise<MuxadoStream>((resolve) => session.once("stream", resolve));
const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function readAll(stream: MuxadoStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.once("end", () => resolve(Buffer.concat(chunks)));
    stream.once("error", reject);
  });
}

/** Reads frames arriving on a raw socket (the muxado peer seen from outside). */
function frameLog(socket: net.Socket) {
  const decoder = new FrameDecoder();
  const frames: Frame[] = [];
  socket.on("data", (chunk: Buffer) => frames.push(...decoder.push(chunk)));
  return {
    frames,
    async until(match: (f: Frame) => boolean, ms = 3000): Promise<Frame> {
      const end = Date.now() + ms;
      for (;;) {
        const found = frames.find(match);
        if (found) return found;
        if (Date.now() > end) throw new Error(`no such frame; saw ${JSON.stringify(frames.map((f) => [f.type, f.flags, f.streamId, f.body.length]))}`);
        await sleep(10);
      }
    },
  };
}

const raw = (type: number, flags: number, id: number, body = Buffer.alloc(0)) => Buffer.concat([encodeHeader(type as FrameType, flags, id, body.length), body]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

describe("frames", () => {
  it("encodes the 8-byte header as ngrok's agents do (length, type, flags, id) and decodes it across split chunks", () => {
    const bytes = raw(FrameType.DATA, FLAG_SYN | FLAG_FIN, 5, Buffer.from("hello"));
    expect(bytes.subarray(0, 8).toString("hex")).toBe("0000051300000005");
    const decoder = new FrameDecoder();
    const frames = [...bytes].flatMap((byte) => decoder.push(Buffer.from([byte])));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ type: FrameType.DATA, flags: 3, streamId: 5 });
    expect(frames[0]!.body.toString()).toBe("hello");
  });

  it("refuses a frame longer than its limit from the header alone, an unknown type, and malformed control bodies", () => {
    expect(() => new FrameDecoder(1024).push(encodeHeader(FrameType.DATA, 0, 1, 1025))).toThrow(/1025 bytes/);
    expect(() => new FrameDecoder().push(Buffer.from("0000000700000001", "hex").subarray(0, 8).fill(0x40, 3, 4))).toThrow(/unknown frame type 4/);
    expect(() => new FrameDecoder().push(raw(FrameType.WNDINC, 0, 1, Buffer.alloc(3)))).toThrow(/WNDINC/);
    expect(() => new FrameDecoder().push(raw(FrameType.GOAWAY, 0, 0, Buffer.alloc(4)))).toThrow(/GOAWAY/);
    expect(() => new FrameDecoder().push(raw(FrameType.DATA, 0, 0, Buffer.alloc(1)))).toThrow(/stream 0/);
  });
});

describe("a muxado session on each side of a real socket", () => {
  it("carries 6 MiB byte-exact each way on one stream at once, the client opening (odd id)", async () => {
    const { server, client } = await sessions();
    const up = randomBytes(6 * 1024 * 1024);
    const down = randomBytes(6 * 1024 * 1024);
    const accepted = nextStream(server);
    const stream = client.openStream();
    stream.end(up);
    const remote = await accepted;
    expect(remote.id % 2).toBe(1);
    remote.end(down);
    const [gotUp, gotDown] = await Promise.all([readAll(remote), readAll(stream)]);
    expect(sha(gotUp)).toBe(sha(up));
    expect(sha(gotDown)).toBe(sha(down));
  });

  it("holds a writer to the window while the reader does not read, then delivers everything in order (server opening, even id)", async () => {
    const { server, client } = await sessions();
    const data = randomBytes(3 * 1024 * 1024);
    const accepted = nextStream(client);
    const stream = server.openStream();
    expect(stream.id % 2).toBe(0);
    let sent = 0;
    const writeAll = (async () => {
      for (let offset = 0; offset < data.length; offset += 16 * 1024) {
        const chunk = data.subarray(offset, offset + 16 * 1024);
        await new Promise<void>((resolve, reject) => stream.write(chunk, (e) => (e ? reject(e) : resolve())));
        sent += chunk.length;
      }
      stream.end();
    })();
    const remote = await accepted;
    remote.pause();
    await sleep(400);
    // The reader took nothing: in flight at most the window, plus what Node's readable buffer (64 KiB, one frame over) returned credit for.
    expect(sent).toBeGreaterThanOrEqual(DEFAULT_WINDOW - 16 * 1024);
    expect(sent).toBeLessThanOrEqual(DEFAULT_WINDOW + 2 * 64 * 1024);
    const stalled = sent;
    await sleep(200);
    expect(sent).toBe(stalled);
    // A slow reader: 64 KiB every few ms; the writer keeps pace with it, never ahead by more than the window.
    const chunks: Buffer[] = [];
    let read = 0;
    let maxAhead = 0;
    for (;;) {
      const chunk = remote.read() as Buffer | null;
      if (chunk) {
        chunks.push(chunk);
        read += chunk.length;
      } else if (remote.readableEnded || read === data.length) break;
      else await sleep(2);
      maxAhead = Math.max(maxAhead, sent - read);
    }
    await writeAll;
    expect(maxAhead).toBeLessThanOrEqual(DEFAULT_WINDOW + 2 * 64 * 1024);
    expect(sha(Buffer.concat(chunks))).toBe(sha(data));
  });

  it("half-closes: after one side's FIN the other still writes, and the stream closes once both are done", async () => {
    const { server, client } = await sessions();
    const accepted = nextStream(server);
    const stream = client.openStream();
    stream.end("question");
    const remote = await accepted;
    expect((await readAll(remote)).toString()).toBe("question");
    remote.end("answer after the question's FIN");
    expect((await readAll(stream)).toString()).toBe("answer after the question's FIN");
    await sleep(50);
    expect([server.streamCount, client.streamCount]).toEqual([0, 0]);
  });

  it("a destroyed stream resets its peer (RST), which sees a StreamResetError", async () => {
    const { server, client } = await sessions();
    const accepted = nextStream(server);
    const stream = client.openStream();
    stream.write("x");
    const remote = await accepted;
    const failed = new Promise<Error>((resolve) => remote.once("error", resolve));
    stream.destroy();
    const error = await failed;
    expect(error).toBeInstanceOf(StreamResetError);
    expect((error as StreamResetError).code).toBe(ErrorCode.STREAM_CANCELLED);
  });

  it("GOAWAY: the peer learns why, can open no more streams, and open streams see the session go", async () => {
    const { server, client } = await sessions();
    const accepted = nextStream(server);
    const stream = client.openStream();
    stream.write("x");
    await accepted;
    const heard = new Promise<GoAway>((resolve) => client.once("goaway", resolve));
    server.goAway(ErrorCode.NONE, "server stopping");
    expect(await heard).toMatchObject({ code: ErrorCode.NONE, message: "server stopping", lastStreamId: stream.id });
    expect(() => client.openStream()).toThrow(/closing/);
    await new Promise((resolve) => (client.isClosed ? resolve(undefined) : client.once("close", resolve)));
    expect(stream.destroyed).toBe(true);
  });

  it("typed streams, the heartbeat echo and one JSON RPC", async () => {
    const { server, client } = await sessions();
    server.on("stream", (stream: MuxadoStream) => {
      void readStreamType(stream).then(async (type) => {
        if (type === StreamType.HEARTBEAT) return answerHeartbeat(stream);
        const request = (await readJson(stream)) as { n: number };
        answerJson(stream, { type, doubled: request.n * 2 });
      });
    });
    const beat = openTypedStream(client, StreamType.HEARTBEAT);
    const nonce = randomBytes(4);
    beat.write(nonce);
    expect((await readExactly(beat, 4)).equals(nonce)).toBe(true);
    const rpc = openTypedStream(client, StreamType.BIND);
    // The request is written without FIN, as ngrok's agents do: the answer comes anyway, then FIN.
    rpc.write(JSON.stringify({ n: 21 }));
    expect(JSON.parse((await readAll(rpc)).toString())).toEqual({ type: StreamType.BIND, doubled: 42 });
  });
});

describe("RPC limits", () => {
  it("a request over MAX_RPC_BYTES, or one never finished, is refused rather than buffered", async () => {
    const { server, client } = await sessions();
    const outcomes: string[] = [];
    server.on("stream", (stream: MuxadoStream) => {
      void readJson(stream, { timeoutMs: 300 }).then(
        () => outcomes.push("parsed"),
        (error: Error) => outcomes.push(error.message),
      );
    });
    client.openStream().write(`{"pad":"${"x".repeat(MAX_RPC_BYTES)}"}`);
    client.openStream().write(`{"unfinished":`);
    const end = Date.now() + 3000;
    while (outcomes.length < 2 && Date.now() < end) await sleep(20);
    expect(outcomes.sort()).toEqual([`an RPC request over ${MAX_RPC_BYTES} bytes`, "no RPC request within 300 ms"]);
  });
});

describe("a peer that breaks the protocol gets GOAWAY with the code, not a crash", () => {
  async function rawPeer(opts: { maxStreams?: number } = {}) {
    const [a, b] = await socketPair();
    const session = new MuxadoSession(a, { side: "server", maxStreams: opts.maxStreams });
    const closed = new Promise<Error | undefined>((resolve) => session.once("close", resolve));
    return { session, socket: b, log: frameLog(b), closed };
  }
  const goAwayCode = (f: Frame) => f.body.readUInt32BE(4);

  it("more data than the window on a stream: FLOW_CONTROL", async () => {
    const { socket, log, closed } = await rawPeer();
    socket.write(raw(FrameType.DATA, FLAG_SYN, 1, Buffer.alloc(200 * 1024)));
    socket.write(raw(FrameType.DATA, 0, 1, Buffer.alloc(100 * 1024)));
    const goAway = await log.until((f) => f.type === FrameType.GOAWAY);
    expect(goAwayCode(goAway)).toBe(ErrorCode.FLOW_CONTROL);
    expect(await closed).toBeInstanceOf(Error);
  });

  it("a frame over the limit: FRAME_SIZE, read from the header before any body is buffered", async () => {
    const { socket, log } = await rawPeer();
    socket.write(encodeHeader(FrameType.DATA, FLAG_SYN, 1, 0xffffff));
    expect(goAwayCode(await log.until((f) => f.type === FrameType.GOAWAY))).toBe(ErrorCode.FRAME_SIZE);
  });

  it("a stream id of the wrong parity or going backwards: PROTOCOL", async () => {
    const { socket, log } = await rawPeer();
    socket.write(raw(FrameType.DATA, FLAG_SYN, 2, Buffer.from("x")));
    expect(goAwayCode(await log.until((f) => f.type === FrameType.GOAWAY))).toBe(ErrorCode.PROTOCOL);
    const second = await rawPeer();
    second.socket.write(raw(FrameType.DATA, FLAG_SYN, 5, Buffer.from("x")));
    second.socket.write(raw(FrameType.DATA, FLAG_SYN, 3, Buffer.from("x")));
    expect(goAwayCode(await second.log.until((f) => f.type === FrameType.GOAWAY))).toBe(ErrorCode.PROTOCOL);
  });

  it("garbage (an HTTP request: its first bytes say a 4 MiB frame) is FRAME_SIZE; an unknown frame type is PROTOCOL", async () => {
    const { socket, log } = await rawPeer();
    socket.write(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect(goAwayCode(await log.until((f) => f.type === FrameType.GOAWAY))).toBe(ErrorCode.FRAME_SIZE);
    const second = await rawPeer();
    second.socket.write(Buffer.from("0000004000000001", "hex"));
    expect(goAwayCode(await second.log.until((f) => f.type === FrameType.GOAWAY))).toBe(ErrorCode.PROTOCOL);
  });

  it("streams beyond the cap are refused with RST STREAM_REFUSED, the session stays up", async () => {
    const { session, socket, log } = await rawPeer({ maxStreams: 1 });
    socket.write(raw(FrameType.DATA, FLAG_SYN, 1, Buffer.from("a")));
    socket.write(raw(FrameType.DATA, FLAG_SYN, 3, Buffer.from("b")));
    const rst = await log.until((f) => f.type === FrameType.RST);
    expect([rst.streamId, rst.body.readUInt32BE(0)]).toEqual([3, ErrorCode.STREAM_REFUSED]);
    expect(session.isClosed).toBe(false);
  });

  it("credit goes back as the reader reads (WNDINC), not before", async () => {
    const { session, socket, log } = await rawPeer();
    const accepted = nextStream(session);
    socket.write(raw(FrameType.DATA, FLAG_SYN, 1, Buffer.alloc(100)));
    const stream = await accepted;
    await sleep(100);
    expect(log.frames.filter((f) => f.type === FrameType.WNDINC)).toEqual([]);
    expect((stream.read() as Buffer).length).toBe(100);
    const inc = await log.until((f) => f.type === FrameType.WNDINC);
    expect([inc.streamId, inc.body.readUInt32BE(0)]).toEqual([1, 100]);
    socket.write(raw(FrameType.DATA, FLAG_FIN, 1));
    socket.write(raw(FrameType.RST, 0, 1, u32(ErrorCode.NONE)));
  });

  it("opens a typed stream with its type and what the opener writes in the same turn in one DATA frame", async () => {
    const { session, log } = await rawPeer();
    const stream = openTypedStream(session, StreamType.PROXY);
    stream.write(Buffer.from("header;"));
    // As the ingress does: the request head follows a few promise hops later, still in this turn.
    await Promise.resolve();
    stream.write(Buffer.from("request"));
    const first = await log.until((f) => f.type === FrameType.DATA);
    await sleep(100);
    expect(log.frames.filter((f) => f.type === FrameType.DATA)).toHaveLength(1);
    expect([first.streamId, first.flags & FLAG_SYN]).toEqual([2, FLAG_SYN]);
    expect(first.body).toEqual(Buffer.concat([u32(StreamType.PROXY), Buffer.from("header;request")]));
    stream.destroy();
  });

  it("gives back the credit for many frames read in one turn as one WNDINC, the sum of them", async () => {
    const { session, socket, log } = await rawPeer();
    const accepted = nextStream(session);
    // Eight frames in one write: one read of the socket, handed to a reader that keeps up.
    socket.write(Buffer.concat([raw(FrameType.DATA, FLAG_SYN, 1, Buffer.alloc(1000)), ...Array.from({ length: 7 }, () => raw(FrameType.DATA, 0, 1, Buffer.alloc(1000)))]));
    const stream = await accepted;
    let read = 0;
    stream.on("data", (c: Buffer) => (read += c.length));
    await log.until((f) => f.type === FrameType.WNDINC);
    await sleep(100);
    expect(read).toBe(8000);
    expect(log.frames.filter((f) => f.type === FrameType.WNDINC).map((f) => f.body.readUInt32BE(0))).toEqual([8000]);
    socket.write(raw(FrameType.RST, 0, 1, u32(ErrorCode.NONE)));
  });

  it("answers a peer's WNDINC or DATA with a one-byte WNDINC when nothing else goes out, so its ACK is not delayed", async () => {
    // ngrok's agent writes its WNDINC and then its answer as two small writes with Nagle on: the
    // second waits for the first's ACK, which Linux delays up to 40 ms unless a frame goes back.
    const { session, socket, log } = await rawPeer();
    const accepted = nextStream(session);
    socket.write(raw(FrameType.DATA, FLAG_SYN, 1, Buffer.alloc(10)));
    const stream = await accepted;
    expect((stream.read() as Buffer).length).toBe(10);
    await log.until((f) => f.type === FrameType.WNDINC && f.body.readUInt32BE(0) === 10);
    const before = log.frames.length;
    socket.write(raw(FrameType.WNDINC, 0, 1, u32(5)));
    const nudge = await log.until((f) => log.frames.indexOf(f) >= before && f.type === FrameType.WNDINC, 1000);
    // One byte, never 0: ngrok's agent, like HTTP/2, takes an increment of 0 for a protocol error and
    // resets the stream (large downloads were cut short while it was 0).
    expect([nudge.streamId, nudge.body.readUInt32BE(0)]).toEqual([1, 1]);
    const afterWndInc = log.frames.length;
    socket.write(raw(FrameType.DATA, 0, 1, Buffer.alloc(4)));
    // DATA: its credit (the reader took it) or a one-byte WNDINC goes back at once, never nothing.
    const again = await log.until((f) => log.frames.indexOf(f) >= afterWndInc && f.type === FrameType.WNDINC, 1000);
    expect(again.streamId).toBe(1);
    // Nothing is answered for a stream it does not have.
    await sleep(100);
    const settled = log.frames.length;
    socket.write(raw(FrameType.WNDINC, 0, 7, u32(5)));
    await sleep(100);
    expect(log.frames.length).toBe(settled);
    socket.write(raw(FrameType.RST, 0, 1, u32(ErrorCode.NONE)));
  });

  it("a RST after the peer's FIN leaves the reader everything that came: a download is not cut short by a slow reader", async () => {
    const { session, socket } = await rawPeer();
    const accepted = nextStream(session);
    const body = randomBytes(100 * 1024);
    // All of it, FIN, then the peer closes the stream, before this side has read a byte.
    socket.write(raw(FrameType.DATA, FLAG_SYN, 1, body.subarray(0, 50 * 1024)));
    const stream = await accepted;
    socket.write(raw(FrameType.DATA, FLAG_FIN, 1, body.subarray(50 * 1024)));
    socket.write(raw(FrameType.RST, 0, 1, u32(ErrorCode.STREAM_CLOSED)));
    await sleep(100);
    expect(sha(await readAll(stream))).toBe(sha(body));
    await new Promise((r) => setImmediate(r));
    expect(stream.destroyed).toBe(true);
    // Writing back is refused (the peer closed), not left waiting.
    await expect(new Promise<void>((resolve, reject) => stream.write("late", (e) => (e ? reject(e) : resolve())))).rejects.toThrow();
  });
});
