/* 易读 Reader, static export (reader build) — search without a server.

   The exported search page is the app's /search with no query; this module reads ?q=
   from the address (the form's own GET), and lists what reader.search.search() would:
   the first matching sentence of each page, in report and page order, up to the limit,
   and how many places in how many reports match. A sentence matches when its folded text
   (reader/folding.py: 繁體 as 简体, full width as half, upper case as lower) holds the
   folded query. The index (reader/export/search_index.py) is fetched in parts: the
   postings of the query's own 1- or 2-character gram, or of each 2-character gram of a
   longer one, and the text of only the reports whose sentences are shown or checked.
   Strings come from the catalogue through data-i18n-* on <main>. */

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

/* A gram's postings: [[r, i, count], ...] in report and sentence order. */
async function postings(index, meta, gram) {
  const size = Array.from(gram).length;
  const shard = await getJSON(index + size + "/" + shardOf(gram, meta.shards[size - 1]) + ".json");
  const runs = shard[gram] || [];
  const repeats = new Map(((shard["#"] || {})[gram] || []).map(([r, i, c]) => [r + ":" + i, c]));
  const entries = [];
  let report = -1;
  let sentence = 0;
  for (const step of runs) {
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

/* Matching sentences [[r, i, places]] for a query of 3 characters or more: those holding
   each of its 2-grams, checked against their text. */
async function longMatches(index, meta, query, fold) {
  const characters = Array.from(query);
  const grams = [...new Set(characters.slice(0, -1).map((c, k) => c + characters[k + 1]))];
  const lists = await Promise.all(grams.map((gram) => postings(index, meta, gram)));
  lists.sort((a, b) => a.length - b.length);
  let candidates = lists[0].map(([r, i]) => r + ":" + i);
  for (const list of lists.slice(1)) {
    const holding = new Set(list.map(([r, i]) => r + ":" + i));
    candidates = candidates.filter((key) => holding.has(key));
  }
  const byReport = new Map();
  candidates.forEach((key) => {
    const [r, i] = key.split(":").map(Number);
    if (!byReport.has(r)) byReport.set(r, []);
    byReport.get(r).push(i);
  });
  const reports = [...byReport.keys()].sort((a, b) => a - b);
  const texts = await Promise.all(reports.map((r) => reportFile(index, r).then(sentencesOf)));
  const matches = [];
  reports.forEach((r, k) => {
    byReport.get(r).sort((a, b) => a - b).forEach((i) => {
      const places = spans(fold(texts[k][i].text), query).length;
      if (places) matches.push([r, i, places]);
    });
  });
  return matches;
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

/** reader.search.search(): {hits: [{slug, title, n, seq, headingPath, parts}], places, reports}. */
export async function search(index, query) {
  const meta = await getJSON(index + "meta.json");
  const fold = folder(await getJSON(index + "fold.json"));
  const wanted = fold(query);
  const length = Array.from(wanted).length;
  if (!length) return { hits: [], places: 0, reports: 0 };
  const matches = length <= 2 ? await postings(index, meta, wanted) : await longMatches(index, meta, wanted, fold);
  const reports = new Set(matches.map(([r]) => r));
  const places = matches.reduce((sum, [, , count]) => sum + count, 0);
  // each report holds at least one listed page: the first `limit` of them are enough
  const listed = [...reports].slice(0, meta.limit);
  const texts = new Map(await Promise.all(listed.map((r) => reportFile(index, r).then((file) => [r, file]))));
  const hits = [];
  const pagesHit = new Set();
  for (const [r, i] of matches) {
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
  return { hits: hits, places: places, reports: reports.size };
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
  count.append(results.places
    ? filled(i18n("found"), { query: marked, reports: results.reports, places: results.places })
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
