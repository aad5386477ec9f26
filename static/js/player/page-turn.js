/* Page turns in place, so that reading aloud never stops: the next page is fetched and its
   text swapped into this document, and the address, title, page links and focus follow.
   The page's one <audio> element stays where it is and keeps playing; phone browsers let
   an element play on once a tap has started it, but ask a newly loaded page for a tap of
   its own. Every link still leads to a real page, for everything without this script. */

/* The parts of <main> that live on across a page turn: the player (with its <audio>) and
   大字幕 keep their elements and take the new page's data-* attributes; the text's
   element stays too (its listeners with it) and takes the new page's sentences. */
const KEPT = ["rd-player", "rd-caption", "rd-reading-body"];
const REFILLED = "rd-reading-body";
const KEPT_SELECTOR = KEPT.map((name) => "[data-module='" + name + "']").join(", ");

/** The page at `url` as a document, and the address it came from after redirects. */
export async function fetchPage(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok || !(response.headers.get("Content-Type") || "").startsWith("text/html")) {
    throw new Error("page " + url + ": " + response.status);
  }
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  if (!doc.querySelector("main")) throw new Error("page " + url + ": no <main>");
  return { doc: doc, url: response.url };
}

function copyDataAttributes(from, to) {
  Array.from(from.attributes).forEach((attribute) => {
    if (attribute.name.startsWith("data-") || attribute.name === "lang") to.setAttribute(attribute.name, attribute.value);
  });
}

/* <link rel=prev|next> in <head>, as the new page has them. */
function replaceHeadLinks(doc) {
  document.head.querySelectorAll("link[rel='prev'], link[rel='next']").forEach((link) => link.remove());
  doc.head.querySelectorAll("link[rel='prev'], link[rel='next']").forEach((link) => {
    document.head.appendChild(document.importNode(link, false));
  });
}

/* Links and forms that come back here after a setting (…&next=/r/x/2) now come back to the new page. */
function retarget(oldPath, newPath) {
  document.querySelectorAll("a[href*='next=']").forEach((link) => {
    const url = new URL(link.href, window.location.href);
    if (url.origin !== window.location.origin || url.searchParams.get("next") !== oldPath) return;
    url.searchParams.set("next", newPath);
    link.setAttribute("href", url.pathname + url.search + url.hash);
  });
  document.querySelectorAll("input[name='next']").forEach((input) => {
    if (input.value === oldPath) input.value = newPath;
  });
}

function pathOf(url) {
  const parsed = new URL(url, window.location.href);
  return parsed.pathname + parsed.search;
}

let shown = pathOf(window.location.href); // the page this document shows now

/** The path and query of the page shown, which Back and Forward may have left behind. */
export function shownPath() {
  return shown;
}

function kept(node) {
  return node.nodeType === Node.ELEMENT_NODE && KEPT.includes(node.getAttribute("data-module"));
}

function holdsKept(node) {
  return node.nodeType === Node.ELEMENT_NODE && (kept(node) || Boolean(node.querySelector(KEPT_SELECTOR)));
}

/* The child of `liveParent` that plays the part of `fresh`: the same kept module, or the
   element that holds the same kept module as `fresh` holds. */
function counterpart(fresh, liveParent) {
  const name = kept(fresh) ? fresh.getAttribute("data-module") : fresh.querySelector(KEPT_SELECTOR).getAttribute("data-module");
  return Array.from(liveParent.children).find((child) => (
    kept(fresh) ? child.getAttribute("data-module") === name : child.querySelector("[data-module='" + name + "']")
  )) || null;
}

/* Make `liveParent`'s children those of `freshParent`, never moving a kept element nor
   the elements around it: Chromium pauses an <audio> the moment it leaves the document,
   even to be put back at once. */
function morph(liveParent, freshParent) {
  const pairs = Array.from(freshParent.childNodes).map((node) => [node, holdsKept(node) ? counterpart(node, liveParent) : null]);
  const staying = new Set(pairs.map((pair) => pair[1]).filter(Boolean));
  Array.from(liveParent.childNodes).forEach((node) => { if (!staying.has(node)) node.remove(); });
  let next = liveParent.firstChild;
  pairs.forEach(([fresh, live]) => {
    if (!live) {
      liveParent.insertBefore(document.adoptNode(fresh), next);
      return;
    }
    if (kept(live)) {
      copyDataAttributes(fresh, live);
      if (live.getAttribute("data-module") === REFILLED) live.replaceChildren(...Array.from(fresh.childNodes).map((node) => document.adoptNode(node)));
    } else {
      morph(live, fresh);
    }
    next = live.nextSibling;
  });
}

/**
 * Show `page` (from fetchPage) in place of this one. `history` is "push" for a page turn,
 * "none" when the address already says it (Back and Forward). Focus goes to the text,
 * which comes into view unless `scroll` is false (reading aloud scrolls to its sentence).
 */
export function showPage(page, history, scroll) {
  const main = document.querySelector("main");
  morph(main, page.doc.querySelector("main"));
  document.title = page.doc.title;
  replaceHeadLinks(page.doc);
  if (history === "push") window.history.pushState({ rdPage: true }, "", page.url);
  retarget(shown, pathOf(page.url));
  shown = pathOf(page.url);
  const text = main.querySelector("[data-module='" + REFILLED + "']") || main;
  if (!text.hasAttribute("tabindex")) text.setAttribute("tabindex", "-1");
  text.focus({ preventScroll: true });
  if (scroll !== false) text.scrollIntoView({ block: "start" });
}
