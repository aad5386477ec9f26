/* Choosing what to read in the page's text (data-module="rd-reading-body"): with 连读 a
   click reads on from the clicked sentence; with 指读 a tap, or the mouse resting on a
   sentence or a paragraph for POINT_DELAY, reads just that. A click that ends a text
   selection reads nothing. */

const POINT_DELAY = 800; // ms the pointer rests on a sentence before 指读 reads it

/** Clicks and pointing in `body` start `reading` at the sentences `spans`. */
export function startPointReading(body, spans, reading) {
  function sentenceAt(target) {
    const span = target.closest && target.closest("[data-sentence]");
    return span ? spans.indexOf(span) : -1;
  }

  /* [first, last] sentence of the paragraph or heading at `target`, or null. */
  function blockAt(target) {
    const block = target.closest && target.closest("[data-block]");
    if (!block || !body.contains(block)) return null;
    const inside = Array.from(block.querySelectorAll("[data-sentence]"));
    if (!inside.length) return null;
    return [spans.indexOf(inside[0]), spans.indexOf(inside[inside.length - 1])];
  }

  function readWhatWasChosen(target) {
    const i = sentenceAt(target);
    const how = reading.setting("reading");
    if (how === "point") {
      if (i >= 0) {
        if (!(reading.isPlaying() && reading.current() === i)) reading.start(i, "single");
        return;
      }
      const block = blockAt(target);
      if (block) reading.start(block[0], "block", block[1]);
    } else if (i >= 0 && (how === "continuous" || reading.isPlaying())) {
      reading.start(i, "continuous");
    }
  }

  body.addEventListener("click", (event) => {
    const selection = window.getSelection && window.getSelection();
    if (selection && !selection.isCollapsed) return;
    readWhatWasChosen(event.target);
  });

  let restTimer = 0;
  let restingOn = null;
  body.addEventListener("pointerover", (event) => {
    if (reading.setting("reading") !== "point" || event.pointerType !== "mouse") return;
    const target = event.target.closest("[data-sentence], [data-block]");
    if (target === restingOn) return;
    restingOn = target;
    window.clearTimeout(restTimer);
    if (!target) return;
    restTimer = window.setTimeout(() => {
      if (restingOn === target) readWhatWasChosen(target);
    }, POINT_DELAY);
  });
  body.addEventListener("pointerleave", () => {
    restingOn = null;
    window.clearTimeout(restTimer);
  });
}
