/* The page's speech manifest (/r/<slug>/<n>/speech.json?voice=…&rate=…&pauses=…, or in
   the static export a path with {voice}, {rate} and {pauses} to fill in): for
   each sentence id the audio URL (null when the server has no voice), the text to speak
   and its word timing, the language tag, the pauses, and the next page. Without it the
   browser speaks the page's text. */

/**
 * The manifest at `url`. `onFresh` runs each time a newly chosen voice or rate has
 * loaded, so what failed with the old audio may be tried again. `voiceTags` maps each
 * voice to its language tag, for speaking before (or without) a manifest.
 */
export function createManifest(url, onFresh, voiceTags) {
  let loaded = null;
  let entries = {}; // sentence id → entry; the old ones serve until new ones arrive
  let request = null;

  function load(voice, rate, pauses) {
    loaded = null;
    const chosen = { voice: voice, rate: rate, pauses: pauses };
    // the static export (reader build) names each voice's manifest by a plain path
    const address = url.includes("{voice}")
      ? url.replace(/\{(voice|rate|pauses)\}/g, (_all, name) => encodeURIComponent(chosen[name]))
      : url + "?voice=" + encodeURIComponent(voice) + "&rate=" + encodeURIComponent(rate) +
        "&pauses=" + encodeURIComponent(pauses);
    const mine = fetch(address, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then((answer) => {
        if (mine !== request) return loaded; // a newer voice or rate was chosen
        loaded = answer;
        entries = {};
        answer.sentences.forEach((entry) => { entries[entry.id] = entry; });
        onFresh();
        return loaded;
      })
      .catch(() => {
        if (mine === request) { loaded = null; entries = {}; }
        return null;
      });
    request = mine;
    return mine;
  }

  return {
    load: load,
    isLoaded: () => loaded !== null,
    /** The request in flight (or settled), null before the first load. */
    pending: () => request,
    entry: (id) => entries[id],
    /** The language tag to speak in: the manifest's, or the one the chosen voice implies. */
    lang: (voice) => (loaded && loaded.lang) || voiceTags[voice] || "",
    /** Seconds of silence after a clause at the chosen rate and pauses (0 before a manifest). */
    clausePause: () => (loaded && loaded.pause_seconds ? loaded.pause_seconds[0] : 0),
    /** The next page's URL, null at the end of the report. */
    nextPage() {
      if (loaded) return loaded.next;
      const link = document.getElementById("rd-page-next");
      return link ? link.getAttribute("href") : null;
    },
  };
}
