import { describe, expect, it } from 'vitest';
import { settle } from '../../../src/testing/index.js';
import { expectReleased, solo } from '../../helpers/fakeCall.js';

// Review of the "peer connection built while media is acquired" change (since 958e589): the media controls
// guard on `peerConnection()` to mean "a started call whose media is ready". The connection now exists during
// 'starting', before any track is on it, so the guard no longer holds.

describe('media controls while the call is still starting', () => {
  it('switchDevice during starting is refused (TypeError), as before the peer connection was built early', async () => {
    const s = solo({ polite: false });
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    expect(s.session.state).toBe('starting');
    let outcome: unknown = 'pending';
    s.session.switchDevice('audio', 'mic-2').then(
      () => {
        outcome = 'resolved';
      },
      (error: unknown) => {
        outcome = error;
      },
    );
    await settle();
    // Before the change this rejected at once: "needs a started call whose media is ready". Now it asks
    // for a second microphone while the first request is still open.
    const requests = s.runtime.pendingMedia.length;
    s.session.end();
    for (const request of [...s.runtime.pendingMedia]) request.resolve();
    await settle();
    expect(requests).toBe(1);
    expect(outcome).toBeInstanceOf(TypeError);
    expectReleased(s.session);
  });

  it('a device switch that lands before the camera leaves one sender per kind, each carrying a track of localStream', async () => {
    const s = solo({ polite: false });
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    const switched = s.session.switchDevice('audio', 'mic-2').catch((error: unknown) => error);
    await settle();
    // Whatever the session decides, the pc and localStream must agree once both requests are in.
    const [main, forSwitch] = s.runtime.pendingMedia;
    forSwitch?.resolve();
    await settle();
    main?.resolve();
    await settle();
    await switched;
    const senders = s.pc().getSenders();
    const kinds = senders.map((sender) => sender.track?.kind);
    expect(kinds.filter((kind) => kind === 'audio')).toHaveLength(1);
    const local = s.session.localStream?.getTracks() ?? [];
    for (const sender of senders) expect(local).toContain(sender.track);
    s.session.end();
    await settle();
    expectReleased(s.session);
  });

  it('a screen share that lands before the camera leaves one video sender, carrying the screen shown in localStream', async () => {
    const s = solo({ polite: false });
    s.runtime.holdMedia();
    void s.session.start();
    await settle();
    const sharing = s.session.startScreenShare().catch((error: unknown) => error);
    await settle();
    // Refused during starting, so no display request is made; were one made, it would land first here.
    const [main, display] = s.runtime.pendingMedia;
    display?.resolve();
    await settle();
    main?.resolve();
    await settle();
    expect(await sharing).toBeInstanceOf(TypeError);
    const senders = s.pc().getSenders();
    expect(senders.filter((sender) => sender.track?.kind === 'video')).toHaveLength(1);
    const local = s.session.localStream?.getTracks() ?? [];
    for (const sender of senders) expect(local).toContain(sender.track);
    s.session.end();
    await settle();
    expectReleased(s.session);
  });
});
