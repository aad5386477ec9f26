/* The reading controller: what 朗读, 上一句, 下一句 and 停止 do, how reading goes on from
   sentence to sentence and page to page (连读), and 继续朗读 when the browser refuses to
   speak without a tap. It owns where reading is; position, manifest, highlight and voice
   do the rest, and player.js turns the page (in place, so the <audio> plays on).

   The player is "active" (rd-player--active) from the first sentence read until 停止 or
   the end of the report, paused or not: 大字幕 shows, and its controls stay docked beside
   it, only then; a page that has just loaded shows neither. */

import { jsonAttribute } from "../json-attribute.js";
import { createHighlight } from "./highlight.js";
import { createManifest } from "./manifest.js";
import { forgetSentence, rememberSentence } from "./position.js";
import { shownText } from "./sentence-text.js";
import { createVoice } from "./voice.js";
import { createWordFollower } from "./words.js";

/**
 * Reading of `spans` (the sentences of page `pageNumber` of report `slug`, in order) by
 * `player` (data-module="rd-player") with its `audio`, its `toggle` (朗读/暂停) and the 大字幕 `caption` bar. `settings` holds
 * voice, rate, pauses, reading, captions and word_highlight; `browserRates` maps a rate to a
 * speechSynthesis rate. `turnTo(url)` shows the next page when 连读 reaches the end of this
 * one. `spans` is the one list of the shown page's sentences: a page turned in place
 * refills it.
 */
export function createReading({ player, slug, pageNumber, spans, audio, toggle, caption, settings, browserRates, turnTo }) {
  const highlight = createHighlight(caption);
  const words = createWordFollower(audio);
  const voice = createVoice(audio, sentence, { finished: finished, refused: refused, unable: () => stop(false) });
  const voiceTags = jsonAttribute(player, "data-voice-tags", {});
  let manifest = createManifest(player.getAttribute("data-manifest"), voice.forgiveFailures, voiceTags);
  let index = -1; // the current sentence (highlighted), -1 for none
  let playing = false;
  let mode = "continuous"; // "continuous" (连读), "single" (one sentence) or "block" (to blockEnd)
  let blockEnd = -1;
  let continueButton = null; // 继续朗读, made when autoplay is refused
  const onPlaying = []; // told each time this player starts to speak
  const onChange = []; // told playing (true) or not (false) whenever that changes

  function sentence(i) {
    const span = spans[i];
    if (!span) return null;
    const entry = manifest.entry(span.id);
    return {
      audio: entry && entry.audio ? entry.audio : null,
      spoken: entry && entry.spoken ? entry.spoken : shownText(span),
      lang: manifest.lang(settings.voice),
      rate: browserRates[settings.rate] || 1,
      pause: settings.pauses === "long" ? manifest.clausePause() : 0,
    };
  }

  /* 逐词高亮: sentence i's words follow its audio, with the timing the manifest has or,
     for audio only now being made, as soon as the server has it. */
  function followWords(i) {
    words.stop();
    const span = spans[i];
    const entry = span && manifest.entry(span.id);
    if (settings.word_highlight !== "on" || !entry || !entry.audio) return;
    if (entry.words || !entry.timing) {
      words.follow(span, entry.audio, entry.words);
      return;
    }
    fetch(entry.timing, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((answer) => {
        if (!answer) return;
        entry.words = answer.words;
        if (index === i && settings.word_highlight === "on") words.follow(span, entry.audio, entry.words);
      })
      .catch(() => {});
  }

  function setCurrent(next, scroll) {
    words.stop();
    index = next;
    highlight.show(index < 0 ? null : spans[index], scroll);
    if (index >= 0 && pageNumber > 0) rememberSentence(slug, pageNumber, index); // page 0: the 要点 outline
  }

  function setActive(value) {
    player.classList.toggle("rd-player--active", value);
    window.requestAnimationFrame(highlight.measureCaption);
  }

  function setPlaying(value) {
    playing = value;
    toggle.setAttribute("aria-pressed", value ? "true" : "false");
    player.classList.toggle("rd-player--playing", value);
    if (value) {
      setActive(true);
      if (continueButton) continueButton.hidden = true;
      onPlaying.forEach((listener) => listener());
    }
    onChange.forEach((listener) => listener(value));
  }

  function speak(i) {
    setCurrent(i, true);
    voice.speak(i);
    followWords(i);
  }

  /* Autoplay refused (a page turned by 连读, with no tap on this page yet): ask for one. */
  function refused() {
    setPlaying(false);
    setActive(false);
    mode = "continuous";
    if (!continueButton) {
      continueButton = document.createElement("button");
      continueButton.type = "button";
      continueButton.className = "rd-button rd-button--primary rd-player__continue";
      continueButton.setAttribute("data-player-action", "continue");
      continueButton.textContent = player.getAttribute("data-i18n-continue");
      player.appendChild(continueButton);
    }
    continueButton.hidden = false;
  }

  function finished(i) {
    if (!playing) return;
    if (mode === "single" || (mode === "block" && i >= blockEnd)) {
      setPlaying(false);
      return;
    }
    if (i + 1 < spans.length) speak(i + 1);
    else if (mode === "continuous") turnPage();
    else setPlaying(false);
  }

  function turnPage() {
    const next = manifest.nextPage();
    voice.silence();
    if (!next) { // the end of the report, or of the 要点 outline (page 0), which keeps no position
      setPlaying(false);
      setActive(false);
      setCurrent(-1);
      if (pageNumber > 0) forgetSentence();
      return;
    }
    turnTo(next, pageNumber + 1);
  }

  /* Another page of the report is shown in place (a page turn, Back or Forward): its
     sentences are read from now on, with its manifest, which is returned loading. */
  function changePage(n, pageSpans, manifestUrl) {
    voice.silence();
    pageNumber = n;
    spans.splice(0, spans.length, ...pageSpans);
    index = -1;
    manifest = createManifest(manifestUrl, voice.forgiveFailures, voiceTags);
    return manifest.load(settings.voice, settings.rate);
  }

  /** Read from sentence i: "continuous" (连读), "single" sentence, or "block" up to `end`. */
  function start(i, how, end) {
    mode = how;
    blockEnd = end === undefined ? -1 : end;
    setPlaying(true);
    const go = () => { if (playing) speak(i); };
    if (manifest.isLoaded()) go(); // now, inside the tap, which allows it to play
    else (manifest.pending() || manifest.load(settings.voice, settings.rate, settings.pauses)).then(go);
  }

  function pause() {
    if (!playing) return;
    voice.pause();
    setPlaying(false);
  }

  function resume() {
    if (voice.canResume() && index >= 0) {
      mode = "continuous";
      setPlaying(true);
      voice.resume(index);
      return;
    }
    start(index >= 0 ? index : 0, "continuous");
  }

  function stop(clearPosition) {
    voice.silence();
    setPlaying(false);
    setActive(false);
    setCurrent(-1);
    if (clearPosition && pageNumber > 0) forgetSentence(slug, pageNumber);
  }

  function step(delta) {
    let next = Math.max(0, Math.min(spans.length - 1, (index < 0 ? -1 : index) + delta));
    if (index < 0 && delta < 0) next = 0;
    if (playing) {
      mode = mode === "continuous" ? mode : "single";
      speak(next);
    } else {
      voice.silence();
      setActive(true);
      setCurrent(next, true);
    }
  }

  /* A new voice, rate or pauses takes a new manifest; what was being read is read again in it. */
  function changeSettings(next) {
    const voiceChanged = ["voice", "rate", "pauses"].some((name) => next[name] !== settings[name]);
    const wordsChanged = next.word_highlight !== settings.word_highlight;
    settings = next;
    if (wordsChanged && !voiceChanged) {
      if (playing && index >= 0) followWords(index);
      else words.stop();
    }
    player.setAttribute("data-reading", settings.reading);
    player.setAttribute("data-captions", settings.captions);
    window.requestAnimationFrame(highlight.measureCaption); // the rd-captions class shows or hides the bar
    if (!voiceChanged) return;
    const wasPlaying = playing;
    voice.silence();
    manifest.load(settings.voice, settings.rate, settings.pauses).then(() => {
      if (wasPlaying && playing && index >= 0) speak(index);
    });
  }

  toggle.addEventListener("click", () => {
    if (playing) pause();
    else resume();
  });
  player.addEventListener("click", (event) => {
    const button = event.target.closest("[data-player-action]");
    if (!button) return;
    const action = button.getAttribute("data-player-action");
    if (action === "prev") step(-1);
    else if (action === "next") step(1);
    else if (action === "stop") stop(true);
    else if (action === "continue") {
      button.hidden = true;
      start(index >= 0 ? index : 0, "continuous");
      toggle.focus();
    }
  });
  window.addEventListener("pagehide", () => { voice.silence(); });

  return {
    start: start,
    pause: pause,
    resume: resume,
    step: step,
    stop: () => stop(true),
    changePage: changePage,
    changeSettings: changeSettings,
    /** Show sentence i as where reading stopped, without reading it. */
    showStoppedAt: (i) => setCurrent(i, false),
    loadManifest: () => manifest.load(settings.voice, settings.rate, settings.pauses),
    onPlaying: (listener) => { onPlaying.push(listener); },
    onChange: (listener) => { onChange.push(listener); },
    page: () => pageNumber,
    setting: (name) => settings[name],
    isPlaying: () => playing,
    current: () => index,
  };
}
