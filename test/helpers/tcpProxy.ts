import { createServer, type Server, type Socket } from 'node:net';

/** A loopback TCP proxy that can cut every connection through it at once (a dropped network path). */
export interface TcpProxy {
  /** The proxy's port on 127.0.0.1. */
  readonly port: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** How many connections have been accepted so far. */
  readonly accepted: number;
  /** Destroys every open connection, both halves, without a close handshake; returns how many it cut. */
  cut(): number;
  /**
   * Stops forwarding on every open connection, both ways, without closing anything: what either end writes is
   * read and discarded. A half-open path: each end still thinks its socket open (until `cut`).
   */
  stall(): void;
  /** Points new connections at another target port (the relay moved to another process). */
  retarget(port: number): void;
  /** Refuses (`true`) or accepts again (`false`) new connections. */
  refuse(refusing: boolean): void;
  /** Stops listening and cuts everything. */
  close(): Promise<void>;
}

/** Starts a proxy on a free 127.0.0.1 port forwarding to `127.0.0.1:targetPort`. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let refusing = false;
  let accepted = 0;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    accepted++;
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = new (client.constructor as typeof Socket)();
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    upstream.connect(target, '127.0.0.1');
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const proxy: TcpProxy = {
    port,
    get open() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    cut() {
      const count = pairs.size;
      for (const [client, upstream] of [...pairs]) {
        // resetAndDestroy sends a TCP RST: the abrupt loss a network change causes, not a polite FIN.
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
      return count;
    },
    stall() {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.on('data', () => {});
        upstream.on('data', () => {});
      }
    },
    retarget(port) {
      target = port;
    },
    refuse(value) {
      refusing = value;
    },
    close() {
      proxy.cut();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
