"""The spoken form of real report text, checked phrase by phrase and against espeak-ng."""

import re
import shutil
import subprocess
from pathlib import Path

import opencc
import pytest
from conftest import CONTENT

from reader.sentences import split_sentences
from reader.speech.spoken import spoken_form
from reader.speech.voices import VOICE_BY_CODE, VOICES

TABLE = Path(__file__).with_name("spoken_table.tsv")
SAME_AS_MANDARIN = "="
WRITTEN = "written"  # the source column of a phrase written in the shape reports use
REPO = Path(__file__).parent.parent
# the espeak-ng voice each language is spoken in: its first choice there
# The voices that read the spoken form. yue-latn-jyutping reads stray Latin letters as
# Jyutping instead of switching to English, which would hide them from the "(en)" check, so
# that check reads Cantonese with plain yue: the same characters, the same dictionary.
ESPEAK_VOICES = {
    code: VOICE_BY_CODE[code].engine_preferences["espeak"][0].replace("-latn-jyutping", "")
    for code in VOICES
}
ENGLISH_SWITCH = "(en)"
# the long pause that ends what espeak-ng says for a character it has no reading for: it
# reads out the character's code instead ("letter ff21")
SPELLED_CODE_POINT = "_:_|"
# what `espeak-ng -X` prints when it gives up on a word
UNPRONOUNCEABLE = "Unpronouncable"
LETTER_LOOKUP = re.compile(r"^Found: '[a-z]' ", re.MULTILINE)
# what a spoken form may hold: Chinese characters and punctuation, and for Mandarin spaced
# Latin letters and pinyin with tone marks; a symbol left over (℃) is said as nothing
CHINESE = "\u3400-\u9fff，。、；：！？…"
SPOKEN_CHARACTERS = {
    "cmn": re.compile(f"[{CHINESE}A-Za-z āáǎàēéěèīíǐìōóǒòūúǔù]*"),
    "yue": re.compile(f"[{CHINESE}]*"),
}
HONG_KONG = opencc.OpenCC("s2hk")


def _table_rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            phrase, mandarin, cantonese, source = line.split("\t")
            rows.append((phrase, mandarin, cantonese, source))
    return rows


def _report_texts() -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(CONTENT.glob("*.txt"))}


def _sentences(text: str) -> list[str]:
    return [s for line in text.splitlines() for s in split_sentences(line) if s.strip()]


TABLE_ROWS = _table_rows()


def test_table_is_long_enough_and_taken_from_the_reports():
    copied = [(phrase, source) for phrase, _, _, source in TABLE_ROWS if source != WRITTEN]
    assert len(TABLE_ROWS) >= 200
    assert len(copied) >= 140
    assert {source.split("/")[0] for _, source in copied} <= {"content", "tests"}
    assert [
        (phrase, source)
        for phrase, source in copied
        if phrase not in (REPO / source).read_text(encoding="utf-8")
    ] == []
    assert len({phrase for phrase, *_ in TABLE_ROWS}) == len(TABLE_ROWS)


@pytest.mark.parametrize(
    ("phrase", "mandarin", "cantonese"), [r[:3] for r in TABLE_ROWS], ids=[r[0] for r in TABLE_ROWS]
)
def test_spoken_form_of_real_phrases(phrase, mandarin, cantonese):
    assert spoken_form(phrase, "cmn") == mandarin
    assert spoken_form(phrase) == mandarin
    if cantonese == SAME_AS_MANDARIN:
        cantonese = HONG_KONG.convert(mandarin)
    assert spoken_form(phrase, "yue") == cantonese


@pytest.mark.parametrize(
    ("text", "mandarin"),
    [
        ("3-5年", "三至五年"),
        ("10%～15%", "百分之十至百分之十五"),
        ("2023—2025年", "二零二三至二零二五年"),
        ("第3", "第三"),
        ("第2", "第二"),
        ("2个", "两个"),
        ("2月", "二月"),
        ("2000多名", "两千多名"),
        ("1/3", "三分之一"),
        ("0760-88888888", "零七六零，八八八八，八八八八"),
        ("9:05", "九点零五分"),
        ("2:30", "两点三十分"),
        ("2024年02月09日", "二零二四年二月九日"),
        ("2023至2025年", "二零二三至二零二五年"),
        ("增长3到5个", "增长三到五个"),
        ("50㎡", "五十平方米"),
        ("15km", "十五公里"),
        ("12,000人", "一万二千人"),
        ("【字体:大 中 小】", "字体：大，中，小"),
        ("「LED」灯", "L E D灯"),
        ("Ⅲ类", "三类"),
        ("０.５％", "百分之零点五"),
        ("110", "一百一十"),
        ("拨打110", "拨打幺幺零"),
        ("“12345”热线", "幺二三四五热线"),
        ("“12345”工作法", "一二三四五工作法"),
        ("1,234,567元", "一百二十三万四千五百六十七元"),
        ("9:30", "九点三十分"),
        ("10:30比例", "十比三十比例"),
        ("2万㎡", "两万平方米"),
        ("（2023）粤0604民初123号", "二零二三，粤零六零四民初一百二十三号"),
        ("2023年第1-3季度", "二零二三年第一至三季度"),
        ("№5", "第五号"),
        ("Ⅺ", "十一"),
        ("⒊", "三、"),
        ("II型糖尿病", "二型糖尿病"),
        ("WIFI", "wāi fāi"),
        ("B2B", "B兔B"),
        ("≈3", "约等于三"),
        ("零下三十℃", "零下三十摄氏度"),
    ],
)
def test_spoken_form_rules(text, mandarin):
    assert spoken_form(text) == mandarin


def test_cantonese_reads_identifiers_with_one_and_letters_in_characters():
    assert spoken_form("0760-88888888", "yue") == "零七六零，八八八八，八八八八"
    assert spoken_form("110", "yue") == "一百一十"
    assert spoken_form("12345678", "cmn") == "幺二三四五六七八"
    assert spoken_form("12345678", "yue") == "一二三四五六七八"
    assert not re.search(r"[A-Za-z]", spoken_form("ABCDEFGHIJKLMNOPQRSTUVWXYZ abc", "yue"))


def test_unknown_voice_is_refused():
    with pytest.raises(ValueError):
        spoken_form("2023年", "en")


@pytest.mark.parametrize("voice", VOICES)
def test_every_sentence_loses_its_digits(voice):
    for name, text in _report_texts().items():
        for sentence in _sentences(text):
            spoken = spoken_form(sentence, voice)
            assert not re.search(r"[0-9]", spoken), (name, sentence, spoken)
            if voice == "yue":
                assert not re.search(r"[A-Za-z]", spoken), (name, sentence, spoken)


@pytest.mark.speech
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("report", sorted(_report_texts()))
def test_espeak_never_switches_to_english(report, voice):
    """One espeak-ng call per report and voice; -x prints "(en)" where it changes language."""
    sentences = _sentences(_report_texts()[report])
    spoken = "\n".join(spoken_form(s, voice) for s in sentences)
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", ESPEAK_VOICES[voice]],
        input=spoken, capture_output=True, text=True, check=True, timeout=120,
    ).stdout
    switched = [line for line in phonemes.splitlines() if ENGLISH_SWITCH in line]
    assert switched == []


def _espeak_trace(text: str, voice: str) -> str:
    """What `espeak-ng -X` prints for `text`: each dictionary look-up, then the phonemes."""
    return subprocess.run(
        ["espeak-ng", "-q", "-X", "-v", ESPEAK_VOICES[voice]],
        input=text, capture_output=True, text=True, check=True, timeout=60,
    ).stdout


@pytest.mark.speech
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", VOICES)
@pytest.mark.parametrize("phrase", [r[0] for r in TABLE_ROWS])
def test_espeak_says_every_table_phrase_in_its_own_language(phrase, voice):
    """No switch to English, no character spelled by its code, no letter spelled unasked.

    Mandarin names only the letters that stand alone in the spoken form (G D P); Cantonese
    is given no Latin letter at all.
    """
    spoken = spoken_form(phrase, voice)
    assert SPOKEN_CHARACTERS[voice].fullmatch(spoken), spoken
    trace = _espeak_trace(spoken, voice)
    assert ENGLISH_SWITCH not in trace
    assert SPELLED_CODE_POINT not in trace
    assert UNPRONOUNCEABLE not in trace
    standalone_letters = re.findall(r"(?<![A-Za-z\u0100-\u01ff])[A-Za-z](?![A-Za-z\u0100-\u01ff])", spoken)
    assert len(LETTER_LOOKUP.findall(trace)) == len(standalone_letters)
    if voice == "yue":
        assert not re.search(r"[A-Za-z\u0100-\u01ff]", spoken)


@pytest.mark.speech
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", VOICES)
def test_espeak_trace_shows_spelling(voice):
    """The checks above mean something: espeak-ng -X does show each way of going wrong."""
    assert ENGLISH_SWITCH in _espeak_trace("±", voice)
    assert SPELLED_CODE_POINT in _espeak_trace("Ａ", voice)
    assert SPELLED_CODE_POINT not in _espeak_trace("发布日期：二零二四。一；二……三", voice)
    if voice == "cmn":
        assert len(LETTER_LOOKUP.findall(_espeak_trace("wxyz", voice))) == 4
    else:
        assert ENGLISH_SWITCH in _espeak_trace("wxyz", voice)


@pytest.mark.speech
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
@pytest.mark.parametrize("voice", VOICES)
def test_espeak_marks_a_switch_to_english_in_raw_text(voice):
    """The check above means something: the raw display text does make espeak-ng switch."""
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", ESPEAK_VOICES[voice]],
        input="备案号:粤ICP备19114884号", capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert ENGLISH_SWITCH in phonemes
