/* Lock-screen and headset controls (the Media Session API): what plays is named by the
   report's title and page and its source, and play, pause, the previous and next track
   (上一句, 下一句) and stop act on the reading as the player's own buttons do. */

/**
 * Hand `reading`'s controls to the system for `player`; returns the function that names
 * what plays again, for a page turned in place. A browser without the API gets nothing.
 */
export function startMediaSession(player, reading) {
  const session = navigator.mediaSession;
  if (!session || !window.MediaMetadata) return () => {};

  function describe() {
    session.metadata = new window.MediaMetadata({
      title: player.getAttribute("data-media-title") || document.title,
      artist: player.getAttribute("data-media-artist") || "",
    });
  }

  const actions = {
    play: () => reading.resume(),
    pause: () => reading.pause(),
    previoustrack: () => reading.step(-1),
    nexttrack: () => reading.step(1),
    stop: () => reading.stop(),
  };
  Object.keys(actions).forEach((action) => {
    try {
      session.setActionHandler(action, actions[action]);
    } catch (error) { /* an action this browser does not know */ }
  });
  reading.onChange((playing) => { session.playbackState = playing ? "playing" : "paused"; });
  describe();
  return describe;
}
