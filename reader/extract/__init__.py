"""Find a report's title, publish date, source, place and body paragraphs in a page.

Text files (scrapes of the portal pages) go through a line-based cleaner; HTML is
parsed with BeautifulSoup (lxml), its metadata read, its hidden and mobile copies and
non-text elements dropped, its article container found, and its text blocks then go
through the same cleaner. Each step is a named function in one of this package's
modules, the patterns and thresholds it uses named at the top of that module:

- text_file: the line-based cleaner (chrome, header and labels, title lines);
- html_file: what BeautifulSoup finds in an HTML page, down to its text lines;
- article: which element of a page holds the article;
- places: the district and city a report is about;
- facts: what the steps have found (`Findings`), kinds, a title from the text;
- dates: dates in every common Chinese format;
- titles: a title made whole and clean (generic titles, markup, site names).

The publish date is only ever a labelled one (发布日期, 发布时间, the CMS's PubDate, the
portal's date line): a meeting date or the signature date at the end is the report's
own text, never its publish date.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.extract.facts import kind_of, title_from_text
from reader.extract.html_file import read_html
from reader.extract.places import find_places
from reader.extract.text_file import drop_repeated_paragraphs, drop_title_lines, read_text
from reader.extract.titles import clean_title, complete_generic_title
from reader.sources import Source

__all__ = ["Extracted", "extract", "kind_of", "title_from_text"]


@dataclass(frozen=True)
class Extracted:
    """What a page says about itself, and its body as paragraphs (one per line or text block)."""

    title: str
    date: str | None  # ISO YYYY-MM-DD: the page's publish date
    source: str
    district: str
    city: str
    kind: str
    paragraphs: tuple[str, ...]
    warnings: tuple[str, ...]


def extract(source: Source) -> Extracted:
    """Title, facts and body paragraphs of a decoded file."""
    findings = read_html(source.text) if source.is_html else read_text(source.text)
    findings.learn(source=findings.publisher)  # a page without a source label names its publisher
    title = clean_title(findings.title)
    paragraphs = drop_repeated_paragraphs(drop_title_lines(findings.body, title))
    title = complete_generic_title(title, paragraphs)
    district, city = find_places(title, findings.place_hints, paragraphs)
    return Extracted(
        title=title,
        date=findings.date,
        source=findings.source,
        district=district,
        city=city,
        kind=kind_of(title),
        paragraphs=paragraphs,
        warnings=tuple(source.warnings),
    )
