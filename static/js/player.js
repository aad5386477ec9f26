/* 易读 Reader — read-aloud, sentence by sentence, on a reading page. Attaches to
   data-module="rd-player".

   Without this file the page has a plain <audio controls> of the whole page. With it, the
   same <audio> element plays one sentence at a time from the page's speech manifest, the
   sentence being read is highlighted and kept in view, 大字幕 shows exactly that sentence,
   and 连读 turns the page by itself. When the server has no voice or an audio file fails,
   the browser's own speechSynthesis speaks instead, with the same highlighting. Never two
   voices: starting to read in one tab pauses every other tab (BroadcastChannel).

   Defaults, browser speech rates and each voice's language tag come from the server
   (data-settings-defaults on <body>, data-browser-rates and data-voice-tags on the
   player), as do the strings people see. */

import { jsonAttribute } from "./json-attribute.js";
import { createReading } from "./player/controller.js";
import { startPointReading } from "./player/point-reading.js";
import { arrivedByContinuing, rememberedSentence } from "./player/position.js";

// each a data-* on the player
const PLAYER_SETTINGS = ["voice", "rate", "pauses", "reading", "captions", "word_highlight"];

function startPlayer() {
  const player = document.querySelector("[data-module='rd-player']");
  const body = document.querySelector("[data-module='rd-reading-body']");
  if (!player || !body) return;
  const spans = Array.from(body.querySelectorAll("[data-sentence]"));
  const audio = player.querySelector("audio");
  const toggle = document.getElementById("rd-player-toggle");
  const controls = player.querySelector("[data-player-controls]");
  if (!spans.length || !audio || !toggle || !controls) return; // the plain player stays

  const defaults = jsonAttribute(document.body, "data-settings-defaults", {});
  const settings = {};
  PLAYER_SETTINGS.forEach((name) => { settings[name] = player.getAttribute("data-" + name) || defaults[name]; });
  const slug = player.getAttribute("data-slug");
  const pageNumber = Number(player.getAttribute("data-page"));
  const reading = createReading({
    player: player,
    slug: slug,
    pageNumber: pageNumber,
    spans: spans,
    audio: audio,
    toggle: toggle,
    caption: document.querySelector("[data-module='rd-caption']"),
    settings: settings,
    browserRates: jsonAttribute(player, "data-browser-rates", {}),
  });
  controls.hidden = false;
  startPointReading(body, spans, reading);

  /* The toolbar changed settings: the event carries those that differ from the defaults. */
  document.addEventListener("rd:settings", (event) => {
    const changed = event.detail || {};
    const next = {};
    PLAYER_SETTINGS.forEach((name) => { next[name] = changed[name] || defaults[name]; });
    reading.changeSettings(next);
  });

  if (window.BroadcastChannel) {
    const channel = new BroadcastChannel("rd-player");
    const tabId = String(Date.now()) + Math.random();
    reading.onPlaying(() => channel.postMessage({ type: "playing", from: tabId }));
    channel.addEventListener("message", (event) => {
      if (event.data && event.data.type === "playing" && event.data.from !== tabId) reading.pause();
    });
  }

  /* On arrival: carry on 连读 from the last page, or show where reading stopped. */
  const carriedOn = arrivedByContinuing(slug, pageNumber);
  const stopped = rememberedSentence(slug, pageNumber);
  reading.loadManifest();
  if (carriedOn) reading.start(0, "continuous");
  else if (stopped >= 0 && stopped < spans.length) reading.showStoppedAt(stopped);
}

startPlayer();
