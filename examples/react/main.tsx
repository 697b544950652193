/**
 * The React demo: the same call as examples/web-demo, with `useCallSession`. The call lives exactly as long as
 * <Call> is mounted; StrictMode is on, and still only one camera is opened.
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { WebSocketSignaling } from '../../src/index.js';
import { useCallSession, useMediaStreamRef } from '../../src/react/index.js';
import { fetchRole, formatCountdown, roomFromLocation } from '../web-demo/shared.js';

function Call({ room, polite, maxDurationMs }: { room: string; polite: boolean; maxDurationMs: number }) {
  const { session, state, localStream, remoteStream, remainingMs, endReason, muted, end } = useCallSession(
    {
      // Owned by the session: opened in start(), closed at the end (StrictMode's discarded mount opens none).
      signaling: () => new WebSocketSignaling({ url: `ws://${location.host}/relay`, room }),
      polite,
      maxDurationMs,
      expiryWarningMs: 10_000,
    },
    [room, polite, maxDurationMs],
  );
  const localRef = useMediaStreamRef(localStream);
  const remoteRef = useMediaStreamRef(remoteStream);

  const toggle = (kind: 'audio' | 'video') => session?.setMuted(kind, !muted[kind]);

  if (state === 'ended') {
    return (
      <section id="ended" data-reason={endReason}>
        <h2>Call ended</h2>
        <p>
          Reason: <strong id="reason">{endReason}</strong>
        </p>
        <p>
          Camera and microphone are off.{' '}
          <button type="button" onClick={() => location.reload()}>
            Call again
          </button>
        </p>
      </section>
    );
  }
  return (
    <>
      <p id="status">
        room "{room}": {state}
      </p>
      <main id="call">
        <figure>
          <video id="local" ref={localRef} autoPlay playsInline muted>
            <track kind="captions" />
          </video>
          <figcaption>you</figcaption>
        </figure>
        <figure>
          <video id="remote" ref={remoteRef} autoPlay playsInline>
            <track kind="captions" />
          </video>
          <figcaption>peer</figcaption>
        </figure>
      </main>
      <p id="countdown">{formatCountdown(remainingMs)}</p>
      <nav>
        <button type="button" onClick={() => toggle('audio')}>
          {muted.audio ? 'Unmute mic' : 'Mute mic'}
        </button>
        <button type="button" onClick={() => toggle('video')}>
          {muted.video ? 'Start camera' : 'Stop camera'}
        </button>
        <button type="button" id="end" className="end" onClick={() => end()}>
          Hang up
        </button>
      </nav>
    </>
  );
}

function App() {
  const { room, maxDurationMs } = roomFromLocation(location);
  const [polite, setPolite] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void fetchRole(room).then(setPolite);
  }, [room]);
  if (polite === undefined) return <p>joining…</p>;
  return (
    <>
      <h1>
        hangup <small>React demo</small>
      </h1>
      <Call room={room} polite={polite} maxDurationMs={maxDurationMs} />
    </>
  );
}

const container = document.getElementById('root');
if (container) {
  createRoot(container).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
