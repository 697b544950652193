// The page of the browser resume test: the real WebSocketSignaling (native WebSocket), driven by the test.
import { WebSocketSignaling } from '../../../src/index.js';

interface Side {
  signaling: WebSocketSignaling;
  events: { type: string; data?: unknown }[];
}

const sides: Record<string, Side> = {};

Object.assign(globalThis, {
  resumeTest: {
    open(name: string, url: string, room: string): Promise<void> {
      const signaling = new WebSocketSignaling({ url, room });
      const side: Side = { signaling, events: [] };
      signaling.subscribe((event) =>
        side.events.push(
          event.type === 'message' ? { type: 'message', data: event.data } : { type: event.type },
        ),
      );
      sides[name] = side;
      return signaling.ready;
    },
    send(name: string, count: number, from: number): void {
      for (let i = from; i < from + count; i++) {
        sides[name]!.signaling.send({ type: 'mute', kind: 'audio', muted: i % 2 === 0, callId: `m${i}` });
      }
    },
    events(name: string) {
      return sides[name]!.events;
    },
    close(): void {
      for (const side of Object.values(sides)) side.signaling.close();
    },
  },
});
