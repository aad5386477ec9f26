/* Settings links (the toolbar, 长者助手, 退出/重置) apply in place: the server answers with
   the <html> classes, the settings that differ from the defaults and one sentence to
   announce. Links that change the text itself (data-reload) still navigate. */

import { closeToolbar } from "./toolbar-toggle.js";

const root = document.documentElement;

function announce(message) {
  const region = document.querySelector("[data-module='rd-announcer']");
  if (!region || !message) return;
  region.textContent = "";
  window.setTimeout(() => { region.textContent = message; }, 50);
}

/* Keeps aria-pressed true to what is chosen, and tells the player through rd:settings. */
function applySetting(link) {
  return fetch(link.getAttribute("href"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then((answer) => {
      root.className = answer.classes + " js-enabled";
      const name = link.getAttribute("data-setting");
      if (name) {
        document.querySelectorAll("[data-setting='" + name + "']").forEach((other) => {
          other.setAttribute("aria-pressed", other === link ? "true" : "false");
        });
        const shown = link.querySelector(".rd-toolbar__value");
        const current = document.querySelector("[data-current='" + name + "']");
        if (shown && current) current.textContent = shown.textContent;
      }
      const switchName = link.getAttribute("data-switch");
      if (switchName) flipSwitch(link, answer.settings[switchName] === "on");
      document.dispatchEvent(new CustomEvent("rd:settings", { detail: answer.settings }));
      announce(answer.message);
      if (name && link.closest("#rd-toolbar") && answer.settings.autoclose === "on") {
        closeToolbar("switch");
      }
    });
}

/* A single on/off switch (选好后收起工具栏): pressed as the setting now is, and its link
   asks for the other value next time. */
function flipSwitch(link, on) {
  const name = link.getAttribute("data-switch");
  link.setAttribute("aria-pressed", on ? "true" : "false");
  link.setAttribute("href", link.getAttribute("href").replace(
    new RegExp("([?&]" + name + "=)(on|off)"), "$1" + (on ? "off" : "on")));
}

function onSettingClick(event) {
  const link = event.target.closest("[data-module='rd-setting-link']");
  if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
  if (link.getAttribute("data-reload") === "true") return; // text changes: let it navigate
  event.preventDefault();
  applySetting(link).catch(() => { window.location.href = link.href; });
}

export function startSettingsLinks() {
  document.addEventListener("click", onSettingClick);
}
