/* The reading ruler and crosshair (data-module="rd-guide") follow the pointer, or the
   focus when the reader uses the keyboard. CSS shows the overlay only when a guide is
   chosen; this only tells it where to be. */

export function startReadingGuide() {
  const guide = document.querySelector("[data-module='rd-guide']");
  if (!guide) return;
  function moveGuide(x, y) {
    guide.style.setProperty("--rd-guide-x", x + "px");
    guide.style.setProperty("--rd-guide-y", y + "px");
  }
  document.addEventListener("pointermove", (event) => moveGuide(event.clientX, event.clientY), { passive: true });
  document.addEventListener("focusin", (event) => {
    if (!event.target.getBoundingClientRect) return;
    const box = event.target.getBoundingClientRect();
    moveGuide(box.left + box.width / 2, box.top + box.height / 2);
  });
}
