/* 易读 Reader — progressive enhancement. Every control works as a plain link or form
   without this file; with it, settings change without a reload, shortcuts work, and the
   reading guides follow the pointer. Modules attach to data-module="…" elements.
   Strings shown to people come from the server (data-i18n-* attributes). */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js-enabled");

  function announce(message) {
    var region = document.querySelector("[data-module='rd-announcer']");
    if (!region || !message) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function inField(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  /* ---- Settings links: apply in place, keep aria-pressed true to what is chosen ---- */
  function applySetting(link) {
    var url = link.getAttribute("href");
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (answer) {
        root.className = answer.classes + " js-enabled";
        var name = link.getAttribute("data-setting");
        if (name) {
          document.querySelectorAll("[data-setting='" + name + "']").forEach(function (other) {
            other.setAttribute("aria-pressed", other === link ? "true" : "false");
          });
        }
        document.dispatchEvent(new CustomEvent("rd:settings", { detail: answer.settings }));
        announce(answer.message);
      });
  }

  function onSettingClick(event) {
    var link = event.target.closest("[data-module='rd-setting-link']");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    if (link.getAttribute("data-reload") === "true") return; // text changes: let it navigate
    event.preventDefault();
    applySetting(link).catch(function () { window.location.href = link.href; });
  }

  /* Links that act as buttons also answer the space bar. */
  function onButtonKey(event) {
    var target = event.target;
    if (event.key === " " && target.getAttribute && target.getAttribute("role") === "button" && target.tagName === "A") {
      event.preventDefault();
      target.click();
    }
  }

  /* ---- 无障碍版: open and close the toolbar without a reload ---------------------- */
  function onToolbarToggle(event) {
    var toggle = event.target.closest("[data-module='rd-toolbar-toggle']");
    if (!toggle || event.button !== 0) return;
    var toolbar = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!toolbar) return;
    event.preventDefault();
    var open = toolbar.hasAttribute("hidden");
    toolbar.hidden = !open;
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    fetch(toggle.href, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    var next = open ? "closed" : "open";
    toggle.href = toggle.href.replace(/toolbar=(open|closed)/, "toolbar=" + next);
    if (open) {
      var first = toolbar.querySelector("a, button");
      if (first) first.focus();
    }
  }

  /* ---- Shortcuts, listed on /help, from the server's own table -------------------- */
  var shortcuts = [];
  try {
    shortcuts = JSON.parse(document.body.getAttribute("data-shortcuts") || "[]");
  } catch (error) {
    shortcuts = [];
  }

  function keysOf(event) {
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return "";
      return event.key;
    }
    var digit = /^Digit([0-9])$/.exec(event.code || "");
    if (digit && event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey) {
      return "Alt+Shift+" + digit[1];
    }
    return "";
  }

  function stepSetting(name, direction) {
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-setting='" + name + "']"));
    if (!links.length) return;
    var current = links.findIndex(function (link) { return link.getAttribute("aria-pressed") === "true"; });
    var next = direction === "prev" ? current - 1 : current + 1;
    if (name === "size") next = Math.max(0, Math.min(links.length - 1, next));
    else next = (next + links.length) % links.length;
    if (next !== current) links[next].click();
  }

  function onShortcut(event) {
    var keys = keysOf(event);
    if (!keys) return;
    if (keys.indexOf("Arrow") === 0 && inField(document.activeElement)) return;
    var entry = shortcuts.find(function (shortcut) { return shortcut[0] === keys; });
    if (!entry) return;
    var action = entry[1].split(":");
    if (action[0] === "click") {
      var control = document.getElementById(action[1]);
      if (!control) return;
      event.preventDefault();
      control.click();
    } else if (action[0] === "setting") {
      event.preventDefault();
      stepSetting(action[1], action[2]);
    }
  }

  /* ---- Reading ruler and crosshair follow the pointer, or the focus ------------------ */
  var guide = document.querySelector("[data-module='rd-guide']");
  function moveGuide(x, y) {
    if (!guide) return;
    guide.style.setProperty("--rd-guide-x", x + "px");
    guide.style.setProperty("--rd-guide-y", y + "px");
  }
  function onPointerMove(event) { moveGuide(event.clientX, event.clientY); }
  function onFocusIn(event) {
    if (!guide || !event.target.getBoundingClientRect) return;
    var box = event.target.getBoundingClientRect();
    moveGuide(box.left + box.width / 2, box.top + box.height / 2);
  }

  document.addEventListener("click", onToolbarToggle);
  document.addEventListener("click", onSettingClick);
  document.addEventListener("keydown", onButtonKey);
  document.addEventListener("keydown", onShortcut);
  document.addEventListener("pointermove", onPointerMove, { passive: true });
  document.addEventListener("focusin", onFocusIn);
})();
