import { describe, expect, it } from "vitest";
import { AnswerError, AnswerReader, type AnswerHead } from "./answer-reader";

/** Reads `raw` through an AnswerReader, in pieces of `step` bytes: what it handed on, and whether it ended. */
function read(raw: string | Buffer, opts: { step?: number; headRequest?: boolean; eof?: boolean } = {}) {
  const bytes = typeof raw === "string" ? Buffer.from(raw, "latin1") : raw;
  const heads: AnswerHead[] = [];
  const body: Buffer[] = [];
  let ended = 0;
  const reader = new AnswerReader({ head: (h) => heads.push(h), body: (c) => body.push(Buffer.from(c)), end: () => ended++ }, { headRequest: opts.headRequest ?? false, maxHeadBytes: 1024 });
  const step = opts.step ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) reader.push(bytes.subarray(i, i + step));
  if (opts.eof) reader.eof();
  return { heads, body: Buffer.concat(body).toString("latin1"), ended, done: reader.done };
}

const chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n";

describe("reading an agent's answer only as far as its framing", () => {
  it("ends a Content-Length body at its length, whatever the pieces, and ignores what follows", () => {
    for (const step of [1, 3, 1000]) {
      const r = read("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhelloEXTRA", { step });
      expect(r.heads).toEqual([{ status: 200, statusText: "OK", rawHeaders: ["Content-Length", "5", "X-A", "b"] }]);
      expect([r.body, r.ended, r.done]).toEqual(["hello", 1, true]);
    }
  });

  it("decodes a chunked body (extensions, trailers) byte by byte or whole, and ends at the last chunk", () => {
    for (const step of [1, 2, 7, 1000]) {
      const r = read(chunked, { step });
      expect([r.heads[0]!.status, r.body, r.ended]).toEqual([200, "hello, world", 1]);
    }
    expect(read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").ended).toBe(1);
  });

  it("reads no body for HEAD, 204 and 304, though a Content-Length is given", () => {
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", { headRequest: true })).toMatchObject({ body: "", ended: 1 });
    expect(read("HTTP/1.1 204 No Content\r\n\r\n")).toMatchObject({ body: "", ended: 1 });
    expect(read("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")).toMatchObject({ body: "", ended: 1 });
    expect(read("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")).toMatchObject({ body: "", ended: 1 });
  });

  it("skips interim answers (100 Continue) and reads the real one", () => {
    const r = read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", { step: 4 });
    expect(r.heads.map((h) => h.status)).toEqual([201]);
    expect(r.body).toBe("ok");
  });

  it("reads a body with neither length nor chunking until the agent ends the stream", () => {
    const r = read("HTTP/1.0 200 OK\r\n\r\nall of it", { eof: true });
    expect([r.body, r.ended]).toEqual(["all of it", 1]);
    expect(read("HTTP/1.1 200 OK\r\n\r\nsome").ended).toBe(0);
  });

  it("refuses answers cut short or malformed, and heads over the limit", () => {
    expect(() => read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", { eof: true })).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", { eof: true })).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 200 OK\r\nCont", { eof: true })).toThrow(AnswerError);
    expect(() => read("SSH-2.0-x\r\n\r\n")).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX")).toThrow(AnswerError);
    expect(() => read(`HTTP/1.1 200 OK\r\nX: ${"a".repeat(2000)}`)).toThrow(AnswerError);
    expect(() => read("HTTP/1.1 101 Switching Protocols\r\n\r\n")).toThrow(AnswerError);
  });
});
