import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { DataChannelLink } from '../../../src/peer/DataChannelLink.js';

/** A channel whose `readyState` answers from a script, like a native channel that moves between two reads. */
class ScriptedChannel {
  readonly sent: unknown[] = [];
  states: RTCDataChannelState[] = [];
  last: RTCDataChannelState = 'connecting';
  binaryType = 'blob';
  onmessage: unknown = null;
  onopen: unknown = null;
  onclose: unknown = null;
  get readyState(): RTCDataChannelState {
    this.last = this.states.shift() ?? this.last;
    return this.last;
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
  close(): void {}
}

function linked(): { link: DataChannelLink; app: ScriptedChannel } {
  const channels: ScriptedChannel[] = [];
  const pc = {
    createDataChannel: () => {
      const channel = new ScriptedChannel();
      channels.push(channel);
      return channel;
    },
  } as unknown as RTCPeerConnection;
  const link = new DataChannelLink({
    message: () => {},
    control: () => {},
    closedByPeer: () => {},
    logger: silentLogger,
  });
  link.attach(pc);
  return { link, app: channels[1]! };
}

describe('DataChannelLink.send', () => {
  it('sends when the channel opens between two reads of readyState, instead of throwing', () => {
    const { link, app } = linked();
    app.states = ['connecting', 'open'];
    expect(() => link.send('first')).not.toThrow();
    // It saw 'connecting', so it waits in the queue.
    expect(app.sent).toEqual([]);
    app.states = ['open'];
    link.send('second');
    expect(app.sent).toEqual(['first', 'second']);
    link.close();
  });

  it('sends what was queued first when the channel is open before its open event ran', () => {
    const { link, app } = linked();
    link.send('queued');
    expect(app.sent).toEqual([]);
    app.states = ['open'];
    link.send('next');
    expect(app.sent).toEqual(['queued', 'next']);
    (app.onopen as () => void)();
    expect(app.sent).toEqual(['queued', 'next']);
    link.close();
  });
});
