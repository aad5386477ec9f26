/* A sentence's text as the page shows it and the server counts it: its characters without
   the 拼音/粤拼 readings above them (<rt>, reader/web/ruby.py), so that 大字幕, the
   browser's voice and the word timing's character offsets see the text alone. */

export function shownText(node) {
  if (!node.querySelector || !node.querySelector("rt")) return node.textContent;
  const copy = node.cloneNode(true);
  copy.querySelectorAll("rt, rp").forEach((reading) => reading.remove());
  return copy.textContent;
}

/* The text nodes of `root` that hold shown characters (none inside <rt>), in order. */
export function shownTextNodes(root) {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement && node.parentElement.closest("rt, rp")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
  return nodes;
}
