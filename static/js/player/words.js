/* The word being said, marked inside the sentence being read, following the <audio>'s
   currentTime through the server's word timing (the manifest's "words": [start_ms,
   char_start, char_end] in the sentence's text). The mark is a plain <span> with no role,
   so a screen reader reads the sentence as before; the sentence keeps its own highlight.
   With no timing (the browser's own voice) nothing is marked. */

import { shownTextNodes } from "./sentence-text.js";

const WORD = "rd-word";

/* The characters [start, end) of `root`'s shown text (readings above them not counted)
   wrapped in one mark per run of neighbours: a <ruby> wholly inside is wrapped whole,
   so its reading stays above its character. */
function wrapShown(root, start, end) {
  const targets = [];
  let offset = 0;
  for (const node of shownTextNodes(root)) {
    const length = node.data.length;
    const from = Math.max(start - offset, 0);
    const to = Math.min(end - offset, length);
    offset += length;
    if (from >= to) continue;
    if (to < length) node.splitText(to);
    const inside = from > 0 ? node.splitText(from) : node;
    const ruby = inside.parentElement.closest("ruby");
    const whole = ruby && root.contains(ruby) && ruby.firstChild === inside && inside.nextSibling
      && inside.nextSibling.nodeName === "RT";
    targets.push(whole ? ruby : inside);
  }
  let word = null;
  for (const target of targets) {
    if (!word || word.nextSibling !== target) {
      word = document.createElement("span");
      word.className = WORD;
      target.before(word);
    }
    word.append(target);
  }
}

export function createWordFollower(audio) {
  let span = null; // the sentence whose words are followed
  // Its own nodes (text, search marks, readings, a 术语 button with its listeners), put
  // back when no word is marked; a marked word is shown on copies of them.
  let own = null;
  let words = null;
  let url = ""; // its audio: the words follow only that
  let shown = -1;
  let frame = 0;

  /* The sentence back as it was, with no word mark. */
  function unmark() {
    if (span && shown >= 0 && own) span.replaceChildren(...own);
    own = null;
    shown = -1;
  }

  function mark(n) {
    if (n === shown) return;
    const [, start, end] = words[n];
    if (!own) own = Array.from(span.childNodes);
    span.replaceChildren(...own.map((node) => node.cloneNode(true)));
    wrapShown(span, start, end);
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
