"""paginate: short pages that never cut a sentence, on the seeds and on generated reports."""


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed_bodies import BODY_LINES, body

from reader.paginate import DEFAULT_PAGE_CHARS, paginate
from reader.report import HEADING, ITEM, PARAGRAPH, Block
from reader.structure import structure


def seed_blocks(slug):
    blocks, _ = structure(body(slug))
    return blocks


def merged(pages):
    """The blocks the pages hold, with the parts of split blocks joined again."""
    blocks = []
    for page in pages:
        for k, part in enumerate(page.blocks):
            if k == 0 and page.continued:
                last = blocks[-1]
                blocks[-1] = Block(
                    last.type,
                    last.text + part.text,
                    last.level,
                    last.label,
                    last.sentences + part.sentences,
                )
            else:
                blocks.append(part)
    return blocks


def is_unbreakable(page):
    """Headings first, then at most one sentence in all: what keep-with-next forbids cutting."""
    types = [b.type for b in page.blocks]
    leading = len(types) - len([t for t in types if t != HEADING])
    body = page.blocks[leading:]
    return (
        all(t == HEADING for t in types[:leading])
        and all(b.type != HEADING for b in body)
        and sum(len(b.sentences) for b in body) <= 1
    )


# Generated reports: blocks whose sentences spell out label + text, as structure makes them.
SENTENCE = st.text(alphabet="南区街道发展动能不断集蓄", min_size=1, max_size=120).map(
    lambda s: s + "。"
)


@st.composite
def a_block(draw):
    kind = draw(st.sampled_from([HEADING, ITEM, PARAGRAPH, PARAGRAPH]))
    if kind == HEADING:
        label = draw(st.sampled_from(["一、", "(一)", "1."]))
        sentences = (label + draw(st.text(alphabet="强化理论导航", min_size=1, max_size=60)),)
        return Block(HEADING, sentences[0][len(label) :], draw(st.integers(1, 4)), label, sentences)
    label = draw(st.sampled_from(["一是", "二要"])) if kind == ITEM else ""
    sentences = draw(st.lists(SENTENCE, min_size=1, max_size=8))
    sentences[0] = label + sentences[0]
    return Block(kind, "".join(sentences)[len(label) :], 0, label, tuple(sentences))


BLOCKS = st.lists(a_block(), max_size=25)
PAGE_CHARS = st.integers(min_value=1, max_value=700)


@settings(max_examples=300)
@given(BLOCKS, PAGE_CHARS)
def test_pages_hold_every_sentence_once_in_order(blocks, page_chars):
    pages = paginate(blocks, page_chars)
    assert [s for p in pages for b in p.blocks for s in b.sentences] == [
        s for b in blocks for s in b.sentences
    ]
    assert merged(pages) == list(blocks)


@settings(max_examples=300)
@given(BLOCKS, PAGE_CHARS)
def test_a_page_over_budget_is_one_unbreakable_unit(blocks, page_chars):
    """The guarantee: page.chars <= page_chars, or the page is only a run of headings
    followed by at most one sentence (which the headings must be kept with)."""
    for page in paginate(blocks, page_chars):
        assert page.chars <= page_chars or is_unbreakable(page)


@settings(max_examples=300)
@given(BLOCKS, PAGE_CHARS)
def test_page_shape(blocks, page_chars):
    pages = paginate(blocks, page_chars)
    assert [p.n for p in pages] == list(range(1, len(pages) + 1))
    assert all(p.blocks for p in pages)
    for page, next_page in zip(pages, pages[1:], strict=False):
        assert page.blocks[-1].type != HEADING, "a heading must be kept with what follows it"
        assert page.continues == next_page.continued
    if pages:
        assert not pages[0].continued and not pages[-1].continues


@given(BLOCKS, PAGE_CHARS)
def test_pagination_is_deterministic(blocks, page_chars):
    assert paginate(blocks, page_chars) == paginate(list(blocks), page_chars)


def test_no_blocks_no_pages():
    assert paginate(()) == ()


def test_page_chars_must_be_positive():
    with pytest.raises(ValueError):
        paginate(seed_blocks("dg-nancheng-2023-work-plan"), 0)


@pytest.mark.parametrize("slug", sorted(BODY_LINES))
def test_seeds_fit_the_default_page(slug):
    blocks = seed_blocks(slug)
    pages = paginate(blocks)
    # No seed has a sentence longer than a page, so every page fits.
    assert all(p.chars <= DEFAULT_PAGE_CHARS for p in pages)
    assert sum(p.chars for p in pages) == sum(len(s) for b in blocks for s in b.sentences)
    assert merged(pages) == list(blocks)
    assert all(p.blocks[-1].type != HEADING for p in pages)


def test_nancheng_sections_start_pages():
    pages = paginate(seed_blocks("dg-nancheng-2023-work-plan"))
    assert len(pages) == 5
    # The short introduction leaves room for 一、 on the first page ...
    assert [b.label for b in pages[0].blocks] == ["", "一、", ""]
    assert pages[0].heading_path == ()
    # ... and each later section opens its own page.
    for page, label in zip(pages[1:], ["二、", "三、", "四、", "五、"], strict=True):
        assert page.blocks[0].type == HEADING
        assert page.blocks[0].label == label
        assert page.heading_path == (page.blocks[0].display,)
        assert not page.resumes_section


def test_dongqu_heading_path_names_section_and_subsection():
    pages = paginate(seed_blocks("zs-dongqu-2020-work-plan"))
    page = next(p for p in pages if p.blocks[0].display == "2.加快发展现代服务业")
    assert page.heading_path == (
        "(二)聚焦新动能培育发展,建设支撑高质量发展的现代产业体系",
        "2.加快发展现代服务业",
    )
    assert not page.resumes_section


def test_dongqu_page_resuming_inside_a_subsection():
    blocks = seed_blocks("zs-dongqu-2020-work-plan")
    pages = paginate(blocks, 200)
    inside = [p for p in pages if p.heading_path[-1:] == ("2.加快发展现代服务业",)]
    resumed = [p for p in inside if p.resumes_section]
    assert resumed, "at 200 characters the 2. subsection runs over more than one page"
    paragraph = next(
        i for i, b in enumerate(blocks) if b.text.startswith("立足打造大湾区西翼服务业高地")
    )
    for page in resumed:
        assert page.heading_path == (
            "(二)聚焦新动能培育发展,建设支撑高质量发展的现代产业体系",
            "2.加快发展现代服务业",
        )
        assert page.continued and page.blocks[0].sentences[0] in blocks[paragraph].sentences
        assert (page.blocks[0].type, page.blocks[0].label) == (PARAGRAPH, "")
        assert pages[page.n - 2].continues


def test_item_split_between_pages_keeps_its_label_on_the_first_part():
    blocks = seed_blocks("zs-xiqu-2023-work-plan")
    pages = paginate(blocks, 150)
    cut = next(p for p in pages if p.continues and p.blocks[-1].type == ITEM)
    head = cut.blocks[-1]
    tail = pages[cut.n].blocks[0]
    assert head.label and head.sentences[0].startswith(head.label)
    assert (tail.type, tail.label) == (ITEM, "")
    assert tail.text == "".join(tail.sentences)


def test_report_without_headings_paginates():
    pages = paginate(seed_blocks("zs-nanqu-2024-cadre-meeting"))
    assert len(pages) > 1
    assert all(p.heading_path == () and not p.resumes_section for p in pages)


def test_sentence_longer_than_the_page_gets_a_page_of_its_own():
    blocks = seed_blocks("zs-dongqu-2020-work-plan")
    intro = blocks[0]
    assert len(intro.sentences) == 1 and len(intro.sentences[0]) > 200
    pages = paginate(blocks, 200)
    assert pages[0].blocks == (intro,)
    assert all(p.chars <= 200 or is_unbreakable(p) for p in pages)


def test_headings_that_do_not_fit_at_the_end_of_a_report_start_a_page():
    """A scrape cut off after its headings: they cannot be kept with what follows."""
    blocks, _ = structure(
        [
            "南区街道党政综合办公室",
            "(四)聚焦新时代党的建设总要求,推动全面从严治党向纵深发展。",
            "1.全面提升党建工作水平。",
        ]
    )
    pages = paginate(blocks, 50)
    assert [[b.type for b in p.blocks] for p in pages] == [[PARAGRAPH], [HEADING, HEADING]]
    assert all(p.chars <= 50 for p in pages)
