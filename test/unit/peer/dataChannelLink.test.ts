import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/logger.js';
import { DataChannelLink } from '../../../src/peer/DataChannelLink.js';

/** A channel whose `readyState` answers from a script, like a native channel that moves between two reads. */
class ScriptedChannel {
  readonly sent: unknown[] = [];
  reads = 0;
  refuse = false;
  states: RTCDataChannelState[] = [];
  last: RTCDataChannelState = 'connecting';
  binaryType = 'blob';
  onmessage: unknown = null;
  onopen: unknown = null;
  onclose: unknown = null;
  get readyState(): RTCDataChannelState {
    this.reads++;
    this.last = this.states.shift() ?? this.last;
    return this.last;
  }
  send(data: unknown): void {
    if (this.refuse) throw new DOMException('closing', 'InvalidStateError');
    this.sent.push(data);
  }
  close(): void {}
}

function linked(): { link: DataChannelLink; app: ScriptedChannel; control: ScriptedChannel } {
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
  return { link, app: channels[1]!, control: channels[0]! };
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

describe('DataChannelLink.sendControl', () => {
  it('after the open event, sends without reading readyState (a blocking native call in @roamhq/wrtc)', () => {
    const { link, control } = linked();
    (control.onopen as () => void)();
    control.reads = 0;
    expect(link.sendControl({ type: 'bye' })).toBe(true);
    expect(control.sent).toEqual(['{"type":"bye"}']);
    expect(control.reads).toBe(0);
    link.close();
  });

  it('before the open event, readyState decides (open before its event ran: sent; connecting: not sent)', () => {
    const { link, control } = linked();
    control.states = ['connecting'];
    expect(link.sendControl({ type: 'bye' })).toBe(false);
    control.states = ['open'];
    expect(link.sendControl({ type: 'bye' })).toBe(true);
    expect(control.sent).toEqual(['{"type":"bye"}']);
    link.close();
  });

  it('a channel that refuses the message (closing under us) gives false instead of throwing', () => {
    const { link, control } = linked();
    (control.onopen as () => void)();
    control.refuse = true;
    expect(link.sendControl({ type: 'bye' })).toBe(false);
    link.close();
  });

  it('after the peer closed the control channel, does not send on it', () => {
    const { link, control } = linked();
    (control.onopen as () => void)();
    (control.onclose as () => void)();
    control.states = ['closed'];
    expect(link.sendControl({ type: 'bye' })).toBe(false);
    expect(control.sent).toEqual([]);
    link.close();
  });
});
