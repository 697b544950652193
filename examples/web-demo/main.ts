/**
 * The plain-TypeScript demo page: two tabs open the same `?room=`, and the relay started by `npm run demo:web`
 * connects them. Everything a call holds is released by the session itself; this page only draws.
 */
import { attachStream, CallSession, type EndReason, WebSocketSignaling } from '../../src/index.js';
import { fetchRole, formatCountdown, roomFromLocation } from './shared.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

async function main(): Promise<void> {
  const { room, maxDurationMs } = roomFromLocation(location);
  const polite = await fetchRole(room);
  // A function: the session opens the socket in start() and closes it at the end, after its bye.
  const session = new CallSession({
    signaling: () => new WebSocketSignaling({ url: `ws://${location.host}/relay`, room }),
    polite,
    maxDurationMs,
    expiryWarningMs: 10_000,
  });

  const status = $('status');
  const countdown = $('countdown');
  session.on('stateChange', (state) => {
    status.textContent = `room "${room}": ${state}`;
  });
  session.on('localStream', (stream) => {
    session.ended.then(attachStream($<HTMLVideoElement>('local'), stream));
  });
  session.on('remoteStream', (stream) => {
    session.ended.then(attachStream($<HTMLVideoElement>('remote'), stream));
  });
  session.on('tick', ({ remainingMs }) => {
    countdown.textContent = formatCountdown(remainingMs);
  });
  session.on('expiring', () => countdown.classList.add('expiring'));
  session.on('ended', ({ reason }) => showEnded(reason));

  for (const kind of ['audio', 'video'] as const) {
    const button = $<HTMLButtonElement>(`mute-${kind}`);
    button.onclick = () => {
      session.setMuted(kind, !session.isMuted(kind));
      const muted = session.isMuted(kind);
      button.textContent =
        kind === 'audio' ? (muted ? 'Unmute mic' : 'Mute mic') : muted ? 'Start camera' : 'Stop camera';
    };
  }
  $<HTMLButtonElement>('end').onclick = () => session.end();
  $<HTMLButtonElement>('again').onclick = () => location.reload();
  countdown.textContent = formatCountdown(session.remainingMs);
  void session.start();
}

function showEnded(reason: EndReason): void {
  $('reason').textContent = reason;
  $('ended').hidden = false;
  $('call').hidden = true;
  for (const id of ['mute-audio', 'mute-video', 'end']) $<HTMLButtonElement>(id).disabled = true;
  document.body.dataset.ended = reason;
}

void main().catch((error: unknown) => {
  $('status').textContent = `could not start: ${String(error)}`;
});
