"""The seeds' body text as extract hands it to structure, without running extract."""

from __future__ import annotations

from pathlib import Path

CONTENT = Path(__file__).resolve().parent.parent / "content"
# The body of each seed as file line numbers (first, last): the lines around it are
# portal chrome, which extract drops before structure sees the text.
BODY_LINES = {
    "dg-nancheng-2023-work-plan": (8, 28),
    "zs-dongqu-2020-work-plan": (1, 22),
    "zs-nanqu-2022-work-summary": (8, 30),
    "zs-nanqu-2024-cadre-meeting": (8, 46),
    "zs-xiqu-2023-work-plan": (1, 37),
}


def body(slug: str) -> list[str]:
    """The seed's body paragraphs, stripped and without blank lines, as extract gives them."""
    first, last = BODY_LINES[slug]
    lines = (CONTENT / f"{slug}.txt").read_text("utf-8").splitlines()[first - 1 : last]
    return [line.strip() for line in lines if line.strip()]
