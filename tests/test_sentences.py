"""split_sentences: lossless, never empty, and cut only where a sentence really ends."""

import pytest
from conftest import CONTENT
from hypothesis import given
from hypothesis import strategies as st

from reader.sentences import split_sentences

SEED_LINES = [
    line for path in sorted(CONTENT.glob("*.txt")) for line in path.read_text("utf-8").splitlines()
]


@pytest.mark.parametrize("line", [line for line in SEED_LINES if line.strip()])
def test_every_seed_line_splits_losslessly(line):
    sentences = split_sentences(line)
    assert "".join(sentences) == line
    assert all(sentences)


def test_full_width_marks_end_sentences():
    text = "是发展动能不断集蓄。坚定不移走好“工改”华山一条路,超额完成市级任务指标。"
    assert split_sentences(text) == (
        "是发展动能不断集蓄。",
        "坚定不移走好“工改”华山一条路,超额完成市级任务指标。",
    )


def test_half_width_exclamation_and_semicolon_end_sentences():
    assert split_sentences("齐心协力 勇毅前行!南区街道召开干部大会") == (
        "齐心协力 勇毅前行!",
        "南区街道召开干部大会",
    )
    assert split_sentences("打好碧水保卫战;聚焦重点") == ("打好碧水保卫战;", "聚焦重点")


def test_half_width_comma_is_not_a_sentence_end():
    text = "科学精准落实常态化疫情防控措施,以最短时间、最小代价迅速果断处置两轮多点突发疫情。"
    assert split_sentences(text) == (text,)


def test_decimal_point_is_not_a_sentence_end():
    text = "社会消费品零售总额增长3.5%,税收稳定增长,一般预算收入与去年持平。为完成上述目标"
    assert split_sentences(text) == (
        "社会消费品零售总额增长3.5%,税收稳定增长,一般预算收入与去年持平。",
        "为完成上述目标",
    )


def test_closing_quote_and_bracket_stay_with_their_sentence():
    text = "坚决贯彻“疫情要防住。”完成悦来花园(含南苑新村。)老旧小区改造"
    assert split_sentences(text) == (
        "坚决贯彻“疫情要防住。”",
        "完成悦来花园(含南苑新村。)",
        "老旧小区改造",
    )


def test_half_width_quote_closes_only_an_open_quote():
    assert split_sentences('开展"暖企行动!"持续优化') == ('开展"暖企行动!"', "持续优化")
    assert split_sentences('开展暖企行动!"持续优化"') == ("开展暖企行动!", '"持续优化"')


def test_a_run_of_marks_is_one_mark():
    assert split_sentences("致以最崇高的敬意！？向扎根南区的企业家") == (
        "致以最崇高的敬意！？",
        "向扎根南区的企业家",
    )


def test_ellipses_are_one_mark():
    assert split_sentences("审计、统计、档案……依法治街") == ("审计、统计、档案……", "依法治街")
    assert split_sentences("审计、统计、档案...依法治街") == ("审计、统计、档案...", "依法治街")
    assert split_sentences("审计、统计..档案") == ("审计、统计..档案",)


def test_a_long_run_of_dots_is_one_mark_and_two_dots_start_the_next_sentence():
    assert split_sentences("审计、统计......依法治街") == ("审计、统计......", "依法治街")
    assert split_sentences("完成任务。..下一步") == ("完成任务。", "..下一步")


def test_only_one_half_width_quote_closes_after_the_marks():
    assert split_sentences('提出"两个确保!""三个提升"目标') == (
        '提出"两个确保!"',
        '"三个提升"目标',
    )
    # After the space the sentence is over: the quote opens the next one.
    assert split_sentences('开展"暖企行动!" "持续优化') == ('开展"暖企行动!" ', '"持续优化')


def test_whitespace_stays_with_the_sentence_before_it():
    text = "  一是疫情防控精准高效。 坚持人民至上。\n"
    assert split_sentences(text) == ("  一是疫情防控精准高效。 ", "坚持人民至上。\n")


def test_empty_text_has_no_sentences():
    assert split_sentences("") == ()


# The characters of MIXED: words with a decimal point and commas, opening quotes and
# brackets, the closing ones that stay with their sentence, the marks that end one, spaces.
CLOSING = '”）)"'
ENDING = "。！？；…!?;"
MIXED = st.text(alphabet="南区街道发展3.5,“(" + CLOSING + ENDING + " \n", max_size=80)


@given(MIXED)
def test_split_is_lossless_and_never_empty(text):
    sentences = split_sentences(text)
    assert "".join(sentences) == text
    assert all(sentences)


@given(MIXED)
def test_every_sentence_but_the_last_ends_at_a_mark(text):
    for sentence in split_sentences(text)[:-1]:
        body = sentence.rstrip().rstrip(CLOSING)
        assert body[-1:] in ENDING + ".", sentence  # "." of an ellipsis, "..."
