"""Text folded for matching: 繁體 and 简体, full and half width, upper and lower case alike.

A reader may search in either script (a visitor from Hong Kong types 養老, the report says
养老) and the reports themselves may be in either. Search and the marks on the page compare
folded text, so both scripts find each other.

Folding maps one character to one character, so a match found in the folded text is at
the same place in the text as published: the marks need no second search. The table is
built from OpenCC's own character tables (Hong Kong and Taiwan variants to the standard
traditional form, then traditional to simplified, taking the first simplified form of
each), not phrase by phrase: phrase conversion could change a text's length, and for
matching a character needs only one folded form, the same on both sides.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

TABLES = files("opencc") / "dictionary"
# Applied in this order: a regional variant to the standard traditional character first,
# then that to simplified.
VARIANT_TABLES = ("HKVariantsRev.txt", "TWVariantsRev.txt")
SIMPLIFYING_TABLE = "TSCharacters.txt"
FULL_WIDTH_START, FULL_WIDTH_END, FULL_WIDTH_OFFSET = 0xFF01, 0xFF5E, 0xFEE0


def _single_characters(name: str) -> dict[str, str]:
    """One table's character → first mapped character, leaving out phrase rows."""
    mapping = {}
    for line in (TABLES / name).read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        target = targets.split(" ")[0]
        if len(source) == 1 and len(target) == 1:
            mapping[source] = target
    return mapping


@cache
def _table() -> dict[int, str]:
    variants: dict[str, str] = {}
    for name in VARIANT_TABLES:
        for source, target in _single_characters(name).items():
            variants.setdefault(source, target)
    simplified = _single_characters(SIMPLIFYING_TABLE)
    table = {ord(c): simplified.get(variants.get(c, c), variants.get(c, c)) for c in variants}
    table.update({ord(c): s for c, s in simplified.items()})
    for code in range(FULL_WIDTH_START, FULL_WIDTH_END + 1):
        table[code] = chr(code - FULL_WIDTH_OFFSET).lower()
    table[0x3000] = " "  # the ideographic space
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = chr(code).lower()
    return {code: target for code, target in table.items() if chr(code) != target}


def fold(text: str) -> str:
    """`text` with every character in its folded form; always the same length."""
    return text.translate(_table())
