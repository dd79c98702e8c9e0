// The bar at the top of the page: connection state, the sound controls, sign-out (wired in app.js).

const CONNECTION_TEXT = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
  stopped: 'Signed out',
};

/** Shows the socket's state in words (and a coloured dot by `data-state`, from style.css). */
export function showConnection(element, status) {
  element.dataset.state = status.state;
  element.textContent =
    status.state === 'reconnecting' && status.retryInMs
      ? `Reconnecting in ${Math.max(1, Math.round(status.retryInMs / 1000))} s…`
      : (CONNECTION_TEXT[status.state] ?? status.state);
}

const MUTE_KEY = 'switchboard.muted';

/**
 * The mute toggle (remembered for this tab) and the "Turn sound on" button, shown while the browser still
 * holds sound back because nobody has tapped the page yet (after a reload). Returns a function that redraws
 * both, for after sign-in.
 */
export function wireSoundControls({ tones, mute, soundOn, soundState, storage = sessionStorage }) {
  tones.muted = storage.getItem(MUTE_KEY) === 'true';
  const render = () => {
    // A toggle keeps one name ("Mute") and says its state with aria-pressed (WAI-ARIA APG, Button pattern);
    // the bar says in words that sound is off, so nobody mistakes a silent phone for a quiet shift.
    mute.setAttribute('aria-pressed', String(tones.muted));
    if (soundState) soundState.hidden = !tones.muted;
    soundOn.hidden = tones.ready || tones.muted;
  };
  const unlock = () => tones.unlock().then(render);
  mute.addEventListener('click', () => {
    tones.muted = !tones.muted;
    storage.setItem(MUTE_KEY, String(tones.muted));
    if (!tones.muted) unlock();
    render();
  });
  soundOn.addEventListener('click', unlock);
  // After a reload there has been no gesture yet: the first tap anywhere turns sound on.
  document.addEventListener('pointerdown', unlock, { once: true });
  render();
  return render;
}
