/**
 * A loopback TCP server that accepts and drops every connection, counting them: a REST or SSH read
 * pointed at it fails at once (no TLS, no SSH banner), and a test sees whether a read was attempted.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";

export interface DroppingServer {
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startDroppingServer(): Promise<DroppingServer> {
  let accepted = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
