const ADDRESS = Symbol.for("botdesk.instanceAddress");
type WithAddress = typeof globalThis & { [ADDRESS]?: string | null };

/**
 * Where other instances reach this one's forwarder (`host:port`,
 * BOTDESK_INSTANCE_ADDRESS or its default), once the forwarder listens
 * (lib/tunnels/forwarder/serve-forwarder.ts); null while it does not. Every
 * tunnel session this process starts records it (startSession), so a request
 * arriving at another instance is forwarded here.
 */
export function thisInstanceAddress(): string | null {
  return (globalThis as WithAddress)[ADDRESS] ?? null;
}

export function setThisInstanceAddress(address: string | null): void {
  (globalThis as WithAddress)[ADDRESS] = address;
}
