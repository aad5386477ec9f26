/* 易读 Reader, static export (reader build) — search without a server.

   The exported search page is the app's /search with no query; this module reads ?q=
   from the address (the form's own GET), and lists what reader.search.search() would:
   the first matching sentence of each page, in library order (reports as the index
   numbers them, then page and sentence), up to the limit, and how many places in how many
   reports match, counted over the first meta.count_limit matching sentences (the
   server's SEARCH_COUNT_LIMIT), read among at most meta.candidates_per_counted times as
   many candidates (past either, the counts say 至少). A sentence matches when its
   folded text (reader/folding.py: 繁體 as 简体, full width as half, upper case as lower)
   holds the folded query; it is a candidate when it holds each run of letters and digits
   of the query, as the server's index finds them. The index
   (reader/export/search_index.py) is fetched in parts: the postings of a one-character
   query's character, or the places of each pair of characters of a longer one (and of
   each run's, for a query of several), and the text of only the reports whose sentences
   are shown. Strings come from the catalogue through data-i18n-* on <main>. */

const main = document.querySelector("[data-module='rd-static-search']");
const fetched = new Map();

function getJSON(url) {
  if (!fetched.has(url)) {
    fetched.set(url, fetch(url).then((response) => {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response.json();
    }));
  }
  return fetched.get(url);
}

/* reader.search.query_of: control, format and separator characters become spaces, runs of
   spaces one, spaces beside Chinese none; at most max_chars characters. */
const CJK = "\\u2e80-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef";
const SPACE_BESIDE_CJK = new RegExp("\\s+(?=[" + CJK + "])|(?<=[" + CJK + "])\\s+", "gu");

export function queryOf(asked, maxChars) {
  const printable = asked.replace(/[\p{C}\p{Z}]/gu, " ");
  const text = printable.split(/\s+/u).filter(Boolean).join(" ").replace(SPACE_BESIDE_CJK, "");
  const characters = Array.from(text);
  return { text: characters.slice(0, maxChars).join(""), shortened: characters.length > maxChars };
}

/* reader.search.LETTERS_AND_DIGITS: runs of what Python's str.isalnum() holds (the two differ
   only on characters newer than the server's Unicode version). */
const LETTERS_AND_DIGITS = /[\p{L}\p{N}]+/gu;

function folder(table) {
  return (text) => Array.from(text, (c) => table[c] || c).join("");
}

function shardOf(gram, shards) {
  let h = 0;
  for (const character of gram) h = (h * 31 + character.codePointAt(0)) % shards;
  return h;
}

/* Non-overlapping places of `query` in `folded`, as reader.search.match_spans finds them. */
function spans(folded, query) {
  const found = [];
  let position = 0;
  for (;;) {
    const at = folded.indexOf(query, position);
    if (at === -1 || !query) return found;
    found.push([at, at + query.length]);
    position = at + query.length;
  }
}

/* A character's postings: [[r, i, count], ...] in report and sentence order. */
async function characterPostings(index, meta, character) {
  const shard = await getJSON(index + "1/" + shardOf(character, meta.shards[0]) + ".json");
  const repeats = new Map(((shard["#"] || {})[character] || []).map(([r, i, c]) => [r + ":" + i, c]));
  const entries = [];
  let report = -1;
  let sentence = 0;
  for (const step of shard[character] || []) {
    if (step < 0) {
      report = -step - 1;
      sentence = 0;
      continue;
    }
    sentence += step;
    entries.push([report, sentence, repeats.get(report + ":" + sentence) || 1]);
  }
  return entries;
}

/* A pair's postings: Map of "r:i" → the places it starts at, in report and sentence order. */
async function pairPostings(index, meta, pair) {
  const shard = await getJSON(index + "2/" + shardOf(pair, meta.shards[1]) + ".json");
  const runs = shard[pair] || [];
  const entries = new Map();
  let report = -1;
  let sentence = 0;
  for (let k = 0; k < runs.length;) {
    if (runs[k] < 0) {
      report = -runs[k] - 1;
      sentence = 0;
      k += 1;
      continue;
    }
    sentence += runs[k];
    const count = runs[k + 1];
    const places = [];
    let place = 0;
    for (let j = 0; j < count; j += 1) {
      place += runs[k + 2 + j];
      places.push(place);
    }
    entries.set(report + ":" + sentence, places);
    k += 2 + count;
  }
  return entries;
}

/* How many of `starts` (ascending) begin a match of `length` characters that does not
   overlap the one before: the places match_spans finds, leftmost first. */
function withoutOverlaps(starts, length) {
  let count = 0;
  let free = 0;
  starts.forEach((start) => {
    if (start >= free) {
      count += 1;
      free = start + length;
    }
  });
  return count;
}

/* Matching sentences [[r, i, places]] of a query of two characters or more: where its
   first pair starts, each pair after it starts one place later. */
async function pairMatches(index, meta, query) {
  const characters = Array.from(query);
  const pairs = characters.slice(0, -1).map((c, k) => c + characters[k + 1]);
  const postings = await Promise.all(pairs.map((pair) => pairPostings(index, meta, pair)));
  const matches = [];
  postings[0].forEach((places, key) => {
    if (!postings.every((other) => other.has(key))) return;
    const starts = places.filter((start) => postings.every((other, k) => other.get(key).includes(start + k)));
    const count = withoutOverlaps(starts, characters.length);
    if (count) matches.push(key.split(":").map(Number).concat([count]));
  });
  return matches;
}

function reportFile(index, r) {
  return getJSON(index + "r/" + r + ".json");
}

/* Report r's sentences in order: [{n, seq, text, headingPath}]. */
function sentencesOf(report) {
  const all = [];
  report.pages.forEach(([n, headingPath, texts]) => {
    texts.forEach((text, seq) => all.push({ n: n, seq: seq, text: text, headingPath: headingPath }));
  });
  return all;
}

/* reader.search._snippet: the sentence around its first match, as [text, isMatch] parts. */
function snippet(text, found, context) {
  const start = Math.max(0, found[0][0] - context);
  const end = Math.min(text.length, found[0][1] + context);
  const parts = start ? [["…", false]] : [];
  let position = start;
  found.forEach(([at, atEnd]) => {
    if (at < position || atEnd > end) return;
    if (at > position) parts.push([text.slice(position, at), false]);
    parts.push([text.slice(at, atEnd), true]);
    position = atEnd;
  });
  if (position < end) parts.push([text.slice(position, end), false]);
  if (end < text.length) parts.push(["…", false]);
  return parts;
}

/* Sentences holding `text` (folded): [[r, i, places]] in library order. */
function matchesOf(index, meta, text) {
  return Array.from(text).length === 1 ? characterPostings(index, meta, text) : pairMatches(index, meta, text);
}

/* The sentences the server's index finds for `wanted`, [[r, i]] in library order: those
   holding each of its runs of letters and digits (reader.search._candidates), or, with
   none, those holding it. `matches` are those holding `wanted` itself. */
async function candidatesOf(index, meta, wanted, matches) {
  const runs = [...new Set(wanted.match(LETTERS_AND_DIGITS) || [])];
  if (!runs.length || (runs.length === 1 && runs[0] === wanted)) return matches;
  const holding = await Promise.all(runs.map((run) => matchesOf(index, meta, run)));
  const keys = holding.map((found) => new Set(found.map(([r, i]) => r + ":" + i)));
  const fewest = holding.reduce((least, found) => (found.length < least.length ? found : least));
  return fewest.filter(([r, i]) => keys.every((held) => held.has(r + ":" + i)));
}

/** reader.search.search(): {hits: [{slug, title, n, seq, headingPath, parts}], places, reports, complete}. */
export async function search(index, query) {
  const meta = await getJSON(index + "meta.json");
  const fold = folder(await getJSON(index + "fold.json"));
  const wanted = fold(query);
  if (!wanted) return { hits: [], places: 0, reports: 0, complete: true };
  const matches = await matchesOf(index, meta, wanted);
  const candidates = await candidatesOf(index, meta, wanted, matches);
  const placesOf = new Map(matches.map(([r, i, count]) => [r + ":" + i, count]));
  // as the server counts: the first count_limit sentences holding the query, read among
  // at most candidates_per_counted times as many candidates
  const candidateLimit = meta.candidates_per_counted * meta.count_limit;
  const counted = [];
  let matched = 0;
  let examined = 0;
  for (const [r, i] of candidates.slice(0, candidateLimit)) {
    examined += 1;
    const count = placesOf.get(r + ":" + i) || 0;
    if (!count) continue;
    matched += 1;
    if (matched > meta.count_limit) break;
    counted.push([r, i, count]);
  }
  const reports = new Set(counted.map(([r]) => r));
  const places = counted.reduce((sum, [, , count]) => sum + count, 0);
  // each report holds at least one listed page: the first `limit` of them are enough
  const listed = [...reports].slice(0, meta.limit);
  const texts = new Map(await Promise.all(listed.map((r) => reportFile(index, r).then((file) => [r, file]))));
  const hits = [];
  const pagesHit = new Set();
  for (const [r, i] of counted) {
    if (hits.length >= meta.limit) break;
    const report = texts.get(r);
    if (!report.sentences) report.sentences = sentencesOf(report);
    const sentence = report.sentences[i];
    if (pagesHit.has(r + ":" + sentence.n)) continue;
    pagesHit.add(r + ":" + sentence.n);
    hits.push({
      slug: report.slug, title: report.title, n: sentence.n, seq: sentence.seq,
      headingPath: sentence.headingPath, parts: snippet(sentence.text, spans(fold(sentence.text), wanted), meta.snippet),
    });
  }
  return { hits: hits, places: places, reports: reports.size, complete: matched <= meta.count_limit && examined < candidateLimit };
}

function element(name, className, text) {
  const made = document.createElement(name);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

/* A catalogue string with {name} places filled by text or by elements. */
function filled(template, values) {
  const fragment = document.createDocumentFragment();
  template.split(/(\{\w+\})/).forEach((piece) => {
    const name = /^\{(\w+)\}$/.exec(piece);
    const value = name ? values[name[1]] : piece;
    fragment.append(value instanceof Node ? value : document.createTextNode(String(value)));
  });
  return fragment;
}

function show(query, results, shortened) {
  const i18n = (name) => main.getAttribute("data-i18n-" + name);
  const lang = main.getAttribute("data-lang");
  const pages = main.getAttribute("data-pages");
  document.title = i18n("title").replace("{query}", query);
  const form = main.querySelector("form");
  const input = main.querySelector("#rd-search-q");
  if (input) input.value = query;
  const shown = [];
  if (shortened) {
    const notice = element("p", "rd-notice", i18n("shortened"));
    notice.id = "rd-search-shortened";
    shown.push(notice);
  }
  const marked = element("span", "", query);
  marked.lang = lang;
  const count = element("h2", "rd-results__count");
  // the server's wording (templates/home/search.html): 至少 whenever the counting stopped
  const found = results.complete ? results.places && i18n("found") : i18n("found-at-least");
  count.append(found
    ? filled(found, { query: marked, reports: results.reports, places: results.places })
    : filled(i18n("none"), { query: marked }));
  shown.push(count);
  if (results.hits.length >= Number(main.getAttribute("data-limit") || 50)) {
    shown.push(element("p", "rd-results__limit", i18n("limit")));
  }
  const list = element("ol", "rd-results");
  list.setAttribute("role", "list");
  results.hits.forEach((hit) => {
    const item = element("li", "rd-results__item");
    const link = element("a", "rd-results__link");
    link.href = pages + "r/" + encodeURIComponent(hit.slug) + "/" + hit.n + "/#s" + hit.n + "-" + hit.seq;
    const title = element("span", "", hit.title);
    title.lang = lang;
    link.append(title, " · " + i18n("page").replace("{n}", hit.n));
    item.append(link);
    if (hit.headingPath.length) {
      const path = element("p", "rd-results__path", hit.headingPath.join(" › "));
      path.lang = lang;
      item.append(path);
    }
    const text = element("p", "rd-results__snippet");
    text.lang = lang;
    hit.parts.forEach(([part, isMatch]) => text.append(isMatch ? element("mark", "rd-mark", part) : part));
    item.append(text);
    list.append(item);
  });
  shown.push(list);
  form.after(...shown);
}

async function start() {
  if (!main) return;
  const asked = new URLSearchParams(window.location.search).get("q") || "";
  const index = main.getAttribute("data-index");
  const meta = await getJSON(index + "meta.json");
  main.setAttribute("data-limit", meta.limit);
  const query = queryOf(asked, meta.max_chars);
  if (!query.text) return;
  const results = await search(index, query.text);
  show(query.text, results, query.shortened);
  main.setAttribute("data-searched", "true");
}

start();
