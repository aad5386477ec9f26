/* The kiosk's ways to take a page home (reader/web/handoff.py).

   打印本页 (data-module="rd-print") opens the print dialog, which is the only window a kiosk
   opens; it needs this script, so the button is hidden until it runs. The whole text
   opened by 打印全文 (?print=1) opens the dialog by itself, once.

   在手机上继续 (data-module="rd-handoff"): the server draws the code for the page at the
   sentence last read; while the player reads (its rd:sentence event), the code and the
   address written beside it follow the sentence, from data-qr-url (an SVG, with the
   address in its X-Handoff-Address header). */

function startPrinting() {
  document.querySelectorAll("[data-module='rd-print']").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
  const url = new URL(window.location.href);
  if (url.searchParams.get("print") === "1" && document.querySelector("[data-module='rd-print']")) {
    url.searchParams.delete("print");
    window.history.replaceState(window.history.state, "", url.pathname + url.search + url.hash);
    const fontsReady = document.fonts ? document.fonts.ready : Promise.resolve();
    fontsReady.then(() => window.print());
  }
}

function startFollowing() {
  const aside = document.querySelector("[data-module='rd-handoff'][data-qr-url]");
  if (!aside) return;
  const code = aside.querySelector("[data-handoff-code]");
  const address = aside.querySelector("[data-handoff-address]");
  let asked = 0;
  document.addEventListener("rd:sentence", (event) => {
    const place = event.detail || {};
    if (place.slug !== aside.getAttribute("data-slug")) return;
    const url = new URL(aside.getAttribute("data-qr-url"), window.location.href);
    url.searchParams.set("slug", place.slug);
    url.searchParams.set("n", String(place.n));
    url.searchParams.set("from", String(place.seq));
    const ask = ++asked;
    fetch(url.href, { credentials: "same-origin" }).then((response) => {
      if (!response.ok) throw new Error(response.status);
      const written = response.headers.get("X-Handoff-Address");
      return response.text().then((text) => ({ text: text, written: written }));
    }).then(({ text, written }) => {
      if (ask !== asked) return; // a later sentence's code is on its way
      const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
      if (svg.nodeName !== "svg") return;
      code.replaceChildren(document.importNode(svg, true));
      if (written && address) address.textContent = written;
    }).catch(() => { /* the code drawn last stays: it still opens this page */ });
  });
}

export function startHandoff() {
  startPrinting();
  startFollowing();
}
