/* 无障碍版 opens and closes the toolbar without a reload; the server still hears of it,
   so the next page arrives with the toolbar as the reader left it. */

function onToolbarToggle(event) {
  const toggle = event.target.closest("[data-module='rd-toolbar-toggle']");
  if (!toggle || event.button !== 0) return;
  const toolbar = document.getElementById(toggle.getAttribute("aria-controls"));
  if (!toolbar) return;
  event.preventDefault();
  const open = toolbar.hasAttribute("hidden");
  toolbar.hidden = !open;
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
  fetch(toggle.href, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  const next = open ? "closed" : "open";
  toggle.href = toggle.href.replace(/toolbar=(open|closed)/, "toolbar=" + next);
  if (open) {
    const first = toolbar.querySelector("a, button");
    if (first) first.focus();
  }
}

export function startToolbarToggle() {
  document.addEventListener("click", onToolbarToggle);
}
