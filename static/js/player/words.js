/* The word being said, marked inside the sentence being read, following the <audio>'s
   currentTime through the server's word timing (the manifest's "words": [start_ms,
   char_start, char_end] in the sentence's text). The mark is a plain <span> with no role,
   so a screen reader reads the sentence as before; the sentence keeps its own highlight.
   With no timing (the browser's own voice) nothing is marked. */

const WORD = "rd-word";

export function createWordFollower(audio) {
  let span = null; // the sentence whose words are followed
  let words = null;
  let url = ""; // its audio: the words follow only that
  let shown = -1;
  let frame = 0;
  let own = null; // the sentence's own nodes (a search mark, a 术语 button), put back after

  /* The sentence back as it was, with no word mark. */
  function unmark() {
    if (span && shown >= 0 && own) span.replaceChildren(...own);
    own = null;
    shown = -1;
  }

  function mark(n) {
    if (n === shown) return;
    if (!own) own = Array.from(span.childNodes);
    const text = span.textContent;
    const [, start, end] = words[n];
    const word = document.createElement("span");
    word.className = WORD;
    word.textContent = text.slice(start, end);
    span.replaceChildren(text.slice(0, start), word, text.slice(end));
    shown = n;
  }

  function playingMine() {
    return !audio.paused && !audio.ended && audio.currentSrc && audio.currentSrc.endsWith(url);
  }

  function tick() {
    frame = 0;
    if (!span || !words) return;
    if (playingMine()) {
      const now = audio.currentTime * 1000;
      let n = -1;
      while (n + 1 < words.length && words[n + 1][0] <= now) n += 1;
      if (n < 0) unmark();
      else mark(n);
    }
    frame = window.requestAnimationFrame(tick);
  }

  /** Follow `timing` (or none) for sentence `sentenceSpan`, whose audio is `audioUrl`. */
  function follow(sentenceSpan, audioUrl, timing) {
    stop();
    if (!sentenceSpan || !audioUrl || !timing || !timing.length) return;
    span = sentenceSpan;
    url = audioUrl;
    words = timing;
    frame = window.requestAnimationFrame(tick);
  }

  function stop() {
    if (frame) window.cancelAnimationFrame(frame);
    frame = 0;
    unmark();
    span = null;
    words = null;
  }

  return { follow: follow, stop: stop };
}
