import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { attachStream } from '../../../src/index.js';
import { useMediaStreamRef } from '../../../src/react/index.js';
import { createFakeMediaStream } from '../../../src/testing/index.js';
import { mount } from './reactHarness.js';

function Player({ stream }: { stream: MediaStream | undefined }) {
  return (
    <video ref={useMediaStreamRef(stream)}>
      <track kind="captions" />
    </video>
  );
}

describe('attachStream', () => {
  it('sets srcObject and clears it on detach, only if the element still shows that stream', () => {
    const element = { srcObject: null as MediaProvider | null };
    const first = createFakeMediaStream();
    const second = createFakeMediaStream();
    const detachFirst = attachStream(element, first);
    expect(element.srcObject).toBe(first);
    const detachSecond = attachStream(element, second);
    detachFirst();
    expect(element.srcObject).toBe(second);
    detachSecond();
    expect(element.srcObject).toBeNull();
    element.srcObject = first;
    detachSecond();
    expect(element.srcObject).toBe(first);
  });
});

describe('useMediaStreamRef', () => {
  it('shows the stream, swaps it, and detaches when it becomes undefined or the element unmounts', async () => {
    // happy-dom's srcObject only accepts its own MediaStream.
    const a = new MediaStream();
    const b = new MediaStream();
    const view = await mount(<Player stream={a} />);
    const video = () => document.querySelector('video') as HTMLVideoElement;
    expect(video().srcObject).toBe(a);
    await view.render(<Player stream={b} />);
    expect(video().srcObject).toBe(b);
    await view.render(<Player stream={undefined} />);
    expect(video().srcObject).toBeNull();
    await view.render(<Player stream={a} />);
    const element = video();
    await view.unmount();
    expect(element.srcObject).toBeNull();
    await act(async () => {});
  });
});
