"""拼音 / 粤拼 over report text: each shown character as markup, its reading in <ruby>.

The readings are the voice's own (reader.speech.ruby). A screen reader reads the text
once: every <rt> is aria-hidden, and the sentence's text without its <rt> is exactly the
text shown without ruby, so the player's character offsets (逐词高亮) and search marks
still fall on the same characters. Each sentence's markup is cached, so a page with ruby
costs no more than one without after its first reader.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Flask, g
from markupsafe import Markup

from reader.speech.ruby import RUBY_CACHE_SIZE, ruby_readings
from reader.web.i18n import in_script

# no class: a page of ruby holds one per character, and the stylesheet finds them anyway
RUBY = Markup('<ruby>%s<rt aria-hidden="true">%s</rt></ruby>')


def ruby_pieces(text: str) -> tuple[Markup, ...] | None:
    """The report sentence `text` as shown (in the reader's script), one piece of markup
    per character, with its reading above it when the `ruby` setting is on; None when off."""
    if g.settings.ruby == "off":
        return None
    return _pieces(text, in_script(text), g.settings.ruby)


@lru_cache(maxsize=RUBY_CACHE_SIZE)
def _pieces(text: str, shown: str, reading: str) -> tuple[Markup, ...]:
    """`shown` (the text in the reader's script) annotated with the readings of `text`
    (as published, what the voice reads), character for character."""
    said = ruby_readings(text if len(text) == len(shown) else shown, reading)
    return tuple(
        RUBY % (ch, syllable) if syllable else Markup.escape(ch)
        for ch, syllable in zip(shown, said, strict=True)
    )


def init_app(app: Flask) -> None:
    app.jinja_env.filters["ruby_pieces"] = ruby_pieces
