/**
 * Reads an agent's HTTP/1.1 answer from the raw bytes of its stream, only as
 * far as the ingress needs: the head (status line and headers) and where the
 * body ends (RFC 9112 6.3: no body for a HEAD request or a 1xx/204/304, else
 * chunked, else Content-Length, else until the agent ends its stream). The
 * body is handed on as it comes (a chunked body decoded), never buffered
 * whole. Interim answers (1xx, 101 aside) are skipped, as node's client did.
 * Pure: no sockets here. A malformed answer throws AnswerError.
 */

export interface AnswerHead {
  status: number;
  statusText: string;
  /** Names and values in turn, as sent. */
  rawHeaders: string[];
}

export interface AnswerHandlers {
  head(head: AnswerHead): void;
  body(chunk: Buffer): void;
  end(): void;
}

/** The agent's answer broke HTTP/1.1's rules (or the reader's limits). */
export class AnswerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AnswerError";
  }
}

type Mode = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-crlf" | "trailers" | "eof" | "done";

/** The longest chunk-size line (with extensions) and trailer section accepted. */
const MAX_LINE = 4096;
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

export class AnswerReader {
  private mode: Mode = "head";
  /** Bytes of a head, chunk-size line or trailer section not complete yet. */
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes left: of the Content-Length, or of the current chunk. */
  private left = 0;

  constructor(
    private readonly handlers: AnswerHandlers,
    private readonly opts: { headRequest: boolean; maxHeadBytes: number },
  ) {}

  /** Whether the whole answer was read (what the agent sends after it is ignored). */
  get done(): boolean {
    return this.mode === "done";
  }

  /** Whether the answer's head was read. */
  get headRead(): boolean {
    return this.mode !== "head";
  }

  push(chunk: Buffer): void {
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && this.mode !== "done") {
      switch (this.mode) {
        case "head": {
          const end = data.indexOf(HEAD_END);
          if (end < 0) {
            if (data.length > this.opts.maxHeadBytes) throw new AnswerError(`an answer head over ${this.opts.maxHeadBytes} bytes`);
            this.pending = data;
            return;
          }
          this.readHead(data.subarray(0, end).toString("latin1"));
          data = data.subarray(end + 4);
          break;
        }
        case "length":
        case "chunk-data": {
          const n = Math.min(this.left, data.length);
          this.handlers.body(n === data.length ? data : data.subarray(0, n));
          this.left -= n;
          data = data.subarray(n);
          if (this.left > 0) break;
          if (this.mode === "length") this.finish();
          else this.mode = "chunk-crlf";
          break;
        }
        case "eof":
          this.handlers.body(data);
          return;
        case "chunk-crlf": {
          if (data.length < 2) {
            this.pending = data;
            return;
          }
          if (data[0] !== 0x0d || data[1] !== 0x0a) throw new AnswerError("a chunk not followed by CRLF");
          data = data.subarray(2);
          this.mode = "chunk-size";
          break;
        }
        case "chunk-size": {
          const end = data.indexOf(CRLF);
          if (end < 0) {
            if (data.length > MAX_LINE) throw new AnswerError("a chunk-size line too long");
            this.pending = data;
            return;
          }
          const line = data.subarray(0, end).toString("latin1");
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(;.*)?$/.exec(line);
          if (!size) throw new AnswerError(`a malformed chunk size ${JSON.stringify(line.slice(0, 40))}`);
          this.left = parseInt(size[1]!, 16);
          data = data.subarray(end + 2);
          this.mode = this.left === 0 ? "trailers" : "chunk-data";
          break;
        }
        case "trailers": {
          // Trailers are dropped (node's server, writing the client's answer, sends none of the agent's).
          if (data[0] === 0x0d && data[1] === 0x0a) {
            this.finish();
            return;
          }
          const end = data.indexOf(HEAD_END);
          if (end < 0) {
            if (data.length > MAX_LINE) throw new AnswerError("trailers too long");
            this.pending = data;
            return;
          }
          this.finish();
          return;
        }
      }
    }
  }

  /** The agent ended its stream: the end of an answer read until then, else an answer cut short. */
  eof(): void {
    if (this.mode === "done") return;
    if (this.mode !== "eof") throw new AnswerError(this.mode === "head" ? "the stream ended before an answer" : "the stream ended inside the answer");
    this.finish();
  }

  private finish(): void {
    this.mode = "done";
    this.pending = Buffer.alloc(0);
    this.handlers.end();
  }

  private readHead(text: string): void {
    const lines = text.split("\r\n");
    const start = /^HTTP\/1\.([01]) (\d{3})(?: (.*))?$/.exec(lines[0]!);
    if (!start) throw new AnswerError(`a malformed status line ${JSON.stringify(lines[0]!.slice(0, 40))}`);
    const status = Number(start[2]);
    const rawHeaders: string[] = [];
    let length: number | undefined;
    let chunked = false;
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      const colon = line.indexOf(":");
      if (colon <= 0 || /[\s]/.test(line.slice(0, colon))) throw new AnswerError(`a malformed header line ${JSON.stringify(line.slice(0, 40))}`);
      const name = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      rawHeaders.push(name, value);
      const lower = name.toLowerCase();
      if (lower === "content-length") {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) throw new AnswerError(`a bad Content-Length ${JSON.stringify(value.slice(0, 20))}`);
        length = Number(value);
      } else if (lower === "transfer-encoding") {
        chunked = /(^|,)[ \t]*chunked[ \t]*$/i.test(value);
      }
    }
    if (status >= 100 && status < 200) {
      if (status === 101) throw new AnswerError("101 Switching Protocols to a request that asked for no upgrade");
      return; // An interim answer: the real one follows.
    }
    this.handlers.head({ status, statusText: start[3] ?? "", rawHeaders });
    if (this.opts.headRequest || status === 204 || status === 304) return this.finish();
    if (chunked) this.mode = "chunk-size";
    else if (length !== undefined) {
      this.left = length;
      if (length === 0) this.finish();
      else this.mode = "length";
    } else this.mode = "eof";
  }
}
