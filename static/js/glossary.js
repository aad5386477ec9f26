/* 术语: the first use of each term on a page is a link to its /glossary entry. Here it
   becomes a button (aria-expanded) that opens the plain explanation in place, after the
   paragraph, with 朗读解释 (its audio in the reader's voice, or the browser's own voice)
   and 收起解释; Esc closes it and gives focus back to the term. In 指读, where a tap
   reads what it touches, opening a term reads its explanation at once. The term keeps its
   text inside the sentence, so the player, the word highlight and search marks still
   find the sentence's text as it was. Labels come from the server (data-i18n-*). */

let panels = 0;
let sound = null; // the explanation being read aloud, if any
let reading = "off"; // the reader's reading setting: "point" is 指读

function stopSound() {
  if (sound) sound.pause();
  sound = null;
  if (window.speechSynthesis) window.speechSynthesis.cancel();
}

function readAloud(link) {
  stopSound();
  document.querySelectorAll("audio").forEach((audio) => audio.pause()); // never two voices at once
  const text = link.getAttribute("data-explain");
  const browserVoice = () => {
    if (!window.speechSynthesis) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = link.getAttribute("data-lang") || "";
    window.speechSynthesis.speak(utterance);
  };
  sound = new Audio(link.getAttribute("data-audio"));
  sound.addEventListener("error", browserVoice, { once: true });
  sound.play().catch(() => {});
}

function makeButton(text, className) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = text;
  return button;
}

/* Where the explanation goes: after the paragraph or heading (after the explanations
   of its earlier terms open), or at the end of a list item (an <ol> holds only <li>s). */
function place(panel, term) {
  const block = term.closest("[data-block]") || term.parentElement;
  if (block.tagName === "LI") {
    block.appendChild(panel);
    return;
  }
  let last = block;
  while (last.nextElementSibling && last.nextElementSibling.classList.contains("rd-term-panel")) {
    last = last.nextElementSibling;
  }
  last.after(panel);
}

function enhance(link) {
  panels += 1;
  const term = makeButton("", "rd-term");
  term.append(...link.childNodes); // the term's text, and a search mark within it, unchanged
  term.setAttribute("aria-label", link.getAttribute("aria-label"));
  term.setAttribute("aria-expanded", "false");
  term.setAttribute("data-module", "rd-term-button");
  const panel = document.createElement("div");
  panel.className = "rd-term-panel";
  panel.id = "rd-term-panel-" + panels;
  panel.setAttribute("role", "group");
  panel.setAttribute("aria-label", link.getAttribute("aria-label"));
  const explanation = document.createElement("p");
  explanation.className = "rd-term-panel__text";
  explanation.textContent = link.getAttribute("data-explain");
  const read = makeButton(link.getAttribute("data-i18n-read"), "rd-button rd-term-panel__read");
  const close = makeButton(link.getAttribute("data-i18n-close"), "rd-button rd-term-panel__close");
  const more = document.createElement("a");
  more.className = "rd-term-panel__more";
  more.href = link.getAttribute("href");
  more.textContent = link.getAttribute("aria-label");
  panel.append(explanation, read, close, more);

  /* The explanation is in the page only while open: closed, its controls are no Tab
     stops and nothing a screen reader finds. */
  function toggle(open) {
    term.setAttribute("aria-expanded", String(open));
    if (open) {
      place(panel, term);
      term.setAttribute("aria-controls", panel.id);
      if (reading === "point") readAloud(link);
    } else {
      panel.remove();
      term.removeAttribute("aria-controls");
      stopSound();
    }
  }
  // Clicks here are the term's own: they do not start the page's 连读 or 指读.
  term.addEventListener("click", (event) => {
    event.stopPropagation();
    toggle(term.getAttribute("aria-expanded") !== "true");
  });
  panel.addEventListener("click", (event) => event.stopPropagation());
  read.addEventListener("click", () => readAloud(link));
  close.addEventListener("click", () => {
    toggle(false);
    term.focus();
  });
  const escape = (event) => {
    if (event.key !== "Escape" || !panel.isConnected) return;
    event.preventDefault();
    event.stopPropagation();
    toggle(false);
    term.focus();
  };
  term.addEventListener("keydown", escape);
  panel.addEventListener("keydown", escape);
  link.replaceWith(term);
}

function enhanceWithin(root) {
  root.querySelectorAll("a[data-module='rd-term']").forEach(enhance);
}

/* Terms on this page, and on each page the player shows in place (连读 turning pages). */
export function startGlossary() {
  const player = document.querySelector("[data-module='rd-player']");
  reading = (player && player.getAttribute("data-reading")) || "off";
  document.addEventListener("rd:settings", (event) => {
    reading = (event.detail && event.detail.reading) || "off";
  });
  enhanceWithin(document);
  const body = document.querySelector("[data-module='rd-reading-body']");
  if (body && window.MutationObserver) {
    new MutationObserver(() => enhanceWithin(body)).observe(body, { childList: true, subtree: true });
  }
}
