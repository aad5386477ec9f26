/* Keyboard shortcuts, from the server's own table (the one /help lists), read from
   <body data-shortcuts>: [keys, action] pairs, where the action is "click:<element id>"
   or "setting:<name>:<prev|next>". The arrow keys are left alone inside a field. */

import { jsonAttribute } from "./json-attribute.js";

function inField(element) {
  if (!element) return false;
  const tag = element.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
}

/** The keys of `event` as the table writes them ("ArrowLeft", "Alt+Shift+7"), or "". */
function keysOf(event) {
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return "";
    return event.key;
  }
  const digit = /^Digit([0-9])$/.exec(event.code || "");
  if (digit && event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
    return "Alt+Shift+" + digit[1];
  }
  return "";
}

/* The next or previous value of a setting, by clicking its toolbar link; size stops at
   its ends, the other settings go round. */
function stepSetting(name, direction) {
  const links = Array.from(document.querySelectorAll("[data-setting='" + name + "']"));
  if (!links.length) return;
  const current = links.findIndex((link) => link.getAttribute("aria-pressed") === "true");
  let next = direction === "prev" ? current - 1 : current + 1;
  if (name === "size") next = Math.max(0, Math.min(links.length - 1, next));
  else next = (next + links.length) % links.length;
  if (next !== current) links[next].click();
}

export function startShortcuts() {
  const shortcuts = jsonAttribute(document.body, "data-shortcuts", []);
  document.addEventListener("keydown", (event) => {
    const keys = keysOf(event);
    if (!keys) return;
    if (keys.indexOf("Arrow") === 0 && inField(document.activeElement)) return;
    const entry = shortcuts.find((shortcut) => shortcut[0] === keys);
    if (!entry) return;
    const action = entry[1].split(":");
    if (action[0] === "click") {
      const control = document.getElementById(action[1]);
      if (!control) return;
      event.preventDefault();
      control.click();
    } else if (action[0] === "setting") {
      event.preventDefault();
      stepSetting(action[1], action[2]);
    }
  });
}
