/* 易读 Reader, static export (reader build) — the reader's settings without a server.

   A classic script in <head>, so it runs before the first paint: it applies the settings
   kept in localStorage ("rd-settings": the values the reader chose) as the classes on
   <html> that the app's cookie would have given, and goes to the same page in the other
   tree when 长者助手 was turned on or off (the default pages are at the base path, the
   长者助手 ones under elder/; without JavaScript the switch links between them). Then it
   answers what the app's /settings would have: the toolbar's choices, 退出/重置, 长者助手 and
   the settings form are kept here, and the player is told its voice and rate before it
   starts. Everything it needs comes from its own data-* attributes, written by the export
   from reader/settings.py: the classes of each value, the page's own values, the
   defaults, what 长者助手 changes, and the page's address in the other tree. */

(function () {
  "use strict";

  var STORE_KEY = "rd-settings";
  var BEFORE = "before_";
  var script = document.currentScript;
  var root = document.documentElement;

  function json(name) {
    try {
      return JSON.parse(script.getAttribute(name) || "{}");
    } catch (error) {
      return {};
    }
  }

  var classes = json("data-setting-classes");
  var pageValues = json("data-base");
  var defaults = json("data-defaults");
  var elderPreset = json("data-elder-preset");
  var inElderTree = script.getAttribute("data-tree") === "elder";
  var counterpart = script.getAttribute("data-counterpart");

  function load() {
    try {
      var kept = JSON.parse(window.localStorage.getItem(STORE_KEY) || "null");
      return kept && typeof kept === "object" ? kept : null;
    } catch (error) {
      return null; // storage blocked: the page's own settings stay
    }
  }

  function save(chosen) {
    try {
      if (chosen) window.localStorage.setItem(STORE_KEY, JSON.stringify(chosen));
      else window.localStorage.removeItem(STORE_KEY);
    } catch (error) { /* blocked or full: this page still changes */ }
  }

  /* The values in force: this page's own, with what the reader chose over them; a value
     no setting has is ignored, as the server ignores it. */
  function effective(chosen) {
    var values = {};
    Object.keys(pageValues).forEach(function (name) { values[name] = pageValues[name]; });
    Object.keys(chosen || {}).forEach(function (name) {
      if (name in values && name !== "elder" && typeof chosen[name] === "string") values[name] = chosen[name];
    });
    return values;
  }

  function classesOf(values) {
    var names = [];
    Object.keys(classes).forEach(function (name) {
      var value = classes[name][values[name]];
      if (value) names.push(value);
    });
    return names;
  }

  function applyClasses(values) {
    var keep = root.classList.contains("js-enabled") ? ["js-enabled"] : [];
    root.className = classesOf(values).concat(keep).join(" ");
  }

  var chosen = load();
  if (chosen && "elder" in chosen && (chosen.elder === "on") !== inElderTree && counterpart) {
    window.location.replace(counterpart + window.location.hash);
    return;
  }
  applyClasses(effective(chosen));

  function changedFromDefault(values) {
    var changed = {};
    Object.keys(values).forEach(function (name) {
      if (values[name] !== defaults[name]) changed[name] = values[name];
    });
    return changed;
  }

  /* The player reads its voice and rate from its data-* attributes when it starts, after
     the document is parsed and before DOMContentLoaded; this comes just before that. */
  function applyToPage(values) {
    var player = document.querySelector("[data-module='rd-player']");
    Object.keys(values).forEach(function (name) {
      if (player && player.hasAttribute("data-" + name)) player.setAttribute("data-" + name, values[name]);
      document.querySelectorAll("[data-setting='" + name + "']").forEach(function (link) {
        link.setAttribute("aria-pressed", link.getAttribute("data-value") === values[name] ? "true" : "false");
        if (link.getAttribute("data-value") === values[name]) {
          var shown = link.querySelector(".rd-toolbar__value");
          var current = document.querySelector("[data-current='" + name + "']");
          if (shown && current) current.textContent = shown.textContent;
        }
      });
      document.querySelectorAll("input[type='radio'][name='" + name + "']").forEach(function (input) {
        input.checked = input.value === values[name];
      });
    });
    var autoclose = document.getElementById("rd-toolbar-autoclose");
    if (autoclose) autoclose.setAttribute("aria-pressed", values.autoclose === "on" ? "true" : "false");
  }

  document.addEventListener("readystatechange", function () {
    if (document.readyState !== "interactive") return;
    applyToPage(effective(chosen));
    // 无障碍版 and 设置 need this script in a static copy: hidden without it
    document.querySelectorAll("[data-needs-script]").forEach(function (element) { element.hidden = false; });
  });

  function announce(message) {
    var region = document.querySelector("[data-module='rd-announcer']");
    if (!region || !message) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = message; }, 50);
  }

  function choose(changes) {
    var next = chosen ? JSON.parse(JSON.stringify(chosen)) : {};
    Object.keys(changes).forEach(function (name) {
      next[name] = changes[name];
      delete next[BEFORE + name];
    });
    chosen = next;
    save(chosen);
    var values = effective(chosen);
    applyClasses(values);
    applyToPage(values);
    document.dispatchEvent(new CustomEvent("rd:settings", { detail: changedFromDefault(values) }));
    return values;
  }

  /* 长者助手 on: text at least 150 % and wide spacing, what it changed remembered; off: the
     reader's own values back. The link itself goes to the other tree. */
  function switchElder() {
    var values = effective(chosen);
    var next = chosen ? JSON.parse(JSON.stringify(chosen)) : {};
    if (inElderTree) {
      next.elder = "off";
      Object.keys(elderPreset).forEach(function (name) {
        if (next[BEFORE + name]) next[name] = next[BEFORE + name];
        else if (values[name] === elderPreset[name]) next[name] = defaults[name];
        delete next[BEFORE + name];
      });
    } else {
      next.elder = "on";
      Object.keys(elderPreset).forEach(function (name) {
        next[BEFORE + name] = values[name];
        next[name] = name === "size" && Number(values.size) > Number(elderPreset.size) ? values.size : elderPreset[name];
      });
    }
    save(next);
  }

  function reset(link) {
    save(null);
    chosen = null;
    if (inElderTree && counterpart) {
      window.location.assign(counterpart);
      return;
    }
    var values = effective(null);
    applyClasses(values);
    applyToPage(values);
    document.dispatchEvent(new CustomEvent("rd:settings", { detail: {} }));
    announce(link.textContent);
  }

  function plainClick(event) {
    return event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey;
  }

  /* Before the app's own handlers (static/js/settings-links.js asks the server), which
     leave a click alone once it is handled. */
  window.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a");
    if (!link || !plainClick(event)) return;
    if (link.id === "rd-elder-switch") {
      switchElder();
      return; // the link goes to this page in the other tree
    }
    if (link.id === "rd-reset") {
      event.preventDefault();
      reset(link);
      return;
    }
    var name = link.getAttribute("data-setting");
    var switchName = link.getAttribute("data-switch");
    if (!name && !switchName) return;
    event.preventDefault();
    if (switchName) {
      choose(Object.fromEntries([[switchName, effective(chosen)[switchName] === "on" ? "off" : "on"]]));
    } else {
      choose(Object.fromEntries([[name, link.getAttribute("data-value")]]));
    }
    announce(link.textContent);
    if (name && link.closest("#rd-toolbar") && effective(chosen).autoclose === "on") {
      var close = document.querySelector("#rd-toolbar [data-module='rd-toolbar-close']");
      if (close) close.click();
    }
  }, true);

  /* The settings form: every value chosen kept, then back to the page it was opened from. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-module='rd-static-settings-form']")) return;
    event.preventDefault();
    var submitter = event.submitter;
    if (submitter && submitter.name === "preset" && submitter.value === "reset") {
      save(null);
      chosen = null;
    } else {
      var changes = {};
      new FormData(form).forEach(function (value, name) {
        if (name in pageValues && name !== "elder") changes[name] = String(value);
      });
      choose(changes);
    }
    var back = document.referrer && new URL(document.referrer).origin === window.location.origin
      ? document.referrer : null;
    if (back) window.location.assign(back);
    else window.location.reload();
  }, true);
}());
