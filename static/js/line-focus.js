/* Line focus (聚焦1行/3行/5行): the overlay (data-module="rd-guide") dims all but a band of
   1, 3 or 5 lines around the reading position. The position is whichever came last: the
   pointer (a mouse moving or wheeling, a finger's tap), the keyboard (the focused element,
   or the caret when the reader browses with one), or, while the page is read aloud, the
   word being said, else the sentence (the player marks them rd-word and
   rd-sentence--current; a MutationObserver watches for that, so the player knows nothing
   of this). The band is snapped to the line of text there, N of that text's line heights
   tall, so it never cuts through a line. CSS shows the overlay only when line focus is
   chosen and JavaScript runs; this only tells it where the band is. */

const CHOSEN = /(?:^|\s)rd-guide--focus(\d)(?:\s|$)/;
const SPOKEN_WORD = ".rd-sentence--current .rd-word";
const SPOKEN_SENTENCE = ".rd-sentence--current";

/** How many lines the reader chose to keep lit; 0 when line focus is off. */
function linesChosen() {
  const match = CHOSEN.exec(document.documentElement.className);
  return match ? Number(match[1]) : 0;
}

function lineHeightOf(element) {
  const style = window.getComputedStyle(element);
  const height = parseFloat(style.lineHeight);
  return Number.isNaN(height) ? parseFloat(style.fontSize) * 1.2 : height;
}

/* The box of the character at `offset` in text node `node` (or the one before it, at the
   end of the text), or null. */
function characterBox(node, offset) {
  const length = node.textContent.length;
  if (!length) return null;
  const start = Math.max(0, Math.min(offset, length - 1));
  const range = document.createRange();
  range.setStart(node, start);
  range.setEnd(node, start + 1);
  const boxes = range.getClientRects();
  return boxes.length ? boxes[boxes.length - 1] : null;
}

/* The line of text at (x, y) as {centre, height}, or, over no text, a line as tall as the
   text there would have, centred on y. */
function lineAtPoint(x, y) {
  let node = null;
  let offset = 0;
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    if (position) [node, offset] = [position.offsetNode, position.offset];
  } else if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    if (range) [node, offset] = [range.startContainer, range.startOffset];
  }
  if (node && node.nodeType === Node.TEXT_NODE) {
    const box = characterBox(node, offset);
    const height = lineHeightOf(node.parentElement);
    if (box && Math.abs(box.top + box.height / 2 - y) <= height) {
      return { centre: box.top + box.height / 2, height: height };
    }
  }
  const under = document.elementFromPoint(x, y);
  return { centre: y, height: lineHeightOf(under || document.body) };
}

/* The first line of `element`'s text, or of the element itself when it has none. */
function firstLineOf(element) {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const offset = node.textContent.search(/\S/);
    if (offset < 0) continue;
    const box = characterBox(node, offset);
    if (box && box.height) return { centre: box.top + box.height / 2, height: lineHeightOf(node.parentElement) };
  }
  const box = element.getBoundingClientRect();
  const height = lineHeightOf(element);
  return { centre: box.top + Math.min(box.height, height) / 2, height: height };
}

export function startLineFocus() {
  const overlay = document.querySelector("[data-module='rd-guide']");
  if (!overlay) return;
  let anchor = { x: window.innerWidth / 2, y: 0, element: document.querySelector("main") };
  let spoken = null;
  let frame = 0;

  function place() {
    frame = 0;
    const lines = linesChosen();
    if (!lines) return;
    const line = anchor.element && anchor.element.isConnected
      ? firstLineOf(anchor.element)
      : lineAtPoint(anchor.x, anchor.y);
    const half = (lines * line.height) / 2;
    overlay.style.setProperty("--rd-focus-top", line.centre - half + "px");
    overlay.style.setProperty("--rd-focus-bottom", line.centre + half + "px");
  }

  function schedule() {
    if (!frame) frame = window.requestAnimationFrame(place);
  }

  function followPoint(event) {
    anchor = { x: event.clientX, y: event.clientY, element: null };
    schedule();
  }

  function followElement(element) {
    anchor = { x: 0, y: 0, element: element };
    schedule();
  }

  document.addEventListener("pointermove", followPoint, { passive: true });
  document.addEventListener("pointerdown", followPoint, { passive: true });
  document.addEventListener("wheel", followPoint, { passive: true });
  document.addEventListener("focusin", (event) => {
    if (event.target instanceof Element) followElement(event.target);
  });
  /* A caret moved by the keyboard (caret browsing); a click's caret is where the pointer is. */
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || !selection.isCollapsed || !selection.rangeCount) return;
    const box = selection.getRangeAt(0).getBoundingClientRect();
    if (box.height) {
      anchor = { x: box.left, y: box.top + box.height / 2, element: null };
      schedule();
    }
  });
  const main = document.querySelector("main");
  if (main && window.MutationObserver) {
    new window.MutationObserver(() => {
      const now = main.querySelector(SPOKEN_WORD) || main.querySelector(SPOKEN_SENTENCE);
      if (now && now !== spoken) followElement(now);
      spoken = now;
    }).observe(main, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
  }
  window.addEventListener("scroll", schedule, { passive: true });
  window.addEventListener("resize", schedule);
  document.addEventListener("rd:settings", schedule);
  schedule();
}
