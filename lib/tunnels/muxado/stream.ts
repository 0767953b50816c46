import { Duplex } from "node:stream";
import { ErrorCode, FLAG_FIN, FLAG_SYN, FrameType, MuxadoProtocolError } from "./frame";

/** muxado's default window: a sender may have this many unacknowledged bytes of one stream in flight. */
export const DEFAULT_WINDOW = 256 * 1024;
/** The largest DATA frame this side sends (the peer's window bounds it too). */
export const MAX_DATA_FRAME = 64 * 1024;
/** A window may never grow past 2^31 − 1. */
const MAX_WINDOW = 0x7fffffff;

/** What a stream needs from its session: the way to put a frame on the wire (resolving once the socket takes more). */
export interface StreamTransport {
  sendFrame(type: FrameType, flags: number, streamId: number, body?: Buffer): Promise<void>;
  forget(streamId: number): void;
}

/** A stream reset by the peer (RST) or lost with its session. */
export class StreamResetError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StreamResetError";
  }
}

/**
 * One muxado stream as a node Duplex, with flow control both ways:
 *
 * - writing: never more than the peer's window is in flight; a write waits
 *   for the peer's WNDINC (and for the socket to drain), so a slow reader on
 *   the other side holds the writer here (backpressure);
 * - reading: the peer may send at most `window` bytes we have not consumed;
 *   credit goes back (WNDINC) as the data is handed to the reader, which
 *   Node does only while the reader keeps up (readableHighWaterMark).
 *   More than the window from the peer is a flow-control error (the session
 *   goes away).
 *
 * `end()` sends FIN (half-close: the other way stays open); `destroy()` before
 * both sides finished sends RST; a RST from the peer destroys the stream with
 * StreamResetError.
 */
export class MuxadoStream extends Duplex {
  private sendWindow: number;
  private recvAvailable: number;
  private readonly queue: Buffer[] = [];
  private wantsRead = false;
  private remoteFin = false;
  private synPending: boolean;
  private localFinSent = false;
  private resetByPeer = false;
  /** The peer closed the stream after its FIN: the reader still gets what came, writes fail. */
  private writesRefused = false;
  private creditWaiters: (() => void)[] = [];
  /** Window consumed by the reader and not yet given back: sent as one WNDINC at the end of the event loop's turn. */
  private creditPending = 0;

  constructor(
    readonly id: number,
    private readonly transport: StreamTransport,
    opts: { window: number; opened: boolean },
  ) {
    super({ allowHalfOpen: true, readableHighWaterMark: MAX_DATA_FRAME, writableHighWaterMark: MAX_DATA_FRAME });
    this.sendWindow = opts.window;
    this.recvAvailable = opts.window;
    this.synPending = opts.opened;
  }

  /** A DATA frame for this stream arrived. Throws MuxadoProtocolError on a flow-control violation. */
  receiveData(body: Buffer, fin: boolean): void {
    if (this.remoteFin) {
      if (body.length > 0) throw new MuxadoProtocolError(ErrorCode.STREAM_CLOSED, `data on stream ${this.id} after its FIN`);
      return;
    }
    if (body.length > this.recvAvailable) {
      throw new MuxadoProtocolError(ErrorCode.FLOW_CONTROL, `stream ${this.id}: ${body.length} bytes sent with a window of ${this.recvAvailable}`);
    }
    if (this.destroyed) return;
    this.recvAvailable -= body.length;
    if (body.length > 0) this.queue.push(body);
    if (fin) this.remoteFin = true;
    this.pump();
  }

  /** Whether the peer has sent its FIN: it sends nothing more on this stream. */
  get finishedByPeer(): boolean {
    return this.remoteFin;
  }

  /**
   * Gives the peer one more byte of window, at once: the smallest frame that carries a TCP ACK back
   * (an increment of 0 is a protocol error to ngrok's agent, as in HTTP/2). Nothing after the peer's
   * FIN, nor while less than a frame's worth of window is left.
   */
  nudge(): void {
    // Not while the peer is held by this window (a reader that does not read): each byte granted
    // would draw a one-byte frame, answered again, a trickle that never ends.
    // Nor when credit is about to go this turn anyway (giveCredit).
    if (this.remoteFin || this.destroyed || this.recvAvailable < MAX_DATA_FRAME || this.creditPending > 0) return;
    this.recvAvailable += 1;
    void this.transport.sendFrame(FrameType.WNDINC, 0, this.id, wndInc(1)).catch(() => {});
  }

  /**
   * Gives the peer back the window the reader consumed this turn, in one WNDINC: the frames of one
   * read of the socket (a bulk transfer's many) cost one frame back, not one each. None after the
   * peer's FIN (it sends nothing more).
   */
  private giveCredit(): void {
    const credit = this.creditPending;
    this.creditPending = 0;
    if (this.remoteFin || this.destroyed) return;
    void this.transport.sendFrame(FrameType.WNDINC, 0, this.id, wndInc(credit)).catch(() => {});
  }

  /** The peer gave `increment` more bytes of window. */
  receiveWindowIncrement(increment: number): void {
    if (this.sendWindow + increment > MAX_WINDOW) throw new MuxadoProtocolError(ErrorCode.FLOW_CONTROL, `stream ${this.id}: window over 2^31`);
    this.sendWindow += increment;
    this.wake();
  }

  /** The peer reset the stream (RST), or the session is gone. */
  receiveReset(code: ErrorCode, why = `stream ${this.id} reset by the peer (code ${code})`): void {
    this.resetByPeer = true;
    if (this.remoteFin && !this.destroyed) {
      // The peer sent all it had (FIN), then reset the stream (whatever the code, it can only mean
      // "send me nothing more"): what is queued is still the reader's; destroying now would drop it
      // (a download cut short while its client was slower than the agent). Nothing more may be
      // written; the stream goes once the reader has had everything.
      this.writesRefused = true;
      this.wake();
      if (this.readableEnded) this.destroy();
      else this.once("end", () => this.destroy());
      return;
    }
    this.wake();
    this.destroy(new StreamResetError(code, why));
  }

  override _read(): void {
    this.wantsRead = true;
    this.pump();
  }

  /** Hands queued data to the reader while it wants more, and gives the peer back the credit for it. */
  private pump(): void {
    if (this.destroyed) return;
    let credit = 0;
    while (this.wantsRead && this.queue.length > 0) {
      const chunk = this.queue.shift()!;
      credit += chunk.length;
      this.wantsRead = this.push(chunk);
    }
    if (credit > 0) {
      this.recvAvailable += credit;
      if (this.creditPending === 0) setImmediate(() => this.giveCredit());
      this.creditPending += credit;
    }
    if (this.remoteFin && this.queue.length === 0 && !this.readableEnded) this.push(null);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.send(chunk).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.send(Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.localFinSent = true;
    if (this.writesRefused) return callback();
    this.transport.sendFrame(FrameType.DATA, FLAG_FIN | this.takeSyn(), this.id).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const finished = this.localFinSent && this.remoteFin;
    // A stream this side opened and never sent on is unknown to the peer: nothing to reset.
    if (!finished && !this.resetByPeer && !this.synPending) {
      void this.transport.sendFrame(FrameType.RST, this.takeSyn(), this.id, rst(ErrorCode.STREAM_CANCELLED)).catch(() => {});
    }
    this.queue.length = 0;
    this.wake();
    this.transport.forget(this.id);
    callback(error);
  }

  private takeSyn(): number {
    const syn = this.synPending ? FLAG_SYN : 0;
    this.synPending = false;
    return syn;
  }

  /** Sends `chunk` in frames no larger than the peer's window allows at each moment. */
  private async send(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      while (this.sendWindow <= 0) {
        if (this.destroyed || this.writesRefused) throw new StreamResetError(ErrorCode.STREAM_CLOSED, `stream ${this.id} is closed`);
        await new Promise<void>((resolve) => this.creditWaiters.push(resolve));
      }
      if (this.destroyed || this.writesRefused) throw new StreamResetError(ErrorCode.STREAM_CLOSED, `stream ${this.id} is closed`);
      const n = Math.min(this.sendWindow, chunk.length - offset, MAX_DATA_FRAME);
      this.sendWindow -= n;
      await this.transport.sendFrame(FrameType.DATA, this.takeSyn(), this.id, chunk.subarray(offset, offset + n));
      offset += n;
    }
  }

  private wake(): void {
    const waiters = this.creditWaiters;
    this.creditWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

function wndInc(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

function rst(code: ErrorCode): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(code, 0);
  return b;
}
