/* Touch first on a kiosk: a swipe to the left turns to the next page, to the right to the
   previous one, by pressing the page's own 下一页 / 上一页 (which stay, as the visible way),
   so the player turns the page in place as it does for a tap. */

const MIN_DISTANCE = 80; // CSS px across the screen
const MAX_SLOPE = 0.5; // at most this much up or down for each pixel across
const MAX_MS = 1000;

export function startKioskSwipe() {
  if (!document.documentElement.classList.contains("rd-kiosk")) return;
  let start = null;
  document.addEventListener("touchstart", (event) => {
    const touch = event.touches[0];
    const inField = event.target.closest && event.target.closest("input, textarea, select, dialog");
    start = event.touches.length === 1 && !inField ? { x: touch.clientX, y: touch.clientY, t: Date.now() } : null;
  }, { passive: true });
  document.addEventListener("touchend", (event) => {
    if (!start) return;
    const touch = event.changedTouches[0];
    const dx = touch.clientX - start.x;
    const dy = touch.clientY - start.y;
    const quick = Date.now() - start.t <= MAX_MS;
    start = null;
    if (!quick || Math.abs(dx) < MIN_DISTANCE || Math.abs(dy) > Math.abs(dx) * MAX_SLOPE) return;
    const link = document.getElementById(dx < 0 ? "rd-page-next" : "rd-page-prev");
    if (link) link.click();
  }, { passive: true });
}
