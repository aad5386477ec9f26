/* Links that act as buttons (role="button": 长者助手, 无障碍版, the toolbar's settings)
   answer the space bar as a button does, not only Enter. */

function onButtonKey(event) {
  const target = event.target;
  if (event.key === " " && target.getAttribute && target.getAttribute("role") === "button" && target.tagName === "A") {
    event.preventDefault();
    target.click();
  }
}

export function startLinkButtons() {
  document.addEventListener("keydown", onButtonKey);
}
