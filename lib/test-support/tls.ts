import type { AddressInfo } from "node:net";
import { X509Certificate } from "node:crypto";
import tls from "node:tls";
import type { TlsSource } from "@/lib/tunnels/tls/tls-source";

/**
 * A bare TLS server on 127.0.0.1 (random port) serving a TlsSource as the
 * agent listener will: `createServer(current())`, then `setSecureContext` on
 * each change. It says nothing after the handshake and closes what it accepts.
 */
export async function serveTls(source: TlsSource, host = "127.0.0.1"): Promise<{ port: number; servernames: (string | false)[]; close(): Promise<void> }> {
  const servernames: (string | false)[] = [];
  const server = tls.createServer(source.current(), (socket) => {
    servernames.push((socket as tls.TLSSocket & { servername: string | false }).servername);
    socket.on("error", () => {});
    socket.once("data", () => socket.destroy());
  });
  server.on("tlsClientError", () => {});
  const stop = source.onChange((options) => server.setSecureContext(options));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    servernames,
    close: () => {
      stop();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Handshake = { ok: true; certPem: string } | { ok: false; error: string };

/**
 * A TLS client trusting only `ca` (Node's verification: chain and name). With
 * an IP host and no servername it sends no SNI, as ngrok's agents do for an IP
 * server_addr.
 */
export function handshake(options: { host: string; port: number; ca: string; servername?: string }): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: options.host, port: options.port, ca: options.ca, servername: options.servername, timeout: 5_000 });
    let secure = false;
    socket.once("secureConnect", () => {
      secure = true;
      const certPem = new X509Certificate(socket.getPeerCertificate().raw).toString();
      // A byte, then the server's close: the server has seen the whole handshake (and its SNI) by then.
      socket.write("x");
      socket.once("close", () => resolve({ ok: true, certPem }));
    });
    // After the handshake, the server's reset of the connection is the expected end.
    socket.on("error", (error) => secure || resolve({ ok: false, error: `${(error as NodeJS.ErrnoException).code ?? ""} ${error.message}` }));
    socket.once("timeout", () => {
      socket.destroy();
      resolve({ ok: false, error: "timeout" });
    });
  });
}
