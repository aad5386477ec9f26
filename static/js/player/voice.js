/* The player's sound: the page's one <audio> element plays the server's recording of a
   sentence; the browser's own speechSynthesis speaks it when the server has no voice or
   its audio keeps failing. When the server's voices are busy (503 or 429 with a short
   Retry-After), the sentence's audio is asked again once after that wait, and only then
   does the browser speak it.

   Never two voices: one <audio>, speechSynthesis cancelled before anything plays, and a
   token bumped whenever speech starts or stops, so late callbacks of old speech see a
   stale token and do nothing. */

const AUDIO_FAILURES_BEFORE_FALLBACK = 2; // then the rest of the page uses speechSynthesis
const BUSY_RETRIES = 1; // a sentence's audio asked again this often after a busy server's wait
const LONGEST_BUSY_WAIT = 5; // seconds; a server asking for longer: the browser speaks at once
const CLAUSE = /[^，、；：。！？]+[，、；：。！？]*|[，、；：。！？]+/g; // a clause and the marks after it

/* The plain <audio controls> of the whole page becomes the player's silent servant. */
function takeOver(audio) {
  audio.pause();
  audio.removeAttribute("controls");
  audio.removeAttribute("src");
  audio.preload = "auto";
  audio.classList.add("rd-player__audio--replaced");
  audio.setAttribute("aria-hidden", "true");
  audio.load();
}

/* The server makes a sentence's audio on its first fetch; ask for the next one early. */
function warm(url) {
  fetch(url, { credentials: "same-origin" }).catch(() => {});
}

/* After the <audio> failed on `url`: the seconds the server asked to wait if it was busy
   (503 or 429 with a short Retry-After), else null. */
function busyWait(url) {
  return fetch(url, { credentials: "same-origin", cache: "no-store" }).then((response) => {
    if (response.body) response.body.cancel().catch(() => {});
    if (response.status !== 503 && response.status !== 429) return null;
    const seconds = Number(response.headers.get("Retry-After"));
    return Number.isFinite(seconds) && seconds <= LONGEST_BUSY_WAIT ? seconds : null;
  }, () => null);
}

function chooseBrowserVoice(lang) {
  const voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
  const wanted = lang.toLowerCase();
  const exact = voices.filter((v) => (v.lang || "").toLowerCase().replace("_", "-") === wanted);
  if (exact.length) return exact[0];
  if (wanted === "zh-hk") {
    const cantonese = voices.filter((v) => /yue|zh-hk|cantonese/i.test(v.lang + " " + v.name));
    if (cantonese.length) return cantonese[0];
  }
  return null; // the browser picks its own voice for the language tag
}

/**
 * The voice of the player on `audio`. `sentence(i)` says what sentence i is:
 * {audio: URL or null, spoken: text, lang, rate, pause: seconds after a clause (0: the
 * browser's own)}, or null past the end. `on` is told
 * when a sentence has `finished(i)`, when the browser `refused()` to play without a tap,
 * and when nothing here is `unable()` to speak.
 */
export function createVoice(audio, sentence, on) {
  let token = 0;
  let failures = 0;
  let pausedMidSentence = false; // the <audio> can go on where it was paused

  takeOver(audio);

  function silence() {
    pausedMidSentence = false;
    audio.pause();
    return silenceBrowserOnly();
  }

  /* Before the paused <audio> goes on: the browser's voice stops, old callbacks go stale. */
  function silenceBrowserOnly() {
    token += 1;
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    return token;
  }

  /* The <audio> now plays sentence i for speech `mine`: its end reads on, an error calls onError. */
  function listen(i, mine, onError) {
    audio.onended = () => {
      if (mine === token) on.finished(i);
    };
    audio.onerror = onError;
  }

  function playAudio(url, i, mine, retries = 0) {
    let settled = false;
    function fallBack() {
      failures += 1;
      speakWithBrowser(i, mine);
    }
    function failed() {
      if (settled || mine !== token) return;
      settled = true;
      if (retries >= BUSY_RETRIES) {
        fallBack();
        return;
      }
      busyWait(url).then((seconds) => {
        if (mine !== token) return;
        if (seconds === null) fallBack();
        else setTimeout(() => { if (mine === token) playAudio(url, i, mine, retries + 1); }, seconds * 1000);
      });
    }
    listen(i, mine, failed);
    audio.src = url;
    const started = audio.play();
    if (started && started.catch) {
      started.catch((error) => {
        if (mine !== token || settled) return;
        if (error && error.name === "NotAllowedError") {
          settled = true;
          on.refused();
        } else if (error && error.name !== "AbortError") {
          failed();
        }
      });
    }
  }

  /* The browser's voice has no pause setting: with longer pauses (what.pause seconds) it
     says the sentence a clause at a time, silent for that long after each. */
  function speakWithBrowser(i, mine) {
    const synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) {
      on.unable();
      return;
    }
    synth.cancel();
    audio.pause();
    const what = sentence(i);
    const parts = what.pause > 0 ? what.spoken.match(CLAUSE) || [what.spoken] : [what.spoken];
    const voice = chooseBrowserVoice(what.lang);
    function say(n) {
      const utterance = new window.SpeechSynthesisUtterance(parts[n]);
      utterance.lang = what.lang;
      utterance.rate = what.rate;
      if (voice) utterance.voice = voice;
      utterance.onend = () => {
        if (mine !== token) return;
        if (n + 1 >= parts.length) on.finished(i);
        else window.setTimeout(() => { if (mine === token) say(n + 1); }, what.pause * 1000);
      };
      utterance.onerror = (event) => {
        if (mine !== token) return;
        if (event.error === "not-allowed") on.refused();
        else if (event.error !== "interrupted" && event.error !== "canceled") on.finished(i);
      };
      synth.speak(utterance);
    }
    say(0);
  }

  /** Speak sentence i, and nothing else. */
  function speak(i) {
    const mine = silence();
    const what = sentence(i);
    const next = sentence(i + 1);
    if (next && next.audio) warm(next.audio);
    if (what.audio && failures < AUDIO_FAILURES_BEFORE_FALLBACK) playAudio(what.audio, i, mine);
    else speakWithBrowser(i, mine);
  }

  function pause() {
    const resumable = !audio.paused && !audio.ended && audio.currentTime > 0;
    silence();
    pausedMidSentence = resumable;
  }

  /** Go on with sentence i where the <audio> was paused. */
  function resume(i) {
    const mine = silenceBrowserOnly();
    listen(i, mine, () => {
      if (mine === token) speakWithBrowser(i, mine);
    });
    pausedMidSentence = false;
    const started = audio.play();
    if (started && started.catch) {
      started.catch((error) => {
        if (mine === token && error && error.name === "NotAllowedError") on.refused();
      });
    }
  }

  return {
    speak: speak,
    silence: silence,
    pause: pause,
    resume: resume,
    canResume: () => pausedMidSentence,
    /** A new voice or rate: its audio gets a fresh chance before the browser speaks. */
    forgiveFailures: () => { failures = 0; },
  };
}
