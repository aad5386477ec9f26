/* Where reading stopped, kept across reloads and page turns.

   localStorage keeps the sentence last highlighted ({slug, n, seq}): a reload shows it
   again and 朗读 resumes there. sessionStorage keeps the page that 连读 turned to
   ({slug, n}): that page carries on reading by itself, when a page could not be turned in
   place. Storage may be blocked or full; the player still works then, it only forgets.

   The sentence also goes into 继续阅读's cookie (reader/web/last_read.py), which the
   server writes with the page alone; its name and age come from the player's
   data-last-read-cookie and data-last-read-max-age. */

const POSITION_KEY = "rd-player-position";
const CONTINUE_KEY = "rd-player-continue";

function storage(kind) {
  try {
    return window[kind];
  } catch (error) {
    return null;
  }
}

function readJSON(store, key) {
  try {
    return store ? JSON.parse(store.getItem(key) || "null") : null;
  } catch (error) {
    return null;
  }
}

function writeJSON(store, key, value) {
  try {
    if (store) store.setItem(key, JSON.stringify(value));
  } catch (error) { /* full or blocked: nothing to do */ }
}

function forget(store, key) {
  try {
    if (store) store.removeItem(key);
  } catch (error) { /* blocked */ }
}

/* 继续阅读's cookie: "<slug>:<n>:<seq>", "<slug>:<n>" without a seq, gone when `place` is null. */
function writeLastRead(place) {
  const player = document.querySelector("[data-last-read-cookie]");
  const name = player && player.getAttribute("data-last-read-cookie");
  if (!name) return;
  const maxAge = place ? player.getAttribute("data-last-read-max-age") : "0";
  let value = place ? encodeURIComponent(place.slug) + ":" + place.n : "";
  if (place && place.seq !== undefined) value += ":" + place.seq;
  document.cookie = name + "=" + value + "; path=/; samesite=lax" + (maxAge ? "; max-age=" + maxAge : "");
}

export function rememberSentence(slug, n, seq) {
  writeJSON(storage("localStorage"), POSITION_KEY, { slug: slug, n: n, seq: seq });
  writeLastRead({ slug: slug, n: n, seq: seq });
  // for whatever follows the reading, such as the kiosk's 在手机上继续 code (handoff.js)
  document.dispatchEvent(new CustomEvent("rd:sentence", { detail: { slug: slug, n: n, seq: seq } }));
}

/** Reading was stopped on page n of `slug` (继续阅读 keeps the page), or, with no
    arguments, reached the end of the report (nothing is left to continue). */
export function forgetSentence(slug, n) {
  forget(storage("localStorage"), POSITION_KEY);
  writeLastRead(slug ? { slug: slug, n: n } : null);
}

/** Where reading stopped in report `slug`, on whichever page: {n, seq}, or null. */
export function rememberedPlace(slug) {
  const stored = readJSON(storage("localStorage"), POSITION_KEY);
  if (!stored || stored.slug !== slug || !(stored.n >= 1) || !(stored.seq >= 0)) return null;
  return { n: stored.n, seq: stored.seq };
}

/** The sentence remembered on page n of report `slug`, or -1. */
export function rememberedSentence(slug, n) {
  const stored = readJSON(storage("localStorage"), POSITION_KEY);
  return stored && stored.slug === slug && stored.n === n && stored.seq >= 0 ? stored.seq : -1;
}

/** 连读 turns to page n: that page starts reading at its first sentence. */
export function continueOnPage(slug, n) {
  writeJSON(storage("sessionStorage"), CONTINUE_KEY, { slug: slug, n: n });
  rememberSentence(slug, n, 0);
}

/** Whether 连读 turned to this page; asked once on arrival, as a reload must not carry on. */
export function arrivedByContinuing(slug, n) {
  const carriedOn = readJSON(storage("sessionStorage"), CONTINUE_KEY);
  forget(storage("sessionStorage"), CONTINUE_KEY);
  return Boolean(carriedOn && carriedOn.slug === slug && carriedOn.n === n);
}
