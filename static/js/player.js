/* 易读 Reader — read-aloud, sentence by sentence, on a reading page. Attaches to
   data-module="rd-player".

   Without this file the page has a plain <audio controls> of the whole page. With it, the
   same <audio> element plays one sentence at a time from the page's speech manifest, the
   sentence being read is highlighted and kept in view, 大字幕 shows exactly that sentence,
   and 连读 turns the page by itself, in place, so the same <audio> plays on and a phone
   lets it (see player/page-turn.js); Back and Forward show their page in place too. On a
   report's cover, 朗读全文 turns the cover into page 1 and starts reading on the same tap.
   A reload or a later visit offers to continue where reading stopped. When the server has no voice or an audio file fails,
   the browser's own speechSynthesis speaks instead, with the same highlighting. Never two
   voices: starting to read in one tab pauses every other tab (BroadcastChannel).

   Defaults, browser speech rates and each voice's language tag come from the server
   (data-settings-defaults on <body>, data-browser-rates and data-voice-tags on the
   player), as do the strings people see. In the static export (reader build) a page's
   address is its folder, data-report + n + data-page-suffix ("/"). */

import { jsonAttribute } from "./json-attribute.js";
import { startCaptionFollowing } from "./player/caption.js";
import { createReading } from "./player/controller.js";
import { startMediaSession } from "./player/media-session.js";
import { fetchPage, shownPath, showPage } from "./player/page-turn.js";
import { startPointReading } from "./player/point-reading.js";
import { arrivedByContinuing, continueOnPage, rememberedSentence } from "./player/position.js";
import { offerResume } from "./player/resume.js";

// each a data-* on the player
const PLAYER_SETTINGS = ["voice", "rate", "pauses", "reading", "captions", "word_highlight"];

function sentencesOf(body) {
  return Array.from(body.querySelectorAll("[data-sentence]"));
}

/* Start the player of the reading page shown; returns its reading, or null where there is
   none (a cover, or a browser that keeps the plain player). */
function startPlayer() {
  const player = document.querySelector("[data-module='rd-player']");
  const body = document.querySelector("[data-module='rd-reading-body']");
  if (!player || !body) return null;
  const spans = sentencesOf(body);
  const audio = player.querySelector("audio");
  const toggle = document.getElementById("rd-player-toggle");
  const controls = player.querySelector("[data-player-controls]");
  if (!spans.length || !audio || !toggle || !controls) return null; // the plain player stays

  const defaults = jsonAttribute(document.body, "data-settings-defaults", {});
  const settings = {};
  PLAYER_SETTINGS.forEach((name) => { settings[name] = player.getAttribute("data-" + name) || defaults[name]; });
  const slug = player.getAttribute("data-slug");
  const pageNumber = Number(player.getAttribute("data-page"));
  const caption = document.querySelector("[data-module='rd-caption']");
  let describeMedia = () => {};

  /* Page n of this report, shown in place; resolves when its manifest is loaded. */
  function showPageInPlace(url, history) {
    return fetchPage(url).then((page) => {
      showPage(page, history, false);
      describeMedia();
      return reading.changePage(Number(player.getAttribute("data-page")), sentencesOf(body), player.getAttribute("data-manifest"));
    });
  }

  /* 连读 reached the end of the page: on to the next, in place; a whole page load if not. */
  function turnTo(url, n) {
    showPageInPlace(url, "push").then(
      () => reading.start(0, "continuous"),
      () => {
        continueOnPage(slug, n);
        window.location.assign(url);
      },
    );
  }

  const reading = createReading({
    player: player,
    slug: slug,
    pageNumber: pageNumber,
    spans: spans,
    audio: audio,
    toggle: toggle,
    caption: caption,
    settings: settings,
    browserRates: jsonAttribute(player, "data-browser-rates", {}),
    turnTo: turnTo,
  });
  controls.hidden = false;
  const outline = pageNumber === 0; // the 要点 outline: its sentences are links to their pages
  if (!outline) startPointReading(body, spans, reading);
  startCaptionFollowing(caption, audio, controls, player);
  describeMedia = startMediaSession(player, reading);

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

  /* Back and Forward between pages turned in place: that page, in place, read on from its
     start if reading was going on. Anything else that is not this report's reading page
     (the cover, another report) loads as a page. A jump within the page (#…) changes nothing. */
  window.addEventListener("popstate", () => {
    const here = window.location.pathname + window.location.search;
    if (here === shownPath()) return;
    const report = player.getAttribute("data-report");
    if (!report || !window.location.pathname.startsWith(report) || !/^\d+\/?$/.test(window.location.pathname.slice(report.length))) {
      window.location.reload();
      return;
    }
    const wasPlaying = reading.isPlaying();
    reading.pause();
    showPageInPlace(window.location.href, "none").then(
      () => { if (wasPlaying) reading.start(0, "continuous"); },
      () => window.location.reload(),
    );
  });

  /* 上一页 or 下一页 (a tap, or ← →) while reading aloud: that page in place, read from its start. */
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("#rd-page-prev, #rd-page-next");
    if (!link || !reading.isPlaying() || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    reading.pause();
    showPageInPlace(link.href, "push").then(
      () => reading.start(0, "continuous"),
      () => window.location.assign(link.href),
    );
  });

  if (outline) {
    reading.loadManifest();
    return reading;
  }

  offerResume({
    player: player,
    controls: controls,
    toggle: toggle,
    slug: slug,
    reading: reading,
    showPage: (n) => showPageInPlace(player.getAttribute("data-report") + n + (player.getAttribute("data-page-suffix") || ""), "push"),
  });

  /* On arrival: carry on 连读 from the last page, or show where reading stopped. */
  const carriedOn = arrivedByContinuing(slug, pageNumber);
  const arrival = player.getAttribute("data-arrival");
  const stopped = arrival ? Number(arrival) : rememberedSentence(slug, pageNumber);
  reading.loadManifest();
  if (carriedOn) reading.start(0, "continuous");
  else if (stopped >= 0 && stopped < spans.length) reading.showStoppedAt(stopped);
  return reading;
}

/* 朗读全文 on a cover: page 1 replaces the cover in place and reading starts, all on the
   tap that asked for it (a newly loaded page would need a tap of its own on a phone). The
   link goes through /settings, which turns 连读 on and answers with page 1. */
function startReadAll() {
  const link = document.querySelector("[data-module='rd-read-all']");
  if (!link) return;
  link.addEventListener("click", (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    fetchPage(link.href).then((page) => {
      showPage(page, "push", false);
      const reading = startPlayer();
      if (!reading) throw new Error("no player on " + page.url);
      reading.start(0, "continuous");
    }).catch(() => window.location.assign(link.href));
  });
}

startPlayer();
startReadAll();
