"""An HTML page read with BeautifulSoup (lxml) down to its facts and its body lines.

Its CMS metadata and info table are read, its hidden, non-text and phone-copy elements
dropped, its article container found, and the text around and inside the container
then goes through the line-based cleaner of text files.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PreformattedString

from reader.extract.article import (
    ARTICLE_CONTAINER,
    MIN_BODY_CHARS,
    article_container,
    ids_under,
    is_decomposed,
    live,
)
from reader.extract.dates import DATE_ONLY_LINE
from reader.extract.facts import Findings, iso_date
from reader.extract.places import CITY_OF_DISTRICT, GAZETTEER
from reader.extract.text_file import (
    TITLE_MAX_CHARS,
    TITLE_MAX_LINES,
    clean_lines,
    drop_portal_chrome,
    is_body_line,
    is_label_line,
    join_title,
    read_labels,
    split_header,
)
from reader.extract.titles import strip_site_names

INFO_TABLE_LABELS = frozenset(
    ["索引号", "分类", "主题分类", "发布机构", "成文日期", "名称", "文号", "发布日期", "主题词", "信息来源", "来源"]
)
INFO_TABLE_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff]{2,4})\s*[:：]?$")
INFO_TABLE_CELLS = frozenset(["td", "th", "dt", "span", "label", "b", "strong"])
# A label cell's text is read only this far (characters, and elements and strings walked):
# reading every cell's whole text cost the square of the nesting depth of inline tags.
INFO_TABLE_LABEL_MAX_CHARS = 16
INFO_TABLE_LABEL_MAX_NODES = 16
INFO_TABLE_MAX_LABELS = 64  # label cells looked at per page; a real table has about ten

# --- HTML ---------------------------------------------------------------------------
NON_TEXT_TAGS = (
    "script", "style", "iframe", "frame", "frameset", "form", "noscript", "object", "embed",
    "template", "svg", "canvas", "button", "select", "input", "textarea", "audio", "video", "map",
)  # fmt: skip
BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "center", "dd", "details", "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "caption", "body", "html"]
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
HIDDEN_CLASSES = frozenset({"hidden", "hide", "d-none", "display-none", "is-hidden"})
MOBILE_COPY = re.compile(
    r"(?:^|[-_])(?:mobile|wap|phone|sj|shouji)(?:[-_]|$)|^m[-_]|[-_]m$|^visible-xs", re.IGNORECASE
)
# A source line break between two Chinese characters, with the spaces around it.
CJK_LINE_BREAK = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n]*\n[ \t\r\n]*(?=[\u3000-\u9fff\uff00-\uffef])"
)
WHITESPACE_RUN = re.compile(r"\s+")
# A document number between a title and its date: 石府〔2024〕3号, 东府办[2023]12号.
DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号$")
SITE_NAME = re.compile(
    r"(?:网站|门户|门户网|政府网|人民政府|办事处|政务网|信息公开|首页|动态|公告|要闻|新闻|栏目|"
    r"规划计划|计划总结|规划总结)$|\.gov\.cn$|^www\.",
    re.IGNORECASE,
)
CMS_META = {"articletitle": "title", "pubdate": "date", "contentsource": "source", "columnname": "column"}


def read_html(text: str) -> Findings:
    """An HTML page's facts, read from the most reliable place first, and its body lines.

    The CMS meta tags come first, then the info table, <title>, the labels around the
    article, and last the header lines and headings above its body.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    findings = Findings()
    tags = scan_tags(soup)
    read_cms_meta(findings, tags.metas)
    for tag in tags.unseen:
        tag.decompose()
    drop_mobile_copies(soup, tags.copies)
    read_info_table(findings, live(tags.cells))
    title_tag = next(iter(live(tags.titles)), None)

    container = article_container(soup, tags.bodies, tags.containers, tags.articles)
    body_lines = text_lines(container)
    body = drop_portal_chrome(body_lines)
    container.extract()
    around_lines = text_lines(soup)
    around = drop_portal_chrome(around_lines)
    links = {" ".join(a.get_text(" ", strip=True).split()) for a in soup.find_all("a")}

    page_lines = around_lines + body_lines

    def shown_alone(name: str, title: str) -> bool:
        """The page shows `name` in a line of its own text that does not hold the title."""
        return any(name in line and title not in line for line in page_lines)

    findings.learn(title=title_of_document(title_tag, findings, shown_alone))
    read_labels(findings, around, dates_alone=False)
    findings.learn(title=title_before_labels(around, links))
    header, body = split_header(body)
    titles = read_labels(findings, header)
    in_container = ids_under(container)
    headings = [tag for tag in live(tags.headings) if id(tag) not in in_container]
    findings.learn(title=join_title(titles) or heading_title(headings))
    findings.learn(date=date_under_title(around, findings.title))
    if titles and join_title(titles) != findings.title:
        body = titles + body
    findings.body = tuple(body)
    return findings


@dataclass
class _Tags:
    """The elements the steps below look at, in document order, found in one walk."""

    metas: list[Tag] = field(default_factory=list)  # every <meta>, shown or not
    unseen: list[Tag] = field(default_factory=list)  # non-text and hidden elements, outermost only
    copies: list[Tag] = field(default_factory=list)  # phone copies of the article, outermost only
    cells: list[Tag] = field(default_factory=list)  # what may hold an info-table label
    containers: list[Tag] = field(default_factory=list)  # known CMS article containers, outermost
    articles: list[Tag] = field(default_factory=list)  # outermost only
    headings: list[Tag] = field(default_factory=list)  # h1 and h2
    titles: list[Tag] = field(default_factory=list)
    bodies: list[Tag] = field(default_factory=list)


def scan_tags(soup: BeautifulSoup) -> _Tags:
    """Sort the page's elements once: what to drop, and where to look for facts and body.

    Below an unseen element (non-text or hidden) only <meta>s are looked for: the CMS
    facts are read from them before anything is dropped. Containers and articles are kept
    outermost only: an outer one holds all an inner one's text, and sizing each nested one
    would cost the square of their depth.
    """
    tags = _Tags()
    stack = [(node, False, False) for node in reversed(soup.contents) if isinstance(node, Tag)]
    while stack:
        # inside a phone copy already found; inside a container or article already found
        tag, in_copy, in_article = stack.pop()
        name = tag.name
        if name == "meta":
            tags.metas.append(tag)
        if name in NON_TEXT_TAGS or (tag.attrs and is_hidden(tag)):
            tags.unseen.append(tag)
            tags.metas.extend(t for t in tag.descendants if isinstance(t, Tag) and t.name == "meta")
            continue
        if tag.attrs:  # classes and ids
            names = _classes(tag)
            if not in_copy and any(MOBILE_COPY.search(c) for c in names):
                tags.copies.append(tag)
                in_copy = True
            if not in_article and any(ARTICLE_CONTAINER.match(c) for c in names):
                tags.containers.append(tag)
                in_article = True
        if name in INFO_TABLE_CELLS:
            tags.cells.append(tag)
        elif name in ("h1", "h2"):
            tags.headings.append(tag)
        elif name == "article" and not in_article:
            tags.articles.append(tag)
            in_article = True
        elif name == "title":
            tags.titles.append(tag)
        elif name == "body":
            tags.bodies.append(tag)
        stack.extend(
            (child, in_copy, in_article) for child in reversed(tag.contents) if isinstance(child, Tag)
        )
    return tags


def read_cms_meta(findings: Findings, metas: list[Tag]) -> None:
    """ArticleTitle, PubDate, ContentSource and ColumnName, the meta tags of the portals' CMS."""
    for meta in metas:
        fact = CMS_META.get(str(meta.get("name", "")).lower())
        content = " ".join(str(meta.get("content", "")).split())
        if not fact or not content:
            continue
        if fact == "date":
            findings.learn(date=iso_date(content))
        elif fact == "column":
            findings.place_hints += (content,)
        else:
            findings.learn(**{fact: content})


def _classes(tag: Tag) -> list[str]:
    names = tag.get("class") or []
    if isinstance(names, str):
        names = names.split()
    return [*names, str(tag.get("id") or "")]


def is_hidden(tag: Tag) -> bool:
    """An element a browser does not show: display:none, visibility:hidden, `hidden`."""
    return (
        tag.has_attr("hidden")
        or HIDDEN_STYLE.search(str(tag.get("style") or "")) is not None
        or not HIDDEN_CLASSES.isdisjoint(tag.get("class") or ())
    )


def drop_mobile_copies(soup: BeautifulSoup, copies: list[Tag]) -> None:
    """The phone copy of the article some portals carry beside the desktop one.

    Dropped only when enough text is left without it, so a page that is only a phone
    copy keeps its body.
    """
    copy_chars = sum(len(t.get_text(strip=True)) for t in copies)
    if copies and len(soup.get_text(strip=True)) - copy_chars >= MIN_BODY_CHARS:
        for tag in copies:
            tag.decompose()


def read_info_table(findings: Findings, cells: list[Tag]) -> None:
    """The 信息公开 table of gkmlpt pages: 名称 is the title, 发布日期 (not 成文日期) the date."""
    found = {}
    tables: dict[int, Tag] = {}  # by identity: Tag's == compares markup, and tables can be copies
    labels = 0
    for cell in cells:
        match = INFO_TABLE_LABEL.match(_short_text(cell))
        if not match or match["label"] not in INFO_TABLE_LABELS or match["label"] in found:
            continue
        labels += 1
        if labels > INFO_TABLE_MAX_LABELS:
            break
        value_cell = cell.find_next_sibling()
        value = " ".join(value_cell.get_text(" ", strip=True).split()) if value_cell else ""
        if value and not INFO_TABLE_LABEL.match(value):
            found.setdefault(match["label"], value)
        table = cell.find_parent("table")
        if table is not None:
            tables[id(table)] = table
    findings.learn(title=found.get("名称"), date=iso_date(found.get("发布日期")))
    findings.learn(source=found.get("信息来源") or found.get("来源"), publisher=found.get("发布机构"))
    if "发布机构" in found:
        findings.place_hints += (found["发布机构"],)
    if len(found) >= 2:
        for table in tables.values():
            if not is_decomposed(table):
                table.decompose()


def _short_text(cell: Tag) -> str:
    """The cell's text as get_text(strip=True) gives it, when it is as short as a label;
    "" when it is longer or lies deeper than a label cell's text does."""
    text, walked = "", 0
    stack = list(reversed(cell.contents))
    while stack:
        node = stack.pop()
        walked += 1
        if walked > INFO_TABLE_LABEL_MAX_NODES:
            return ""
        if isinstance(node, Tag):
            stack.extend(reversed(node.contents))
        elif not isinstance(node, PreformattedString):
            text += node.strip()
            if len(text) > INFO_TABLE_LABEL_MAX_CHARS:
                return ""
    return text


def title_of_document(title_tag: Tag | None, findings: Findings, shown_alone) -> str:
    """<title> without the site and column names after its separators (see titles.py)."""
    if title_tag is None:
        return ""
    title = " ".join(title_tag.get_text().split())
    columns = set(findings.place_hints)
    title = strip_site_names(title, lambda tail: is_site_name(tail) or tail in columns, shown_alone)
    return "" if is_site_name(title) else title


def is_site_name(text: str) -> bool:
    """A portal's, unit's or column's name rather than a report's title."""
    return bool(SITE_NAME.search(text)) or text in CITY_OF_DISTRICT or text in GAZETTEER


def title_before_labels(lines: list[str], links: set[str]) -> str:
    """The short lines just above a page's first label line (old table pages have no <h1>).

    An old gazette breaks a long title over several rows; they are joined, up to
    TITLE_MAX_LINES, stopping at a link (the menu beside it), a site's name or body text.
    A document number (石府〔2024〕3号) between title and label is passed over.
    """
    first_label = next((i for i, line in enumerate(lines) if is_label_line(line)), 0)
    above = [line for line in lines[:first_label] if not DOC_NUMBER.match(line)]
    title: list[str] = []
    for line in reversed(above):
        if is_body_line(line) or is_site_name(line) or line in links or len(title) == TITLE_MAX_LINES:
            break
        title.insert(0, line)
    return "".join(title)


def date_under_title(lines: list[str], title: str) -> str | None:
    """The date alone on the line right under the title's line (2024/01/05 09:00)."""
    wanted = "".join(title.split())
    for line, below in zip(lines, lines[1:], strict=False):
        if wanted and "".join(line.split()) == wanted and DATE_ONLY_LINE.match(below):
            return iso_date(below)
    return None


def heading_title(headings: list[Tag]) -> str:
    """The first <h1> or <h2> that reads as a title."""
    for tag in headings:
        text = "".join(text_lines(tag))  # lines broken by <br> are one title
        if text and len(text) <= 2 * TITLE_MAX_CHARS and not is_site_name(text):
            return text
    return ""


def text_lines(root: Tag) -> list[str]:
    """The text of an element as lines: one per block (p, div, li, td, h*…) or <br>."""
    parts: list[str] = []
    end_of_block = object()
    stack: list = [root]
    while stack:
        node = stack.pop()
        if node is end_of_block:
            parts.append("\n")
        elif isinstance(node, PreformattedString):
            continue  # comments, doctype, CDATA
        elif isinstance(node, NavigableString):
            parts.append(_inline_text(str(node)))
        elif node.name == "br":
            parts.append("\n")
        else:
            if node.name in BLOCK_TAGS:
                parts.append("\n")
                stack.append(end_of_block)
            stack.extend(reversed(node.contents))
    return clean_lines("".join(parts).split("\n"))


def _inline_text(text: str) -> str:
    """Source line breaks inside Chinese text are not spaces; elsewhere whitespace is one space."""
    if "\n" in text:
        text = CJK_LINE_BREAK.sub("", text)
    return WHITESPACE_RUN.sub(" ", text)
