import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { z } from "zod";

/**
 * The instance-to-instance forwarder's wire format (one TCP connection per
 * forwarded request or TCP connection; nothing else shares it):
 *
 *   holder → sender   MAGIC (4 bytes) ‖ nonce (16 random bytes)
 *   sender → holder   header length (uint16 BE, 1..MAX_HEADER_BYTES) ‖ header (JSON) ‖ MAC (32 bytes)
 *   holder → sender   one status byte (STATUS), then, when OK, the stream's bytes both ways
 *
 * MAC = HMAC-SHA-256(key, MAGIC ‖ nonce ‖ length ‖ header), with a key derived
 * from AUTH_SECRET (which every instance on one database shares) by HKDF: the
 * secret itself never travels, and a MAC over the holder's fresh nonce cannot
 * be replayed on another connection.
 */
export const MAGIC = Buffer.from("BDF1", "latin1");
export const NONCE_BYTES = 16;
export const MAC_BYTES = 32;
/** The longest header: a hostname (253), an endpoint id and a client address fit many times over. */
export const MAX_HEADER_BYTES = 1024;

export const STATUS = {
  /** The holder opened a stream to the agent: bytes follow both ways. */
  ok: 0,
  /** The MAC (or the header) was refused: the connection is closed. */
  refused: 1,
  /** No such endpoint is held here (it moved, or ended): the sender answers ERR_NGROK_3200. */
  notHere: 2,
  /** The endpoint is held here but its agent could not open a stream: the sender answers 502. */
  agentUnreachable: 3,
} as const;

export const forwardHeaderSchema = z
  .object({
    /** tunnel_endpoints.id of the endpoint the sender looked up. */
    endpointId: z.string().min(1).max(64),
    proto: z.enum(["http", "https", "tcp"]),
    /** The HTTP(S) endpoint's hostname, or the TCP endpoint's port. */
    hostname: z.string().min(1).max(253).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    /** The original client's address (the holder gives it to the agent as ngrok's ClientAddr). */
    clientAddr: z.string().max(128),
  })
  .strict()
  .refine((h) => (h.proto === "tcp" ? h.port !== undefined && h.hostname === undefined : h.hostname !== undefined && h.port === undefined), "a hostname for http(s), a port for tcp");

export type ForwardHeader = z.infer<typeof forwardHeaderSchema>;

/** The forwarding key of an AUTH_SECRET (HKDF-SHA-256, its own label: never the key that seals server keys). */
export function forwardingKey(authSecret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", Buffer.from(authSecret, "utf8"), Buffer.from("botdesk", "utf8"), Buffer.from("instance-forwarding", "utf8"), 32));
}

function mac(key: Buffer, nonce: Buffer, lengthAndHeader: Buffer): Buffer {
  return createHmac("sha256", key).update(MAGIC).update(nonce).update(lengthAndHeader).digest();
}

/** The sender's part: length, header and MAC, for the holder's `nonce`. */
export function encodeHeader(key: Buffer, nonce: Buffer, header: ForwardHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  if (json.length > MAX_HEADER_BYTES) throw new Error(`forward header of ${json.length} bytes: at most ${MAX_HEADER_BYTES}`);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(json.length);
  const body = Buffer.concat([length, json]);
  return Buffer.concat([body, mac(key, nonce, body)]);
}

/**
 * Reads the sender's part from `buffered` (what has arrived so far):
 * `incomplete` until all of it is there, `refused` for a length out of bounds,
 * a wrong MAC or a header that is not one, else the header and how many bytes it took.
 */
export function decodeHeader(key: Buffer, nonce: Buffer, buffered: Buffer): { kind: "incomplete" } | { kind: "refused"; why: string } | { kind: "ok"; header: ForwardHeader; used: number } {
  if (buffered.length < 2) return { kind: "incomplete" };
  const length = buffered.readUInt16BE(0);
  if (length < 1 || length > MAX_HEADER_BYTES) return { kind: "refused", why: `a header of ${length} bytes` };
  const used = 2 + length + MAC_BYTES;
  if (buffered.length < used) return { kind: "incomplete" };
  const expected = mac(key, nonce, buffered.subarray(0, 2 + length));
  if (!timingSafeEqual(expected, buffered.subarray(2 + length, used))) return { kind: "refused", why: "a wrong MAC (another AUTH_SECRET?)" };
  let json: unknown;
  try {
    json = JSON.parse(buffered.subarray(2, 2 + length).toString("utf8"));
  } catch {
    return { kind: "refused", why: "a header that is not JSON" };
  }
  const parsed = forwardHeaderSchema.safeParse(json);
  if (!parsed.success) return { kind: "refused", why: "a header of the wrong shape" };
  return { kind: "ok", header: parsed.data, used };
}
