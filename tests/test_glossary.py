"""The 术语 glossary: the shipped file, the matching rule on real report sentences, the
first use on a page, what `reader check` says of a bad file and of words it lacks."""

from __future__ import annotations

import unicodedata

import pytest
from click.testing import CliRunner
from conftest import CONTENT

from reader import glossary, pipeline
from reader.cli import main
from reader.speech.heard import compare, heard
from reader.speech.pronunciation import engine_text
from reader.speech.spoken import spoken_form
from reader.speech.voices import VOICE_BY_CODE

GLOSSARY = glossary.load(CONTENT / glossary.GLOSSARY_NAME)


def report_sentence(slug: str, containing: str) -> str:
    """The sentence of a bundled report that contains `containing`: real report text."""
    report = pipeline.read_report(CONTENT / f"{slug}.txt")
    sentences = [s for b in report.blocks for s in b.sentences if containing in s]
    assert sentences, f"{slug} has no sentence with {containing!r}"
    return sentences[0]


def terms_in(text: str) -> list[str]:
    return [text[f.start : f.end] + "=" + f.term.term for f in GLOSSARY.find_terms(text)]


def test_the_shipped_glossary_has_80_terms_each_read_and_explained_briefly():
    assert len(GLOSSARY.terms) >= 80
    for term in GLOSSARY.terms:
        assert term.pinyin and term.explain.endswith("。"), term.term
        assert len(term.explain) <= glossary.MAX_EXPLAIN_CHARS
        assert term.explain.count("。") <= 2, f"{term.term}: one or two short sentences"
    asked = {"百千万工程", "1310", "1+1+9", "双统筹", "专精特新", "工改", "强村公司", "点状供地",
             "河长制", "网格化", "放管服", "一网通办", "双随机一公开", "高质量发展", "乡村振兴",
             "营商环境", "新型城镇化", "粤港澳大湾区", "横琴", "前海", "南沙", "两委",
             "党群服务中心", "一老一小", "四上企业", "规上工业", "专项债", "三旧改造", "工业上楼",
             "信访", "综治", "文明城市"}
    assert asked <= {t.term for t in GLOSSARY.terms}


@pytest.mark.parametrize(
    ("slug", "containing", "expected"),
    [
        ("zs-nanqu-2024-cadre-meeting", "省委“1310”具体部署",
         ["1310=1310", "百千万工程=百千万工程", "1388=1388", "高质量发展=高质量发展"]),
        ("zs-nanqu-2024-cadre-meeting", "点状供地", ["乡村振兴=乡村振兴", "点状供地=点状供地"]),
        ("zs-nanqu-2022-work-summary", "对标省委“1+1+9”部署", ["1+1+9=1+1+9"]),
        ("dg-nancheng-2023-work-plan", "“双统筹”", ["双统筹=双统筹"]),
        # the longest form at a place: 大湾区 inside 粤港澳大湾区 is the one term
        ("zs-xiqu-2023-work-plan", "融入粤港澳大湾区建设", ["粤港澳大湾区=粤港澳大湾区"]),
        # 共治 inside the longer word 共建共治共享 is that word, not 共治
        ("zs-dongqu-2020-work-plan", "打造共建共治共享社会治理格局", ["共建共治共享=共建共治共享"]),
        # and 共治 alone is found in the same report
        ("zs-xiqu-2023-work-plan", "“共治”格局", ["共治=共治"]),
    ],
)
def test_terms_found_in_real_report_sentences(slug, containing, expected):
    found = terms_in(report_sentence(slug, containing))
    assert [t for t in found if t in expected] == expected
    assert "大湾区=粤港澳大湾区" not in found
    if "共建共治共享=共建共治共享" in expected:
        assert "共治=共治" not in found


@pytest.mark.parametrize(
    "text",
    [
        "推动规模以上加工改造项目落地",  # 工改 inside 加工改造 (its not_in)
        "东区某小学位于孙文东路",  # 学位 inside 小学位于
        "提升公共治理能力",  # 共治 inside 公共治理
        "全年完成13100万元投资",  # 1310 inside a longer number
        "形成“1+1+9+N”工作体系",  # 1+1+9 inside a longer code
    ],
)
def test_a_term_inside_a_longer_word_is_not_found(text):
    assert GLOSSARY.find_terms(text) == []


def test_the_same_terms_beside_those_words_are_found():
    assert terms_in("坚决打赢打好“工改”攻坚战") == ["工改=工改", "攻坚战=攻坚战"]
    assert terms_in("新增公办学位1530个") == ["学位=学位"]
    assert terms_in("落实省委“1310”具体部署") == ["1310=1310"]


def test_each_term_is_marked_once_a_page_at_its_first_use():
    sentences = [
        ("s1-0", report_sentence("zs-nanqu-2024-cadre-meeting", "省委“1310”具体部署")),
        ("s1-1", report_sentence("zs-nanqu-2024-cadre-meeting", "“百千万工程”开局良好")),
        ("s1-2", report_sentence("zs-nanqu-2024-cadre-meeting", "“点状供地”项目")),
    ]
    firsts = GLOSSARY.first_uses(sentences)
    assert "百千万工程" in [f.term.term for f in firsts["s1-0"]]
    assert "s1-1" not in firsts  # its one term, 百千万工程, was used before on the page
    assert [f.term.term for f in firsts["s1-2"]] == ["乡村振兴", "点状供地"]


def test_terms_sort_by_their_pinyin():
    order = [t.term for t in GLOSSARY.sorted_terms()]
    assert order.index("百千万工程") < order.index("城中村") < order.index("专精特新")
    pinyins = [t.sort_key[0] for t in GLOSSARY.sorted_terms()]
    assert pinyins == sorted(pinyins)


def test_missing_terms_are_the_quoted_and_coded_words_not_explained():
    texts = [("dg", report_sentence("dg-nancheng-2023-work-plan", "行走南城")),
             ("zs", report_sentence("zs-nanqu-2024-cadre-meeting", "省委“1310”具体部署"))]
    missing = GLOSSARY.missing_terms(texts)
    assert "行走南城" in missing
    assert "再造一个新中山" not in missing  # longer than a term: a slogan, not a word
    assert "1310" not in missing and "百千万工程" not in missing


BAD_GLOSSARIES = [
    ('[[term]]\nterm = "工改"\npinyin = "gōng gǎi"\n', "term '工改': explain must be text"),
    ('[[term]]\nterm = "工改"\npinyin = "gōng gǎi"\nexplain = "改造。"\nsound = "x"\n',
     "term '工改': unknown field 'sound'"),
    ('[[term]]\nterm = "工改"\npinyin = "gōng gǎi"\nexplain = "改造。"\nalso = "工业改造"\n',
     "term '工改': also must be a list of words"),
    ('[[term]]\nterm = "工改"\npinyin = "a"\nexplain = "b。"\n'
     '[[term]]\nterm = "旧改"\npinyin = "a"\nexplain = "b。"\nalso = ["工改"]\n',
     "term '旧改': '工改' is already a form of '工改'"),
    ('[[term]\nterm = "工改"\n', "not valid TOML"),
]


@pytest.mark.parametrize(("text", "said"), BAD_GLOSSARIES)
def test_a_bad_glossary_is_one_line_naming_the_file_and_term(tmp_path, text, said):
    path = tmp_path / "glossary.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(glossary.GlossaryError) as caught:
        glossary.load(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert said in str(caught.value)


def test_the_glossary_is_not_taken_for_a_report(content_dir):
    assert content_dir / "glossary.toml" not in pipeline.scan_content(content_dir).files


def test_check_names_a_bad_entry_in_one_line_and_fails(content_dir):
    path = content_dir / "glossary.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[[term]]\nterm = "头雁"\npinyin = "tóu yàn"\n',
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(content_dir)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "glossary" in line]
    assert lines == [f"FAIL {path}: term '头雁': explain must be text, and is missing or empty"]


def test_check_lists_the_words_reports_use_that_the_glossary_lacks(content_dir):
    result = CliRunner().invoke(main, ["check", str(content_dir)])
    assert result.exit_code == 0, result.output
    assert f"GLOSSARY {content_dir / 'glossary.toml'}: {len(GLOSSARY.terms)} terms" in result.output
    assert "     not in the glossary: 行走南城 (2x, dg-nancheng-2023-work-plan)" in result.output
    assert "not in the glossary: 百千万工程" not in result.output
    assert "5 files: 5 read, 0 failed" in result.output


ESPEAK_YUE = VOICE_BY_CODE["yue"].engine_preferences["espeak"][0]


@pytest.mark.speech
@pytest.mark.parametrize("term", [t for t in GLOSSARY.terms if t.jyutping], ids=lambda t: t.term)
def test_the_cantonese_voice_says_each_term_as_its_jyutping(term):
    """What espeak-ng's Cantonese voice says for the term as 朗读解释 gives it."""
    spoken = spoken_form(term.spoken.split("。")[0], "yue")
    said = heard(engine_text(spoken, "yue", ESPEAK_YUE), "yue", ESPEAK_YUE)
    assert [str(s) for s in said] == term.jyutping.split()


ESPEAK_CMN = VOICE_BY_CODE["cmn"].engine_preferences["espeak"][0]
TONE_MARKS = {"\u0304": "1", "\u0301": "2", "\u030c": "3", "\u0300": "4"}


def numbered(term: glossary.Term) -> list[str]:
    """"yī wǎng" as ["yi1", "wang3"], 一 as said before the next syllable (yi2 before a
    fourth tone, yi4 before the others), as a speaker says it; but not in a number read
    digit by digit (1310) or an ordinal (第一)."""
    syllables = []
    for syllable in term.pinyin.split():
        letters = unicodedata.normalize("NFD", syllable)
        tone = next((TONE_MARKS[c] for c in letters if c in TONE_MARKS), "5")
        bare = "".join(c for c in letters if c not in TONE_MARKS)
        syllables.append(unicodedata.normalize("NFC", bare).replace("ü", "v") + tone)
    for i, syllable in enumerate(syllables[:-1]):
        if syllable == "yi1" and not any(c.isdigit() for c in term.term) and syllables[i - 1:i] != ["di4"]:
            syllables[i] = "yi2" if syllables[i + 1].endswith("4") else "yi4"
    return syllables


@pytest.mark.speech
@pytest.mark.parametrize("term", GLOSSARY.terms, ids=lambda t: t.term)
def test_the_mandarin_voice_says_each_term_as_its_pinyin(term):
    """What espeak-ng's Mandarin voice says for the term agrees with the glossary's pinyin
    (third tones before a third tone heard as second, as speakers say them)."""
    spoken = spoken_form(term.spoken.split("。")[0], "cmn")
    said = heard(engine_text(spoken, "cmn", ESPEAK_CMN), "cmn", ESPEAK_CMN)
    result = compare(numbered(term), said, "cmn")
    assert result.agreed == len(said) == len(term.pinyin.split()), [str(s) for s in said]
