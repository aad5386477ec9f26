"""The 术语 glossary on the web: `/glossary`, each term's spoken explanation, and the
first use of each term on a reading page marked as a link to its entry (which
static/js/glossary.js makes a disclosure that opens the explanation in place).

The glossary is read from CONTENT_DIR/glossary.toml again whenever the file changes; a
file that does not load is logged and the last good glossary (or none) is used, so a bad
edit never costs a reader a page. Where each term is used is worked out once per library
and glossary, on the first request that asks.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, g, render_template, url_for
from markupsafe import Markup

from reader import glossary, library, search
from reader.glossary import Found, Glossary
from reader.report import HEADING
from reader.speech.voices import VOICE_BY_CODE
from reader.web import speech_views, store
from reader.web.i18n import gettext, in_script
from reader.web.page_view import PageView, match_id, view_of

bp = Blueprint("glossary", __name__)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    app.extensions["glossary"] = {"stamp": None, "glossary": Glossary(()), "uses": {}}
    app.add_template_global(first_terms)
    app.add_template_filter(explained)


def current() -> Glossary:
    """The glossary as the file now is (the last good one when it does not load)."""
    state = current_app.extensions["glossary"]
    path = glossary.glossary_path(Path(current_app.config["CONTENT_DIR"]))
    try:
        status = path.stat()
        stamp = (status.st_mtime_ns, status.st_size)
    except OSError:
        stamp = None
    with _lock:
        if stamp != state["stamp"]:
            state["stamp"], state["uses"] = stamp, {}
            try:
                state["glossary"] = glossary.load(path)
            except (glossary.GlossaryError, OSError) as exc:
                current_app.logger.warning("glossary not loaded: %s", exc)
        return state["glossary"]


def first_terms(page: PageView) -> dict[str, list[Found]]:
    """The first use of each term in the text of `page`, by sentence id (for
    templates/_blocks.html). Headings are left alone: a heading's name, as a screen reader
    lists headings, stays its own words."""
    return current().first_uses(
        (s.id, s.text) for block in page.blocks if block.type != HEADING for s in block.sentences
    )


def explained(
    text: str, query, sentence: str, found: list[Found], ruby: tuple[Markup, ...] | None = None
) -> Markup:
    """A sentence's text (in the reader's script) with its terms as links to their entries
    and the reader's search matches in <mark> with the ids the `marked` filter gives them;
    with `ruby` (reader.web.ruby, one piece per character), its readings kept inside.

    A term that a match only partly covers is left unlinked, so no element crosses another.
    """
    shown = in_script(text)
    if len(shown) != len(text):  # a conversion that changed lengths: places would not hold
        found = []
    marks = search.match_spans(shown, query.folded) if query else []
    terms = [f for f in found if all(_nested(f.start, f.end, s, e) for s, e in marks)]
    # (start, end, kind, opening, closing): kind 0 a mark, 1 a term (inside an equal mark)
    elements = [
        (s, e, 0, Markup('<mark class="rd-mark" id="%s">') % match_id(sentence, k), Markup("</mark>"))
        for k, (s, e) in enumerate(marks)
    ] + [(f.start, f.end, 1, _term_link(f), Markup("</a>")) for f in terms]
    edges = sorted({0, len(shown), *(p for el in elements for p in el[:2])})
    html = Markup()
    for i, p in enumerate(edges):
        closing = sorted((el for el in elements if el[1] == p), key=lambda el: (-el[0], -el[2]))
        opening = sorted((el for el in elements if el[0] == p), key=lambda el: (-el[1], el[2]))
        html += Markup().join(el[4] for el in closing) + Markup().join(el[3] for el in opening)
        if i + 1 < len(edges):
            following = edges[i + 1]
            html += Markup().join(ruby[p:following]) if ruby else Markup.escape(shown[p:following])
    return html


def _nested(a: int, b: int, s: int, e: int) -> bool:
    return b <= s or e <= a or (s <= a and b <= e) or (a <= s and e <= b)


def _term_link(found: Found) -> Markup:
    """The term as a link to its entry, carrying what static/js/glossary.js needs to
    explain it in place: the explanation, its audio, the voice's language, the labels."""
    term = found.term
    return Markup(
        '<a class="rd-term" data-module="rd-term" href="%s" aria-label="%s" data-explain="%s"'
        ' data-audio="%s" data-lang="%s" data-i18n-read="%s" data-i18n-close="%s">'
    ) % (
        url_for("glossary.index", _anchor=term.anchor),
        gettext("%(term)s：术语解释", term=in_script(term.term)),
        in_script(term.explain),
        url_for("glossary.audio", term=term.term),
        VOICE_BY_CODE[g.settings.voice].tag,
        gettext("朗读解释"),
        gettext("收起解释"),
    )


def term_uses(conn) -> dict[str, list[tuple]]:
    """Each term's pages: [(report, page number)], in library order, once per library."""
    state = current_app.extensions["glossary"]
    built = library.built_fingerprint(conn)
    current()  # a glossary file changed since empties state["uses"]
    if built in state["uses"]:
        return state["uses"][built]
    uses: dict[str, list[tuple]] = {}
    for report in library.reports(conn):
        for page in library.pages(conn, report.slug):
            for found_list in first_terms(view_of(page)).values():
                for found in found_list:
                    uses.setdefault(found.term.term, []).append((report, page.n))
    state["uses"] = {built: uses}
    return uses


@bp.get("/glossary")
def index():
    terms = current()
    return render_template(
        "glossary/index.html", terms=terms.sorted_terms(), uses=term_uses(store.connection())
    )


@bp.get("/glossary/<path:term>/audio.mp3")
def audio(term: str):
    """A term's explanation spoken in the reader's voice: a redirect to its cached MP3,
    or 503 when there is no voice (the page then asks the browser to speak)."""
    found = next((t for t in current().terms if t.term == term), None) or abort(404)
    return speech_views.redirect_to_audio(in_script(found.spoken))
