import { describe, expect, it } from "vitest";
import { bodyIsOver, bodyLimitFor, bodyTooLarge, BODY_MAX_BYTES } from "./body-limit";

/** A chunked body: `chunks` chunks of `size` bytes, counting how many were pulled. */
function stream(chunks: number, size: number) {
  const pulled = { count: 0 };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled.count === chunks) return controller.close();
      pulled.count++;
      controller.enqueue(new Uint8Array(size));
    },
  }, { highWaterMark: 0 }); // pulled only when read
  return { body, pulled };
}

describe("bodyIsOver", () => {
  it("trusts Content-Length and reads nothing", async () => {
    const { body, pulled } = stream(100, 64 * 1024);
    expect(await bodyIsOver(new Headers({ "content-length": String(BODY_MAX_BYTES + 1) }), body, BODY_MAX_BYTES)).toBe(true);
    expect(await bodyIsOver(new Headers({ "content-length": String(BODY_MAX_BYTES) }), body, BODY_MAX_BYTES)).toBe(false);
    expect(pulled.count).toBe(0);
  });

  it("counts a chunked body and stops reading as soon as it passes the limit", async () => {
    const huge = stream(10_000, 64 * 1024); // 640 MB if it were read whole
    expect(await bodyIsOver(new Headers(), huge.body, BODY_MAX_BYTES)).toBe(true);
    expect(huge.pulled.count).toBeLessThanOrEqual(BODY_MAX_BYTES / (64 * 1024) + 2);
    expect(await bodyIsOver(new Headers(), stream(15, 64 * 1024).body, BODY_MAX_BYTES)).toBe(false); // 983,040 bytes
    expect(await bodyIsOver(new Headers(), stream(16, 64 * 1024).body, BODY_MAX_BYTES)).toBe(true); // 1 MiB
    expect(await bodyIsOver(new Headers(), null, BODY_MAX_BYTES)).toBe(false);
  });
});

describe("bodyTooLarge", () => {
  it("answers the APIs in their JSON shape and everything else in plain text (what Next's client shows for an action)", async () => {
    expect(bodyLimitFor("/api/v1/bot_users")).toBe(64 * 1024);
    expect(bodyLimitFor("/agent/sessions")).toBe(64 * 1024); // no route, answered in the APIs' JSON shape
    expect(bodyLimitFor("/agents")).toBe(BODY_MAX_BYTES);
    expect(bodyLimitFor("/users")).toBe(BODY_MAX_BYTES);
    const api = bodyTooLarge("/api/v1/bot_users", "op-1");
    expect(api.status).toBe(413);
    expect(await api.json()).toEqual({ error_code: "ERR_BOTDESK_413", status_code: 413, msg: "The request body is larger than 64 KiB.", details: { operation_id: "op-1" } });
    const page = bodyTooLarge("/users", "op-2");
    expect(page.status).toBe(413);
    expect(page.headers.get("content-type")).toBe("text/plain");
    expect(await page.text()).toBe("The request body is larger than 1 MB.");
  });
});
