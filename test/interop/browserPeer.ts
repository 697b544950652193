/**
 * A browser tab as an {@link InteropPeer}: each method is one `evaluate` of the same-named method of
 * `window.interopPeer` (page/peer.ts), served with the relay's URL from 127.0.0.1.
 */
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { BrowserDriver, DrivenPage } from '../browser/drivers.js';
import { bundle, closeServer, listen, receiveJson } from '../browser/harness.js';
import type { PagePeerApi } from './page/peer.js';
import type { InteropPeer, MediaCounts, PeerReport, PeerStartOptions } from './peerApi.js';

/** Serves the peer page at `/` and collects the end reports pages beacon to `/report`. */
export async function servePeerPage(): Promise<{
  url: string;
  beacons: PeerReport[];
  close(): Promise<void>;
}> {
  const script = await bundle(join(import.meta.dirname, 'page', 'peer.ts'));
  const beacons: PeerReport[] = [];
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/report' && request.method === 'POST') {
      receiveJson<PeerReport>(request, response, (report) => beacons.push(report));
    } else if (path === '/elsewhere') {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>');
    } else if (path === '/peer.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (path === '/') {
      response
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<!doctype html><title>hangup interop peer</title><script src="/peer.js"></script>');
    } else {
      response.writeHead(404).end();
    }
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/`, beacons, close: () => closeServer(server) };
}

type Method = keyof PagePeerApi;

export class BrowserPeer implements InteropPeer {
  readonly runtime: string;
  readonly #page: DrivenPage;
  readonly #url: string;
  #closed = false;

  private constructor(runtime: string, page: DrivenPage, url: string) {
    this.runtime = runtime;
    this.#page = page;
    this.#url = url;
  }

  static async open(driver: BrowserDriver, url: string): Promise<BrowserPeer> {
    return new BrowserPeer(driver.name, await driver.newPage(url), url);
  }

  #call<M extends Method>(
    method: M,
    ...args: Parameters<PagePeerApi[M]>
  ): Promise<Awaited<ReturnType<PagePeerApi[M]>>> {
    return this.#page.evaluate(
      ([name, callArgs]) => {
        const peer = (window as unknown as { interopPeer: Record<string, (...a: unknown[]) => unknown> })
          .interopPeer;
        return peer[name as string]?.(...(callArgs as unknown[]));
      },
      [method, args] as const,
    ) as Promise<Awaited<ReturnType<PagePeerApi[M]>>>;
  }

  start(options: PeerStartOptions): Promise<string> {
    return this.#call('start', options);
  }
  counts(): Promise<MediaCounts> {
    return this.#call('counts');
  }
  report(): Promise<PeerReport> {
    return this.#call('report');
  }
  send(text: string): Promise<void> {
    return this.#call('send', text);
  }
  setMuted(kind: 'audio' | 'video', muted: boolean): Promise<void> {
    return this.#call('setMuted', kind, muted);
  }
  switchCamera(): Promise<string> {
    return this.#call('switchCamera');
  }
  restartIce(): Promise<void> {
    return this.#call('restartIce');
  }
  end(): Promise<void> {
    return this.#call('end');
  }
  ended(): Promise<PeerReport> {
    return this.#call('ended');
  }
  async navigateAway(): Promise<void> {
    await this.#page.goto(new URL('/elsewhere', this.#url).href);
  }
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#page.close({ runBeforeUnload: true });
  }
}
