"""Which element of a page holds its article, and the walks over elements that finding it needs.

A page's article is in a container a portal's CMS names (zoom, TRS_Editor, ucap-content …),
else in an <article>, else in the element whose text blocks are longest and most
punctuated with the fewest links: the densest block. Every walk here is one pass over the
elements, so deeply nested pages cost no more than flat ones.
"""

from __future__ import annotations

import re
from collections import Counter

from bs4 import BeautifulSoup, Tag
from bs4.element import PreformattedString

MIN_BODY_CHARS = 80  # an article container holds at least this much text
MIN_DENSITY_BLOCK_CHARS = 25  # a text block counts towards its parent's density from here
DENSITY_BLOCKS = frozenset(["p", "td", "li", "pre", "div"])
DENSITY_MARKS = "，,。；"
ARTICLE_CONTAINER = re.compile(
    r"^(?:zoom|zoomcon|fontzoom|ucap-content|trs_editor|trs_ueditor|js_content|artibody|"
    r"article[-_]?content|article[-_]?con|content[-_]?text|con[-_]?text|news[-_]?content|"
    r"detail[-_]?content|pages[-_]?content|zw|zwnr|wzcon|art[-_]?con)$",
    re.IGNORECASE,
)


def article_container(
    soup: BeautifulSoup, bodies: list[Tag], containers: list[Tag], articles: list[Tag]
) -> Tag:
    """The element holding the article: a known CMS container, else the densest text block.

    `containers` are the elements with a known CMS container's class or id, `articles`
    the <article>s, `bodies` the <body>s, each outermost only and in document order.
    """
    bodies = live(bodies)
    root = bodies[0] if bodies else soup

    under_root: set[int] | None = None  # walked for only when there is something to test

    def in_root(found: list[Tag]) -> list[Tag]:
        nonlocal under_root
        found = live(found)
        if root is soup or not found:
            return found
        under_root = ids_under(root) if under_root is None else under_root
        return [tag for tag in found if id(tag) in under_root]

    sized = [(len(tag.get_text(strip=True)), tag) for tag in in_root(containers)]
    known = [(chars, tag) for chars, tag in sized if chars >= MIN_BODY_CHARS]
    if known:
        return max(known, key=lambda sized_tag: sized_tag[0])[1]
    articles = [t for t in in_root(articles) if len(t.get_text(strip=True)) >= MIN_BODY_CHARS]
    if len(articles) == 1:
        return articles[0]
    return densest_block(root)


def densest_block(root: Tag) -> Tag:
    """The element whose text blocks are longest and most punctuated, links not counted.

    A block's text is all its text, a <div>'s only its own strings; its links are all the
    links below it. Counted in one walk from the leaves up, so nested blocks cost no more
    than flat ones.
    """
    elements = elements_under(root)
    counts = _text_counts(elements)
    scores: Counter = Counter()
    for block in elements[1:]:
        if block.name not in DENSITY_BLOCKS:
            continue
        chars, marks, own_chars, own_marks, links = counts[id(block)]
        if block.name == "div":
            chars, marks = own_chars, own_marks
        if chars < MIN_DENSITY_BLOCK_CHARS:
            continue
        score = (1 + marks + min(chars // 100, 3)) * (1 - min(links / chars, 1))
        holder = block if block.name in ("div", "td") else block.parent
        scores[id(holder)] += score
        if holder.parent is not None:
            scores[id(holder.parent)] += score / 2
    if not scores:
        return root
    by_id = {id(tag): tag for tag in elements}
    best = max((i for i in scores if i in by_id), key=scores.__getitem__, default=None)
    return by_id[best] if best is not None else root


def _text_counts(elements: list[Tag]) -> dict[int, tuple[int, int, int, int, int]]:
    """For each of `elements` (parents before children): its characters other than
    whitespace and its clause marks, below it and in its own strings, and its link characters."""
    counts: dict[int, tuple[int, int, int, int, int]] = {}
    for tag in reversed(elements):
        chars = marks = own_chars = own_marks = links = 0
        for child in tag.contents:
            if isinstance(child, Tag):
                c_chars, c_marks, _, _, c_links = counts[id(child)]
                chars, marks, links = chars + c_chars, marks + c_marks, links + c_links
            elif not isinstance(child, PreformattedString):
                text = "".join(child.split())
                own_chars += len(text)
                own_marks += sum(text.count(mark) for mark in DENSITY_MARKS)
        chars, marks = chars + own_chars, marks + own_marks
        counts[id(tag)] = (chars, marks, own_chars, own_marks, chars if tag.name == "a" else links)
    return counts


def live(tags: list[Tag]) -> list[Tag]:
    """Those of `tags` not dropped since the walk."""
    return [tag for tag in tags if not is_decomposed(tag)]


def is_decomposed(tag: Tag) -> bool:
    """Tag.decomposed, without its cost: on a live tag, that property searches the tag's
    subtree for an element named `_decomposed` (bs4 reads unknown attributes as find())."""
    return bool(vars(tag).get("_decomposed"))


def ids_under(root: Tag) -> set[int]:
    """The identities of the elements below `root`: a test of "inside" that does not walk
    each element's parents (the square of the depth, on deeply nested pages)."""
    return {id(tag) for tag in elements_under(root)[1:]}


def elements_under(root: Tag) -> list[Tag]:
    """`root` and the elements below it, in document order."""
    elements, stack = [], [root]
    while stack:
        tag = stack.pop()
        elements.append(tag)
        stack.extend(child for child in reversed(tag.contents) if isinstance(child, Tag))
    return elements
