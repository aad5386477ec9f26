/* The sentence being read: highlighted, kept in view above the 大字幕 bar, and shown in
   the bar (data-module="rd-caption"). The page is padded by the bar's height
   (--rd-caption-height) so that the bar never hides what has focus (WCAG 2.4.11). */

import { shownText } from "./sentence-text.js";

const CURRENT = "rd-sentence--current";

function reducedMotion() {
  return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

export function createHighlight(caption) {
  const captionText = caption && caption.querySelector("[data-caption-text]");
  let current = null;

  /* How far up from the window's foot the bar (and the controls docked under it) reach. */
  function covered() {
    return caption && caption.offsetHeight ? window.innerHeight - caption.getBoundingClientRect().top : 0;
  }

  function keepInView(span) {
    const box = span.getBoundingClientRect();
    const bottom = window.innerHeight - covered();
    if (box.top >= 0 && box.bottom <= bottom) return;
    span.scrollIntoView({ block: "center", behavior: reducedMotion() ? "auto" : "smooth" });
  }

  function showCaption(text) {
    if (!caption || !captionText) return;
    captionText.textContent = text;
    caption.hidden = !text;
    caption.scrollTop = 0;
    measureCaption();
  }

  /* When the bar has just appeared or grown, the focused control comes out from under it. */
  function measureCaption() {
    if (!caption) return;
    const height = caption.hidden ? 0 : caption.offsetHeight;
    document.documentElement.style.setProperty("--rd-caption-height", height + "px");
    const focused = document.activeElement;
    if (height && focused && focused !== document.body && !caption.contains(focused)) {
      const box = focused.getBoundingClientRect();
      if (box.bottom > window.innerHeight - covered()) {
        focused.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
      }
    }
  }

  /** Highlight and caption `span` (null: none), scrolling it into view if `scroll`. */
  function show(span, scroll) {
    if (current) current.classList.remove(CURRENT);
    current = span;
    if (!span) {
      showCaption("");
      return;
    }
    span.classList.add(CURRENT);
    showCaption(shownText(span));
    if (scroll) keepInView(span);
  }

  if (caption && window.ResizeObserver) new window.ResizeObserver(measureCaption).observe(caption);
  window.addEventListener("resize", measureCaption);
  return { show: show, measureCaption: measureCaption };
}
