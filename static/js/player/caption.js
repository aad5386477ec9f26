/* 大字幕 on a small screen: the bar holds at most a quarter of the window (the stylesheet
   says so), and a sentence longer than that scrolls within the bar as it is spoken, so the
   part being said is in view. While the bar shows, the player's controls are docked above
   it (the stylesheet again); their height is measured into --rd-dock-height, which pads the
   page so nothing focused hides beneath them, and their height in the page before they
   docked into --rd-controls-room, the room kept for them so the text does not move. */

const CHARACTERS_A_SECOND = 4; // how fast a voice says Chinese, when the audio's length is not yet known

function reducedMotion() {
  return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/** Have `caption` follow what `audio` says, and measure `controls` when they dock. */
export function startCaptionFollowing(caption, audio, controls, player) {
  if (!caption) return;

  function follow() {
    const room = caption.scrollHeight - caption.clientHeight;
    if (room <= 0 || audio.paused) return;
    const text = caption.textContent.trim();
    const length = Number.isFinite(audio.duration) && audio.duration > 0
      ? audio.duration
      : text.length / CHARACTERS_A_SECOND;
    const said = Math.min(1, audio.currentTime / length);
    // the line being said sits in the middle of the bar, and no line is cut in half at its top
    const line = parseFloat(window.getComputedStyle(caption).lineHeight) || 1;
    const middle = Math.max(0, said * caption.scrollHeight - caption.clientHeight / 2);
    const top = Math.min(room, Math.floor(middle / line) * line);
    if (Math.abs(top - caption.scrollTop) < 2) return;
    caption.scrollTo({ top: top, behavior: reducedMotion() ? "auto" : "smooth" });
  }

  function measureDock() {
    const docked = !controls.hidden && window.getComputedStyle(controls).position === "fixed";
    document.documentElement.style.setProperty("--rd-dock-height", docked ? controls.offsetHeight + "px" : "0px");
    if (!docked && !controls.hidden) document.documentElement.style.setProperty("--rd-controls-room", controls.offsetHeight + "px");
  }

  audio.addEventListener("timeupdate", follow);
  if (window.ResizeObserver) new window.ResizeObserver(measureDock).observe(controls);
  new MutationObserver(measureDock).observe(player, { attributes: true, attributeFilter: ["class", "data-captions"] });
  window.addEventListener("resize", measureDock);
  measureDock();
}
