/* Where reading stopped, kept across reloads and page turns.

   localStorage keeps the sentence last highlighted ({slug, n, seq}): a reload shows it
   again and 朗读 resumes there. sessionStorage keeps the page that 连读 turned to
   ({slug, n}): that page carries on reading by itself. Storage may be blocked or full;
   the player still works then, it only forgets. */

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

export function rememberSentence(slug, n, seq) {
  writeJSON(storage("localStorage"), POSITION_KEY, { slug: slug, n: n, seq: seq });
}

export function forgetSentence() {
  forget(storage("localStorage"), POSITION_KEY);
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
