/**
 * muxado's frames, as ngrok's agents put them on the wire (ngrok-rust
 * `muxado/src/codec.rs`, `frame.rs`): an 8-byte header (uint24 length, 4-bit
 * type, 4-bit flags, uint32 stream id whose top bit is reserved), then
 * `length` bytes of body. Pure: no sockets here.
 */

export const FrameType = { RST: 0, DATA: 1, WNDINC: 2, GOAWAY: 3 } as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** muxado's PROTOCOL.md says 0x10 for SYN; the code and the wire say 0x2. */
export const FLAG_FIN = 0x1;
export const FLAG_SYN = 0x2;

export const HEADER_LENGTH = 8;
/** The largest body a 24-bit length can say. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** Stream ids are 31 bits. */
export const MAX_STREAM_ID = 0x7fffffff;

/** muxado's error codes (RST and GOAWAY bodies). */
export const ErrorCode = {
  NONE: 0x00,
  PROTOCOL: 0x01,
  INTERNAL: 0x02,
  FLOW_CONTROL: 0x03,
  STREAM_CLOSED: 0x04,
  STREAM_REFUSED: 0x05,
  STREAM_CANCELLED: 0x06,
  STREAM_RESET: 0x07,
  FRAME_SIZE: 0x08,
  ACCEPT_QUEUE_FULL: 0x09,
  ENHANCE_YOUR_CALM: 0x0a,
  REMOTE_GONE_AWAY: 0x0b,
  STREAMS_EXHAUSTED: 0x0c,
  WRITE_TIMEOUT: 0x0d,
  SESSION_CLOSED: 0x0e,
  PEER_EOF: 0x0f,
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface Frame {
  type: FrameType;
  flags: number;
  streamId: number;
  body: Buffer;
}

/** A violation of the protocol by the peer: the session answers it with GOAWAY and this code. */
export class MuxadoProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "MuxadoProtocolError";
  }
}

/** The 8-byte header of a frame with a body of `length` bytes. */
export function encodeHeader(type: FrameType, flags: number, streamId: number, length: number): Buffer {
  if (length < 0 || length > MAX_FRAME_LENGTH) throw new RangeError(`frame body of ${length} bytes`);
  if (streamId < 0 || streamId > MAX_STREAM_ID) throw new RangeError(`stream id ${streamId}`);
  const header = Buffer.allocUnsafe(HEADER_LENGTH);
  header.writeUInt32BE(((length << 8) | ((type & 0xf) << 4) | (flags & 0xf)) >>> 0, 0);
  header.writeUInt32BE(streamId, 4);
  return header;
}

const u32 = (n: number) => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};

export const rstBody = (code: ErrorCode) => u32(code);
export const wndIncBody = (increment: number) => u32(increment);
export function goAwayBody(lastStreamId: number, code: ErrorCode, message: string): Buffer {
  return Buffer.concat([u32(lastStreamId), u32(code), Buffer.from(message.slice(0, 256), "utf8")]);
}

/** What each frame type's body must be: RST and WNDINC exactly 4 bytes, GOAWAY at least 8. */
function checkBody(frame: Frame): void {
  const { type, body, streamId } = frame;
  if ((type === FrameType.RST || type === FrameType.WNDINC) && body.length !== 4) {
    throw new MuxadoProtocolError(ErrorCode.FRAME_SIZE, `${type === FrameType.RST ? "RST" : "WNDINC"} frame with a ${body.length}-byte body`);
  }
  if (type === FrameType.GOAWAY && body.length < 8) throw new MuxadoProtocolError(ErrorCode.FRAME_SIZE, `GOAWAY frame with a ${body.length}-byte body`);
  if (type !== FrameType.GOAWAY && streamId === 0) throw new MuxadoProtocolError(ErrorCode.PROTOCOL, "a stream frame on stream 0");
}

/**
 * Cuts a byte stream into frames. `push` takes what arrived and returns the
 * frames completed by it; a header naming a body over `maxLength` (before the
 * body is buffered), an unknown type or a malformed body throws
 * MuxadoProtocolError.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxLength: number = MAX_FRAME_LENGTH) {}

  push(chunk: Buffer): Frame[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Frame[] = [];
    while (this.buffered >= HEADER_LENGTH) {
      const head = this.peek(HEADER_LENGTH);
      const word = head.readUInt32BE(0);
      const length = word >>> 8;
      const type = (word >>> 4) & 0xf;
      const flags = word & 0xf;
      const streamId = head.readUInt32BE(4) & MAX_STREAM_ID;
      if (type > FrameType.GOAWAY) throw new MuxadoProtocolError(ErrorCode.PROTOCOL, `unknown frame type ${type}`);
      if (length > this.maxLength) throw new MuxadoProtocolError(ErrorCode.FRAME_SIZE, `a frame of ${length} bytes (at most ${this.maxLength})`);
      if (this.buffered < HEADER_LENGTH + length) break;
      const whole = this.take(HEADER_LENGTH + length);
      const frame: Frame = { type: type as FrameType, flags, streamId, body: whole.subarray(HEADER_LENGTH) };
      checkBody(frame);
      frames.push(frame);
    }
    return frames;
  }

  private peek(n: number): Buffer {
    // Only as many chunks as the header spans are joined: a large body is copied once, in take().
    while (this.chunks[0]!.length < n) this.chunks.splice(0, 2, Buffer.concat([this.chunks[0]!, this.chunks[1]!]));
    return this.chunks[0]!.subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0]!;
    const out = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
