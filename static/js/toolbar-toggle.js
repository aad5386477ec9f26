/* 无障碍版 opens and closes in place. Its open state belongs to this visit of this page
   alone (the no-JS links carry it as ?toolbar=), so the server is not told and the next
   page opens with the text, not the toolbar. It closes from its top, from its foot
   (which goes on to the text), with Esc, and after a choice when the reader asked for
   that (settings-links.js calls closeToolbar). */

function toolbarParts() {
  const toolbar = document.getElementById("rd-toolbar");
  const toggle = document.getElementById("rd-toolbar-switch");
  return toolbar && toggle ? { toolbar, toggle } : null;
}

function isOpen() {
  const parts = toolbarParts();
  return Boolean(parts && !parts.toolbar.hidden);
}

/* Where a page's reading starts: the report text on a reading page, else <main>. */
export function textTarget() {
  return document.getElementById("rd-text") || document.getElementById("main");
}

function open() {
  const parts = toolbarParts();
  if (!parts) return;
  parts.toolbar.hidden = false;
  parts.toggle.setAttribute("aria-expanded", "true");
  const first = parts.toolbar.querySelector("summary, a, button");
  if (first) first.focus();
}

/* Closes the panel; focus goes to `then` ("text": the report text, else the switch),
   so it is never left on something hidden. Focus elsewhere on the page stays there. */
export function closeToolbar(then) {
  const parts = toolbarParts();
  if (!parts || parts.toolbar.hidden) return;
  const focusWasInside = parts.toolbar.contains(document.activeElement);
  parts.toolbar.hidden = true;
  parts.toggle.setAttribute("aria-expanded", "false");
  if (then !== "text" && !focusWasInside && document.activeElement !== document.body) return;
  const target = then === "text" ? textTarget() : parts.toggle;
  if (target) {
    target.focus({ preventScroll: then === "text" });
    if (then === "text") target.scrollIntoView({ block: "start" });
  }
}

function plainClick(event) {
  return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
}

function onClick(event) {
  if (!plainClick(event)) return;
  const toggle = event.target.closest("[data-module='rd-toolbar-toggle']");
  if (toggle) {
    event.preventDefault();
    if (isOpen()) closeToolbar("switch");
    else open();
    return;
  }
  const close = event.target.closest("[data-module='rd-toolbar-close']");
  if (close) {
    event.preventDefault();
    closeToolbar(close.hasAttribute("data-to-text") ? "text" : "switch");
  }
}

function onKey(event) {
  if (event.key !== "Escape" || !isOpen()) return;
  event.preventDefault();
  closeToolbar("switch");
}

/* One group unfolded at a time, also where details[name] is not supported. */
function onGroupToggle(event) {
  const group = event.target;
  if (!(group instanceof HTMLDetailsElement) || !group.open || !group.closest("#rd-toolbar")) return;
  document.querySelectorAll("#rd-toolbar details[open]").forEach((other) => {
    if (other !== group) other.open = false;
  });
}

/* A page reached by 上一页/下一页 (#rd-text) starts at the text: focus goes there too,
   so a screen reader and the keyboard go on from the text, not from the top. */
function landOnText() {
  if (window.location.hash !== "#rd-text") return;
  const text = textTarget();
  if (text && document.activeElement === document.body) text.focus({ preventScroll: true });
}

export function startToolbarToggle() {
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKey);
  document.addEventListener("toggle", onGroupToggle, true);
  landOnText();
}
