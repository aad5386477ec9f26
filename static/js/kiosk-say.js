/* The kiosk's spoken phrases: an MP3 from the server in the visitor's voice (data-say,
   /kiosk/say/…), else the browser's own voice. On the start screen each choice says its
   name when tapped, then goes where it leads. The voice's language tag and the browser
   rate come from the idle dialog, which every kiosk page has. */

const SAY_AT_MOST_MS = 4000; // a choice goes on even if its phrase has not ended by then

function voiceOf() {
  const dialog = document.querySelector('[data-module="rd-kiosk"]');
  return {
    lang: dialog ? dialog.getAttribute("data-voice-tag") || "" : "",
    rate: dialog ? Number(dialog.getAttribute("data-browser-rate")) || 1 : 1,
  };
}

export function stopAllSound() {
  document.querySelectorAll("audio, video").forEach((media) => media.pause());
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}

/* Say `text` (its audio at `url`); returns {stop, done}, done resolving when it has been said
   or could not be. */
export function speakPhrase(url, text) {
  stopAllSound();
  let finish;
  const done = new Promise((resolve) => { finish = resolve; });
  let stopped = false;
  const browserVoice = () => {
    if (stopped || !window.speechSynthesis || !window.SpeechSynthesisUtterance) {
      finish();
      return;
    }
    const utterance = new SpeechSynthesisUtterance(text);
    const voice = voiceOf();
    utterance.lang = voice.lang;
    utterance.rate = voice.rate;
    utterance.onend = finish;
    utterance.onerror = finish;
    window.speechSynthesis.speak(utterance);
  };
  const sound = new Audio(url);
  sound.setAttribute("data-kiosk-phrase", "");
  sound.addEventListener("ended", finish, { once: true });
  sound.addEventListener("error", browserVoice, { once: true });
  sound.play().catch(browserVoice);
  window.rdKioskPhrase = sound; // the sound being said, for a look from outside (tests)
  return {
    done,
    stop() {
      stopped = true;
      sound.pause();
      if (window.speechSynthesis) window.speechSynthesis.cancel();
      finish();
    },
  };
}

export function startKioskSay() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest('[data-module="rd-kiosk-say"]');
    if (!link || event.defaultPrevented || event.button !== 0) return;
    event.preventDefault();
    const said = speakPhrase(link.getAttribute("data-say"), link.getAttribute("data-say-text"));
    const go = () => window.location.assign(link.href);
    Promise.race([said.done, new Promise((resolve) => setTimeout(resolve, SAY_AT_MOST_MS))]).then(go);
  });
}
