import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { ErrorCode, FLAG_FIN, FLAG_SYN, FrameDecoder, FrameType, MuxadoProtocolError, encodeHeader, goAwayBody, type Frame } from "./frame";
import { DEFAULT_WINDOW, MuxadoStream, StreamResetError, type StreamTransport } from "./stream";

export interface MuxadoSessionOptions {
  /** "server" opens even stream ids and accepts odd ones; "client" the other way round. */
  side: "server" | "client";
  /** Per-stream window, both ways (default 256 KiB, as ngrok's agents assume). */
  window?: number;
  /** Streams the peer may hold open at once; more are refused (RST STREAM_REFUSED). */
  maxStreams?: number;
}

export interface GoAway {
  lastStreamId: number;
  code: ErrorCode;
  message: string;
}

/**
 * A muxado session over one connection (a TLS socket for agents): streams this
 * side opens (`openStream`) and streams the peer opens (the `stream` event),
 * each a MuxadoStream with its own flow control. A violation by the peer (a
 * malformed or oversized frame, more data than its window, a stream id of the
 * wrong parity or going backwards) is answered with GOAWAY and the code, then
 * the connection is closed: never a crash. A GOAWAY from the peer stops new
 * streams (`goaway` event) and resets those the peer says it never saw.
 *
 * Events: `stream` (MuxadoStream), `goaway` (GoAway), `close` (Error | undefined).
 */
export class MuxadoSession extends EventEmitter {
  private readonly streams = new Map<number, MuxadoStream>();
  private readonly decoder: FrameDecoder;
  private readonly window: number;
  private readonly maxStreams: number;
  private nextId: number;
  private lastRemoteId = 0;
  private goneAway = false;
  private remoteGoneAway = false;
  private closed = false;
  private drainWaiters: (() => void)[] = [];
  private readonly transport: StreamTransport;
  /** Frames written so far, and whether a one-byte WNDINC is waiting to go (ackSoon). */
  private framesSent = 0;
  private ackPending = false;

  constructor(
    private readonly socket: Duplex,
    opts: MuxadoSessionOptions,
  ) {
    super();
    this.window = opts.window ?? DEFAULT_WINDOW;
    this.maxStreams = opts.maxStreams ?? 1024;
    this.nextId = opts.side === "server" ? 2 : 1;
    // A DATA frame larger than the window is a flow-control error anyway: never buffer more than that.
    this.decoder = new FrameDecoder(Math.max(this.window, 64 * 1024));
    this.transport = { sendFrame: (type, flags, id, body) => this.sendFrame(type, flags, id, body), forget: (id) => void this.streams.delete(id) };
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("drain", () => this.wakeWriters());
    socket.on("error", (error: Error) => this.teardown(error));
    socket.on("close", () => this.teardown());
    socket.on("end", () => this.teardown());
  }

  /** Streams open now (either side's). */
  get streamCount(): number {
    return this.streams.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Opens a stream to the peer (SYN goes with its first frame). Throws once either side went away. */
  openStream(): MuxadoStream {
    if (this.closed || this.goneAway || this.remoteGoneAway) throw new StreamResetError(ErrorCode.SESSION_CLOSED, "the muxado session is closing");
    if (this.nextId > 0x7fffffff) throw new StreamResetError(ErrorCode.STREAMS_EXHAUSTED, "no stream ids left");
    const id = this.nextId;
    this.nextId += 2;
    return this.track(new MuxadoStream(id, this.transport, { window: this.window, opened: true }));
  }

  /** Says GOAWAY (no new streams; open ones may finish) and, unless `linger`, closes the connection once it is written. */
  goAway(code: ErrorCode = ErrorCode.NONE, message = "", opts: { linger?: boolean } = {}): void {
    if (this.closed) return;
    if (!this.goneAway) {
      this.goneAway = true;
      void this.sendFrame(FrameType.GOAWAY, 0, 0, goAwayBody(this.lastRemoteId, code, message)).catch(() => {});
    }
    if (!opts.linger) {
      this.socket.end();
      // A peer that never closes its side does not keep the socket.
      setTimeout(() => this.socket.destroy(), 2_000).unref();
    }
  }

  /** Closes at once: every stream is reset, the connection destroyed. */
  destroy(error?: Error): void {
    this.socket.destroy();
    this.teardown(error);
  }

  private track(stream: MuxadoStream): MuxadoStream {
    this.streams.set(stream.id, stream);
    // A reset stream is an event of its own for whoever uses it, never an uncaught 'error' that ends the process.
    stream.on("error", () => {});
    return stream;
  }

  private sendFrame(type: FrameType, flags: number, streamId: number, body?: Buffer): Promise<void> {
    if (this.closed) return Promise.reject(new StreamResetError(ErrorCode.SESSION_CLOSED, "the muxado session is closed"));
    const length = body?.length ?? 0;
    this.framesSent++;
    this.socket.cork();
    this.socket.write(encodeHeader(type, flags, streamId, length));
    const more = length > 0 ? this.socket.write(body) : true;
    this.socket.uncork();
    // The socket's own buffer is the session's backpressure: writers wait for it to drain.
    if (more && !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }

  private wakeWriters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private receive(chunk: Buffer): void {
    if (this.closed) return;
    try {
      for (const frame of this.decoder.push(chunk)) this.handle(frame);
    } catch (error) {
      if (!(error instanceof MuxadoProtocolError)) throw error;
      this.protocolError(error);
    }
  }

  private protocolError(error: MuxadoProtocolError): void {
    this.emit("protocolError", error);
    this.goAway(error.code, error.message);
    this.teardown(error);
  }

  private handle(frame: Frame): void {
    switch (frame.type) {
      case FrameType.DATA:
        return this.handleData(frame);
      case FrameType.WNDINC: {
        const increment = frame.body.readUInt32BE(0) & 0x7fffffff;
        const stream = this.streams.get(frame.streamId);
        stream?.receiveWindowIncrement(increment);
        if (stream && increment > 0) this.ackSoon(frame.streamId);
        return;
      }
      case FrameType.RST:
        this.streams.get(frame.streamId)?.receiveReset(frame.body.readUInt32BE(0) as ErrorCode);
        return;
      case FrameType.GOAWAY:
        return this.handleGoAway(frame);
    }
  }

  /**
   * Answers a peer's WNDINC or DATA with a WNDINC of one byte (MuxadoStream.nudge; 0 is a protocol
   * error to ngrok's agent, as in HTTP/2) unless a frame goes out this
   * turn anyway. ngrok's agent (its socket has Nagle's algorithm on) sends its WNDINC and then its
   * data as two small writes: the second waits until the first is acknowledged, and Linux delays a
   * bare ACK by up to 40 ms. A frame back carries the ACK at once, so the data follows.
   */
  private ackSoon(streamId: number): void {
    if (this.ackPending) return;
    this.ackPending = true;
    const sentBefore = this.framesSent;
    setImmediate(() => {
      this.ackPending = false;
      if (this.framesSent === sentBefore && !this.closed) this.streams.get(streamId)?.nudge();
    });
  }

  private handleData(frame: Frame): void {
    const { streamId: id, flags, body } = frame;
    let stream = this.streams.get(id);
    if (!stream && flags & FLAG_SYN) {
      const theirs = this.nextId % 2 === 0 ? 1 : 0;
      if (id % 2 !== theirs) throw new MuxadoProtocolError(ErrorCode.PROTOCOL, `the peer opened stream ${id}, an id of this side`);
      if (id <= this.lastRemoteId) throw new MuxadoProtocolError(ErrorCode.PROTOCOL, `the peer opened stream ${id} after ${this.lastRemoteId}`);
      this.lastRemoteId = id;
      if (this.goneAway || this.streams.size >= this.maxStreams) {
        void this.sendFrame(FrameType.RST, 0, id, rstBody(ErrorCode.STREAM_REFUSED)).catch(() => {});
        return;
      }
      stream = this.track(new MuxadoStream(id, this.transport, { window: this.window, opened: false }));
      stream.receiveData(body, (flags & FLAG_FIN) !== 0);
      this.emit("stream", stream);
      return;
    }
    // Frames of a stream already closed here (reset, or both sides done) are late, not wrong.
    if (!stream) return;
    stream.receiveData(body, (flags & FLAG_FIN) !== 0);
    this.ackSoon(id);
  }

  private handleGoAway(frame: Frame): void {
    const goAway: GoAway = {
      lastStreamId: frame.body.readUInt32BE(0) & 0x7fffffff,
      code: frame.body.readUInt32BE(4) as ErrorCode,
      message: frame.body.subarray(8, 8 + 256).toString("utf8"),
    };
    this.remoteGoneAway = true;
    const mine = this.nextId % 2;
    for (const [id, stream] of this.streams) {
      if (id % 2 === mine && id > goAway.lastStreamId) stream.receiveReset(ErrorCode.REMOTE_GONE_AWAY, `stream ${id} not processed: the peer went away`);
    }
    this.emit("goaway", goAway);
  }

  private teardown(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.receiveReset(ErrorCode.SESSION_CLOSED, "the muxado session closed");
    this.streams.clear();
    this.wakeWriters();
    this.emit("close", error);
  }
}

function rstBody(code: ErrorCode): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(code, 0);
  return b;
}

export { FLAG_FIN, FLAG_SYN };
