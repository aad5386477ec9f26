/* A kiosk's visit (reader/web/kiosk.py): after data-idle seconds with no tap, key, scroll or
   sound, the dialog asks 还在阅读吗？ (focus moved into it, read aloud in the visitor's voice)
   and counts down data-countdown seconds; a tap or key anywhere, or its button, stays.
   Unanswered, the audio stops, the browser's storage and the visit's cookies are cleared,
   and the server ends the visit (data-end-url), which goes to the start screen. While the
   visitor is active the page renews the visit on the server at most every data-ping
   seconds, so the server never forgets a visitor the page still counts as present. */

import { speakPhrase, stopAllSound } from "./kiosk-say.js";

const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel", "scroll", "input"];

/* Reading aloud counts as activity: the player reading (also while its next sentence is
   being made), any sound playing, or the browser's voice speaking. */
function soundPlaying() {
  if (document.querySelector(".rd-player--playing")) return true;
  const playing = [...document.querySelectorAll("audio, video")].some((m) => !m.paused && !m.ended);
  return playing || Boolean(window.speechSynthesis && window.speechSynthesis.speaking);
}

function clearVisit(cookies) {
  stopAllSound();
  try {
    window.localStorage.clear();
    window.sessionStorage.clear();
  } catch (error) {
    // storage refused (a private profile): nothing was kept there
  }
  for (const name of cookies) document.cookie = `${name}=; Max-Age=0; path=/; SameSite=Lax`;
}

export function startKiosk() {
  const dialog = document.querySelector('[data-module="rd-kiosk"]');
  if (!dialog || typeof dialog.showModal !== "function") return;
  const seconds = (name) => Number(dialog.getAttribute(name)) * 1000;
  const idle = seconds("data-idle");
  const countdown = seconds("data-countdown");
  const ping = seconds("data-ping");
  const cookies = (dialog.getAttribute("data-visit-cookies") || "").split(" ").filter(Boolean);
  const shown = dialog.querySelectorAll("[data-kiosk-seconds]");
  let lastActivity = Date.now();
  let lastPing = Date.now(); // the page's own request renewed the visit
  let deadline = 0;
  let ending = false;
  let question = null;

  // A new visit on the server: whatever an earlier visitor's pages kept goes too.
  if (dialog.getAttribute("data-new-visit") === "true") clearVisit([]);

  const renewVisit = () => {
    lastPing = Date.now();
    fetch(dialog.getAttribute("data-visit-url"), { method: "POST", credentials: "same-origin", keepalive: true })
      .catch(() => {});
  };

  const stay = () => {
    if (question) question.stop();
    question = null;
    if (dialog.open) dialog.close();
    lastActivity = Date.now();
    renewVisit();
  };

  // The tap that answers the dialog is only an answer: the click it ends in must not
  // press whatever lies under the finger once the dialog has gone.
  let swallowClickUntil = 0;
  const noteActivity = (event) => {
    if (ending) return;
    if (dialog.open) {
      if (event && event.type !== "keydown") swallowClickUntil = Date.now() + 1000;
      stay();
      return;
    }
    lastActivity = Date.now();
    if (lastActivity - lastPing >= ping) renewVisit();
  };

  const ask = () => {
    deadline = Date.now() + countdown;
    shown.forEach((el) => { el.textContent = String(Math.round(countdown / 1000)); });
    dialog.showModal();
    question = speakPhrase(dialog.getAttribute("data-say-url"), dialog.getAttribute("data-say-text"));
  };

  const end = () => {
    ending = true;
    if (question) question.stop();
    clearVisit(cookies);
    window.location.replace(dialog.getAttribute("data-end-url"));
  };

  const tick = () => {
    if (ending) return;
    const now = Date.now();
    if (!dialog.open) {
      if (soundPlaying()) noteActivity();
      if (now - lastActivity >= idle) ask();
      return;
    }
    const left = Math.max(0, Math.ceil((deadline - now) / 1000));
    shown.forEach((el) => { el.textContent = String(left); });
    if (left <= 0) end();
  };

  for (const type of ACTIVITY) {
    document.addEventListener(type, noteActivity, { capture: true, passive: true });
  }
  document.addEventListener("click", (event) => {
    if (Date.now() > swallowClickUntil) return;
    swallowClickUntil = 0;
    event.preventDefault();
    event.stopPropagation();
  }, { capture: true });
  dialog.querySelector("button").addEventListener("click", stay);
  dialog.addEventListener("close", () => {
    if (!ending && question) stay(); // Esc closes the dialog: that is staying too
  });
  // A page the browser kept from before (Back, a swipe back) asks the server again.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
  window.setInterval(tick, 250);
}
