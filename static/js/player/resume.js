/* 从第 n 页第 m 句继续: after a reload, or on coming back to a report later, one tap reads
   on from where reading stopped, on this page or another page of the report (shown in
   place, so the tap that asked for it still lets it play). The offer goes as soon as
   reading starts in any other way. */

import { rememberedPlace } from "./position.js";

/**
 * Offer to continue `reading` of report `slug` where it stopped, in a button on `player`
 * above its `controls`; `showPage(n)` shows page n in place and resolves once its
 * manifest is loaded. The wording is the player's data-i18n-resume ({n}, {sentence}).
 * A page opened from a kiosk's QR code (data-arrival: the sentence handed over) offers
 * that sentence instead, as 从这里继续朗读 (data-i18n-arrival).
 */
export function offerResume({ player, controls, toggle, slug, reading, showPage }) {
  const arrival = player.getAttribute("data-arrival");
  const place = arrival ? { n: reading.page(), seq: Number(arrival) } : rememberedPlace(slug);
  const wording = player.getAttribute(arrival ? "data-i18n-arrival" : "data-i18n-resume");
  if (!place || !wording) return;
  const button = document.createElement("button");
  button.type = "button";
  button.className = "rd-button rd-button--primary rd-player__resume";
  button.textContent = wording.replace("{n}", String(place.n)).replace("{sentence}", String(place.seq + 1));
  player.insertBefore(button, controls);
  reading.onPlaying(() => { button.hidden = true; });

  button.addEventListener("click", () => {
    button.hidden = true;
    if (place.n === reading.page()) {
      toggle.focus();
      reading.start(place.seq, "continuous");
      return;
    }
    showPage(place.n).then(
      () => reading.start(place.seq, "continuous"),
      () => { button.hidden = false; },
    );
  });
}
