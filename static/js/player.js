/* 易读 Reader — read-aloud, sentence by sentence. Attaches to data-module="rd-player".

   Without this file the page has a plain <audio controls> of the whole page. With it, the
   same <audio> element plays one sentence at a time from the page's speech manifest
   (/r/<slug>/<n>/speech.json), the sentence being read is highlighted and kept in view,
   大字幕 shows exactly that sentence, and 连读 turns the page by itself. When the server
   has no voice (audio null) or an audio file fails, the browser's own speechSynthesis
   speaks instead, with the same highlighting.

   Never two voices: one <audio> element, speechSynthesis cancelled before anything is
   played, and a BroadcastChannel that pauses the player in every other tab.
   Strings people see come from the server's template, never from this file. */
(function () {
  "use strict";

  var POSITION_KEY = "rd-player-position"; // localStorage {slug, n, seq}: resume after reload
  var CONTINUE_KEY = "rd-player-continue"; // sessionStorage {slug, n}: 连读 turned the page
  var POINT_DELAY = 800; // ms the pointer rests on a sentence before 指读 reads it
  var BROWSER_RATES = { slow: 0.7, normal: 1, fast: 1.3 };
  var DEFAULTS = { voice: "cmn", rate: "normal", reading: "off", captions: "off" };
  var AUDIO_FAILURES_BEFORE_FALLBACK = 2; // then the rest of the page uses speechSynthesis

  var player = document.querySelector("[data-module='rd-player']");
  if (!player) return;
  var spans = Array.prototype.slice.call(document.querySelectorAll(".rd-reading__body .rd-sentence"));
  var audio = player.querySelector("audio");
  var toggle = document.getElementById("rd-player-toggle");
  var controls = player.querySelector("[data-player-controls]");
  var continueButton = null; // 继续朗读, made when autoplay is refused (see refused())
  var caption = document.querySelector("[data-module='rd-caption']");
  var captionText = caption && caption.querySelector(".rd-caption__text");
  if (!spans.length || !audio || !toggle || !controls) return; // the plain player stays

  var root = document.documentElement;
  var slug = player.getAttribute("data-slug");
  var pageNumber = Number(player.getAttribute("data-page"));
  var settings = {
    voice: player.getAttribute("data-voice") || DEFAULTS.voice,
    rate: player.getAttribute("data-rate") || DEFAULTS.rate,
    reading: player.getAttribute("data-reading") || DEFAULTS.reading,
    captions: player.getAttribute("data-captions") || DEFAULTS.captions
  };

  var manifest = null; // the speech manifest, once fetched
  var entries = {}; // sentence id → manifest entry
  var manifestRequest = null;
  var index = -1; // the current sentence (highlighted), -1 for none
  var playing = false;
  var mode = "continuous"; // "continuous" (连读), "single" (one sentence) or "block" (to blockEnd)
  var blockEnd = -1;
  var token = 0; // bumped whenever speech starts or stops; late callbacks of old speech see a stale token
  var audioFailures = 0;
  var pausedAudio = false; // paused mid-sentence in the <audio>, which can resume where it was
  var tabId = String(Date.now()) + Math.random();
  var channel = window.BroadcastChannel ? new BroadcastChannel("rd-player") : null;

  /* ---- Set up: the <audio> becomes the player's one sound, the buttons appear ---------- */
  audio.pause();
  audio.removeAttribute("controls");
  audio.removeAttribute("src");
  audio.preload = "auto";
  audio.classList.add("rd-player__audio--replaced");
  audio.setAttribute("aria-hidden", "true");
  audio.load();
  controls.hidden = false;

  function storage(kind) {
    try {
      return window[kind];
    } catch (error) {
      return null; // storage blocked: the player still works, it only forgets
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

  /* ---- The manifest: audio URLs and spoken text for each sentence --------------------- */
  function loadManifest() {
    var url = player.getAttribute("data-manifest") +
      "?voice=" + encodeURIComponent(settings.voice) + "&rate=" + encodeURIComponent(settings.rate);
    var request = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        if (request !== manifestRequest) return manifest; // a newer voice or rate was chosen
        manifest = answer;
        entries = {};
        answer.sentences.forEach(function (entry) { entries[entry.id] = entry; });
        audioFailures = 0;
        return manifest;
      })
      .catch(function () {
        if (request === manifestRequest) { manifest = null; entries = {}; }
        return null; // no manifest: the browser speaks the text on the page
      });
    manifestRequest = request;
    return request;
  }

  function speechLang() {
    if (manifest && manifest.lang) return manifest.lang;
    return settings.voice === "yue" ? "zh-HK" : "zh-CN";
  }

  /* ---- Highlight, caption, scrolling, and where we are -------------------------------- */
  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function keepInView(span) {
    var box = span.getBoundingClientRect();
    var bottom = window.innerHeight - (caption && !caption.hidden ? caption.offsetHeight : 0);
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

  /* The bar must never hide what has focus (WCAG 2.4.11): the page is padded by its height. */
  function measureCaption() {
    if (!caption) return;
    var height = caption.hidden ? 0 : caption.offsetHeight;
    root.style.setProperty("--rd-caption-height", height + "px");
    // The bar has just appeared or grown: bring the focused control out from under it.
    var focused = document.activeElement;
    if (height && focused && focused !== document.body && !caption.contains(focused)) {
      var box = focused.getBoundingClientRect();
      if (box.bottom > window.innerHeight - height) {
        focused.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
      }
    }
  }

  function setCurrent(next, scroll) {
    if (index >= 0 && spans[index]) spans[index].classList.remove("rd-sentence--current");
    index = next;
    if (index < 0) {
      showCaption("");
      return;
    }
    var span = spans[index];
    span.classList.add("rd-sentence--current");
    showCaption(span.textContent);
    if (scroll) keepInView(span);
    writeJSON(storage("localStorage"), POSITION_KEY, { slug: slug, n: pageNumber, seq: index });
  }

  function setPlaying(value) {
    playing = value;
    toggle.setAttribute("aria-pressed", value ? "true" : "false");
    player.classList.toggle("rd-player--playing", value);
    if (value) {
      if (continueButton) continueButton.hidden = true;
      if (channel) channel.postMessage({ type: "playing", from: tabId });
    }
  }

  /* ---- Sound: the one <audio>, or the browser's voice -------------------------------- */
  function silence() {
    pausedAudio = false;
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
    audio.onended = function () {
      if (mine === token) finished(i);
    };
    audio.onerror = onError;
  }

  function speak(i) {
    var mine = silence();
    setCurrent(i, true);
    var entry = entries[spans[i].id];
    var next = spans[i + 1] && entries[spans[i + 1].id];
    if (next && next.audio) warm(next.audio);
    if (entry && entry.audio && audioFailures < AUDIO_FAILURES_BEFORE_FALLBACK) {
      playAudio(entry.audio, i, mine);
    } else {
      speakWithBrowser(i, mine);
    }
  }

  /* The server makes a sentence's audio on its first fetch; ask for the next one early. */
  function warm(url) {
    fetch(url, { credentials: "same-origin" }).catch(function () {});
  }

  function playAudio(url, i, mine) {
    var settled = false;
    function failed() {
      if (settled || mine !== token) return;
      settled = true;
      audioFailures += 1;
      speakWithBrowser(i, mine);
    }
    listen(i, mine, failed);
    audio.src = url;
    var started = audio.play();
    if (started && started.catch) {
      started.catch(function (error) {
        if (mine !== token || settled) return;
        if (error && error.name === "NotAllowedError") {
          settled = true;
          refused();
        } else if (error && error.name !== "AbortError") {
          failed();
        }
      });
    }
  }

  function chooseBrowserVoice(lang) {
    var voices = window.speechSynthesis.getVoices ? window.speechSynthesis.getVoices() : [];
    var wanted = lang.toLowerCase();
    var exact = voices.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-") === wanted; });
    if (exact.length) return exact[0];
    if (wanted === "zh-hk") {
      var cantonese = voices.filter(function (v) { return /yue|zh-hk|cantonese/i.test(v.lang + " " + v.name); });
      if (cantonese.length) return cantonese[0];
    }
    return null; // the browser picks its own voice for the language tag
  }

  function speakWithBrowser(i, mine) {
    var synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) {
      stop(false); // nothing here can speak
      return;
    }
    synth.cancel();
    audio.pause();
    var entry = entries[spans[i].id];
    var utterance = new window.SpeechSynthesisUtterance(entry && entry.spoken ? entry.spoken : spans[i].textContent);
    utterance.lang = speechLang();
    utterance.rate = BROWSER_RATES[settings.rate] || 1;
    var voice = chooseBrowserVoice(utterance.lang);
    if (voice) utterance.voice = voice;
    utterance.onend = function () {
      if (mine === token) finished(i);
    };
    utterance.onerror = function (event) {
      if (mine !== token) return;
      if (event.error === "not-allowed") refused();
      else if (event.error !== "interrupted" && event.error !== "canceled") finished(i);
    };
    synth.speak(utterance);
  }

  /* Autoplay refused (a page turned by 连读, with no tap on this page yet): ask for one. */
  function refused() {
    setPlaying(false);
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
    if (i + 1 < spans.length) {
      speak(i + 1);
    } else if (mode === "continuous") {
      turnPage();
    } else {
      setPlaying(false);
    }
  }

  function nextPageUrl() {
    if (manifest) return manifest.next;
    var link = document.getElementById("rd-page-next");
    return link ? link.getAttribute("href") : null;
  }

  function turnPage() {
    var next = nextPageUrl();
    silence();
    if (!next) { // the end of the report
      setPlaying(false);
      setCurrent(-1);
      forget(storage("localStorage"), POSITION_KEY);
      return;
    }
    writeJSON(storage("sessionStorage"), CONTINUE_KEY, { slug: slug, n: pageNumber + 1 });
    writeJSON(storage("localStorage"), POSITION_KEY, { slug: slug, n: pageNumber + 1, seq: 0 });
    window.location.assign(next);
  }

  /* ---- What the buttons do ------------------------------------------------------------ */
  function start(i, how, end) {
    mode = how;
    blockEnd = end === undefined ? -1 : end;
    setPlaying(true);
    var go = function () { if (playing) speak(i); };
    if (manifest) go();
    else (manifestRequest || loadManifest()).then(go);
  }

  function pause() {
    if (!playing) return;
    var resumable = !audio.paused && !audio.ended && audio.currentTime > 0;
    silence();
    pausedAudio = resumable;
    setPlaying(false);
  }

  function resume() {
    if (pausedAudio && index >= 0) {
      var mine = silenceBrowserOnly();
      var i = index;
      listen(i, mine, function () {
        if (mine === token) speakWithBrowser(i, mine);
      });
      pausedAudio = false;
      mode = "continuous";
      setPlaying(true);
      var started = audio.play();
      if (started && started.catch) {
        started.catch(function (error) {
          if (mine === token && error && error.name === "NotAllowedError") refused();
        });
      }
      return;
    }
    start(index >= 0 ? index : 0, "continuous");
  }

  function stop(clearPosition) {
    silence();
    setPlaying(false);
    setCurrent(-1);
    if (clearPosition) forget(storage("localStorage"), POSITION_KEY);
  }

  function step(delta) {
    var next = Math.max(0, Math.min(spans.length - 1, (index < 0 ? -1 : index) + delta));
    if (index < 0 && delta < 0) next = 0;
    if (playing) {
      mode = mode === "continuous" ? mode : "single";
      speak(next);
    } else {
      silence();
      setCurrent(next, true);
    }
  }

  toggle.addEventListener("click", function () {
    if (playing) pause();
    else resume();
  });
  player.addEventListener("click", function (event) {
    var button = event.target.closest("[data-player-action]");
    if (!button) return;
    var action = button.getAttribute("data-player-action");
    if (action === "prev") step(-1);
    else if (action === "next") step(1);
    else if (action === "stop") stop(true);
    else if (action === "continue") {
      button.hidden = true;
      start(index >= 0 ? index : 0, "continuous");
      toggle.focus();
    }
  });

  /* ---- Choosing what to read: 连读 from a clicked sentence, 指读 by tap or by pointing ---- */
  var readingBody = document.querySelector(".rd-reading__body");

  function sentenceAt(target) {
    var span = target.closest && target.closest(".rd-sentence");
    return span ? spans.indexOf(span) : -1;
  }

  function blockAt(target) {
    var block = target.closest && target.closest(".rd-paragraph, .rd-heading");
    if (!block || !readingBody.contains(block)) return null;
    var inside = Array.prototype.slice.call(block.querySelectorAll(".rd-sentence"));
    if (!inside.length) return null;
    return [spans.indexOf(inside[0]), spans.indexOf(inside[inside.length - 1])];
  }

  function readWhatWasChosen(target) {
    var i = sentenceAt(target);
    if (settings.reading === "point") {
      if (i >= 0) {
        if (!(playing && index === i)) start(i, "single");
        return;
      }
      var block = blockAt(target);
      if (block) start(block[0], "block", block[1]);
    } else if (i >= 0 && (settings.reading === "continuous" || playing)) {
      start(i, "continuous");
    }
  }

  if (readingBody) {
    readingBody.addEventListener("click", function (event) {
      var selection = window.getSelection && window.getSelection();
      if (selection && !selection.isCollapsed) return; // the reader is selecting text
      readWhatWasChosen(event.target);
    });

    var restTimer = 0;
    var restingOn = null;
    readingBody.addEventListener("pointerover", function (event) {
      if (settings.reading !== "point" || event.pointerType !== "mouse") return;
      var target = event.target.closest(".rd-sentence, .rd-paragraph, .rd-heading");
      if (target === restingOn) return;
      restingOn = target;
      window.clearTimeout(restTimer);
      if (!target) return;
      restTimer = window.setTimeout(function () {
        if (restingOn === target) readWhatWasChosen(target);
      }, POINT_DELAY);
    });
    readingBody.addEventListener("pointerleave", function () {
      restingOn = null;
      window.clearTimeout(restTimer);
    });
  }

  /* ---- Settings changed in the toolbar (reader.js sends what differs from the default) --- */
  document.addEventListener("rd:settings", function (event) {
    var changed = event.detail || {};
    var next = {};
    Object.keys(DEFAULTS).forEach(function (name) { next[name] = changed[name] || DEFAULTS[name]; });
    var voiceChanged = next.voice !== settings.voice || next.rate !== settings.rate;
    settings = next;
    player.setAttribute("data-reading", settings.reading);
    player.setAttribute("data-captions", settings.captions);
    window.requestAnimationFrame(measureCaption); // the rd-captions class shows or hides the bar
    if (!voiceChanged) return;
    var wasPlaying = playing;
    if (wasPlaying) silence();
    pausedAudio = false;
    manifest = null;
    loadManifest().then(function () {
      if (wasPlaying && playing && index >= 0) speak(index);
    });
  });

  /* ---- Another tab started reading: this one pauses ------------------------------------ */
  if (channel) {
    channel.addEventListener("message", function (event) {
      if (event.data && event.data.type === "playing" && event.data.from !== tabId) pause();
    });
  }

  if (caption && window.ResizeObserver) new window.ResizeObserver(measureCaption).observe(caption);
  window.addEventListener("resize", measureCaption);
  window.addEventListener("pagehide", function () { silence(); });

  /* ---- On arrival: continue 连读 from the last page, or show where reading stopped ------ */
  var carriedOn = readJSON(storage("sessionStorage"), CONTINUE_KEY);
  forget(storage("sessionStorage"), CONTINUE_KEY);
  var stored = readJSON(storage("localStorage"), POSITION_KEY);
  loadManifest();
  if (carriedOn && carriedOn.slug === slug && carriedOn.n === pageNumber) {
    start(0, "continuous");
  } else if (stored && stored.slug === slug && stored.n === pageNumber &&
             stored.seq >= 0 && stored.seq < spans.length) {
    setCurrent(stored.seq, false);
  }
})();
