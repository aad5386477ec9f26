"""The line-based cleaner: a text file's lines, and an HTML page's text as lines.

Portal chrome (toolbars, breadcrumbs, footers, link blocks) is dropped line by line;
the header above the first body line holds the title and the labels (来源, 发布日期,
the portal's date line) that give the source and publish date.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator

from reader.extract.dates import DATE_AND_TIME, DATE_ONLY_LINE
from reader.extract.facts import DATE, Findings, iso_date
from reader.extract.titles import is_portal_name, split_beneath

TITLE_MAX_CHARS = 60  # a header line longer than this is body text, not (part of) a title
TITLE_MAX_LINES = 3  # a title split over more lines than this is not taken as one
LABEL_LINE_MAX_CHARS = 160  # a line holding labels (来源, 发布日期…) is never longer
LINK_LINE_MAX_CHARS = 40  # in an attachment/related-links block, a line this short is a link
MIN_REPEAT_CHARS = 20  # a paragraph this long seen twice is a duplicated copy of the body

# --- portal chrome ------------------------------------------------------------------
CHROME_WORDS = frozenset(
    ["无障碍版", "无障碍", "长者助手", "长者模式", "关怀版", "登录", "注册", "退出", "首页", "繁體", "繁体", "简体", "English", "头部", "ico", "icon", "图片", "打印", "关闭", "【打印】", "【关闭】", "【关闭窗口】", "打印本页", "关闭窗口", "返回顶部", "收藏", "分享", ">", "»", "|", "RSS", "智能问答", "字号", "大", "中", "小",
     "无障碍浏览", "分享到", "微信", "微博", "QQ空间", "QQ", "朋友圈", "复制链接", "打印本页", "默认",
     "字体", "网站首页", "加入收藏", "设为首页", "返回", "返回列表"]
)
CHROME_WORD_SEPARATORS = re.compile(r"[\s|｜【】\[\]:：/]+")
# A row of navigation links (首页 机构概况 政务公开 政务服务 …): this many short words at least.
NAV_BAR_MIN_WORDS = 4
NAV_WORD = re.compile(r"^[\u4e00-\u9fff]{2,6}$")
BREADCRUMB_ARROW = re.compile(r"\s*[>＞»›]\s*")
BREADCRUMB_MIN_STEPS = 3  # 政务公开 > 规划计划 > 工作总结
BREADCRUMB_STEP_MAX_CHARS = 15
CHROME_LINE = re.compile(
    r"^(?:您当前的位置|当前位置|您现在的位置|您的位置|您所在的位置|所在位置|位置\s*[:：]|字号\s*[:：]|分享到?\s*[:：]|【\s*字体|字体\s*[:：]|"
    r"扫一扫在手机|扫一扫|用手机扫|您访问的链接即将离开|您即将离开|上一篇|下一篇|责任编辑|"
    r"(?:首页|网站首页|主页)\s*[>＞»›]|【\s*(?:打印|关闭|字体))"
)
CHROME_LINE_ENDS = ("政府信息公开", "信息公开目录", "规章库")
FOOTER_WORDS = (
    "主办单位", "主办:", "主办：", "承办单位", "承办:", "承办：", "网站标识码", "备案号", "ICP备",
    "公网安备", "技术支持", "网站地图", "联系我们", "版权所有", "Copyright",
)  # fmt: skip
FOOTER_WORD = re.compile("|".join(map(re.escape, FOOTER_WORDS)))
LINK_BLOCK_START = re.compile(r"^(?:相关附件|附件\s*[:：]?|相关新闻|相关链接|相关阅读|相关文章|相关稿件)")
LINK_BLOCK_WORDS = frozenset(
    ["媒体报道", "音频视频", "文件", "部门解读", "图解类", "图解", "新闻发布会", "访谈", "其他", "文章关键词", "相关新闻", "相关附件", "相关文件", "政策解读", "解读"]
)
ATTACHMENT_FILE = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|zip|rar|ofd|txt)$", re.IGNORECASE)
SENTENCE_END = "。！？!?；;"

# --- labels -----------------------------------------------------------------------
PUBLISH_DATE_LABEL = re.compile(
    rf"(?:^|[\s|｜】])(?P<label>发布日期|发布时间|发表时间|更新时间|时间|日期)\s*[:：]\s*(?P<date>{DATE})"
)
WEAK_DATE_LABELS = ("时间", "日期")  # believed only on a line that also holds another label…
WEAK_DATE_LINE = re.compile(rf"^(?:时间|日期)\s*[:：]\s*{DATE_AND_TIME}$")  # …or none but the date
SOURCE_LABEL = re.compile(
    r"(?:^|[\s|｜】])(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*"
    r"(?P<source>[^\s|｜:：【]+?)(?=$|[\s|｜【]|发布|时间|日期|作者|浏览|分享)"
)
PORTAL_LINE = re.compile(
    rf"^(?P<site>\S+?(?:门户网站|政府网站|网站|门户网|政府网))\s+(?P<date>{DATE})(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
)
NAME_LABEL = re.compile(r"名称\s*[:：]\s*(.+)")  # gkmlpt's 名称 is the report's title
PUBLISHER_LABEL = re.compile(r"发布机构\s*[:：]\s*(\S+)")
LABELS = (
    r"(?:信息来源|文章来源|稿件来源|来源|发布日期|发布时间|发表时间|更新时间|时间|日期|作者|"
    r"浏览次数|点击数|阅读数|访问量|索引号|发布机构|成文日期|名称|文号|分类|主题分类|主题词)"
)
LABEL_LINE = re.compile(rf"^{LABELS}\s*[:：]")
LABEL_ALONE = re.compile(rf"^{LABELS}\s*[:：]$")  # its value is on the next line
NUMBERED_LINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+[章节条]|[一二三四五六七八九十]+[、是要]|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])"
)


def read_text(text: str) -> Findings:
    """A text file's title and labels from the lines above its body, and its body lines."""
    findings = Findings()
    # Each step's list let go as the next is made: a file of a million short lines is
    # a million strings, and each list of them another 8 MB.
    header, body = split_header(drop_portal_chrome(map(clean_line, text.split("\n"))))
    titles, beneath = title_lines(findings, read_labels(findings, header))
    findings.learn(title=join_title(titles))
    if not findings.title:
        body = titles + body
    findings.body = tuple(itertools.chain(beneath, body))
    return findings


def title_lines(findings: Findings, lines: list[str]) -> tuple[list[str], list[str]]:
    """The header's title lines, and those printed beneath the title (subtitle, speaker).

    A portal's name (…人民政府网, …门户网站) heading the page is its masthead: it names
    a place, not the report.
    """
    masthead = [line for line in lines if is_portal_name(line)]
    findings.place_hints += tuple(masthead)
    return split_beneath([line for line in lines if line not in masthead])


def clean_lines(lines) -> list[str]:
    """Lines without indentation (ASCII or full-width) and with runs of spaces made one."""
    return [clean_line(line) for line in lines]


def clean_line(line: str) -> str:
    return " ".join(line.split())


def is_chrome(line: str) -> bool:
    """A line of the portal around the report: toolbars, breadcrumbs, share buttons, footers."""
    if CHROME_WORDS.issuperset(filter(None, CHROME_WORD_SEPARATORS.split(line))):
        return True
    if is_nav_bar(line) or is_breadcrumb(line):
        return True
    if CHROME_LINE.match(line) or line.endswith(CHROME_LINE_ENDS) or line.startswith(FOOTER_WORDS):
        return True
    return FOOTER_WORD.search(line) is not None and sum(word in line for word in FOOTER_WORDS) >= 2


def is_nav_bar(line: str) -> bool:
    """A row of short link names: 首页 机构概况 政务公开 政务服务 互动交流."""
    words = line.split()
    return len(words) >= NAV_BAR_MIN_WORDS and all(NAV_WORD.match(word) for word in words)


def is_breadcrumb(line: str) -> bool:
    """A trail of short steps between arrows, with or without 首页: 政务公开 > 规划计划 > 工作总结."""
    steps = BREADCRUMB_ARROW.split(line)
    return len(steps) >= BREADCRUMB_MIN_STEPS and all(
        0 < len(step) <= BREADCRUMB_STEP_MAX_CHARS and step[-1] not in SENTENCE_END for step in steps
    )


def join_split_labels(lines: Iterable[str]) -> list[str]:
    """A label alone on its line (时间：) joined with its value on the next (2024年1月5日 10:30)."""
    joined: list[str] = []
    for line in lines:
        if joined and LABEL_ALONE.match(joined[-1]) and not LABEL_LINE.match(line):
            joined[-1] += line
        else:
            joined.append(line)
    return joined


def drop_portal_chrome(lines: Iterable[str]) -> list[str]:
    """Non-empty lines that are not chrome, nor in an attachment or related-links block."""
    return join_split_labels(_without_chrome(lines))


def _without_chrome(lines: Iterable[str]) -> Iterator[str]:
    """The lines `drop_portal_chrome` keeps, one at a time: a file of a million lines is
    not copied into a list at each step."""
    in_link_block = False
    for line in lines:
        if not line:
            continue
        if LINK_BLOCK_START.match(line):
            in_link_block = True
            continue
        if in_link_block:
            link_like = (
                line.split(":")[0].split("：")[0] in LINK_BLOCK_WORDS
                or ATTACHMENT_FILE.search(line)
                or (len(line) <= LINK_LINE_MAX_CHARS and line[-1] not in SENTENCE_END)
            )
            if link_like or is_chrome(line):
                continue
            in_link_block = False
        if not is_chrome(line):
            yield line


def is_label_line(line: str) -> bool:
    return len(line) <= LABEL_LINE_MAX_CHARS and bool(
        LABEL_LINE.match(line) or PORTAL_LINE.match(line) or DATE_ONLY_LINE.match(line)
    )


def is_body_line(line: str) -> bool:
    """A line that is report text: long, a sentence, or numbered."""
    return (
        len(line) > TITLE_MAX_CHARS or line[-1] in SENTENCE_END + "：:，," or bool(NUMBERED_LINE.match(line))
    )


def split_header(lines: list[str]) -> tuple[list[str], list[str]]:
    """The lines above the body (title, labels) and the body, cut at the first body line."""
    for i, line in enumerate(lines):
        if not is_label_line(line) and is_body_line(line):
            return lines[:i], lines[i:]
    return [], lines


def read_labels(findings: Findings, lines: list[str], dates_alone: bool = True) -> list[str]:
    """Learn date and source from label lines; return the other lines, in order.

    A date alone on its line is the publish date in a header (`dates_alone`), where it
    sits under the title; elsewhere on a page it may be any list's date.
    """
    others = []
    for line in lines:
        if not is_label_line(line):
            others.append(line)
            continue
        if dates_alone and DATE_ONLY_LINE.match(line):  # the date under the title
            findings.learn(date=iso_date(line))
        portal = PORTAL_LINE.match(line)
        if portal:
            findings.learn(date=iso_date(portal["date"]))
            findings.place_hints += (portal["site"],)
        for found in PUBLISH_DATE_LABEL.finditer(line):
            weak = found["label"] in WEAK_DATE_LABELS
            if not weak or SOURCE_LABEL.search(line) or portal or WEAK_DATE_LINE.match(line):
                findings.learn(date=iso_date(found["date"]))
        source = SOURCE_LABEL.search(line)
        if source:
            findings.learn(source=source["source"])
        name = NAME_LABEL.match(line)
        if name:
            findings.learn(title=name[1])
        publisher = PUBLISHER_LABEL.search(line)
        if publisher:
            findings.learn(publisher=publisher[1])
            findings.place_hints += (publisher[1],)
    return others


def join_title(lines: list[str]) -> str:
    """The header's non-label lines as one title, when they are few and short enough."""
    if not lines or len(lines) > TITLE_MAX_LINES or any(len(x) > TITLE_MAX_CHARS for x in lines):
        return ""
    return "".join(lines)


def drop_title_lines(body: tuple[str, ...], title: str) -> tuple[str, ...]:
    """The body without its leading repeat of the title (an h1, or a title over two lines)."""
    wanted = re.sub(r"\s", "", title)
    if not wanted:
        return body
    joined = ""
    for i, line in enumerate(body[:TITLE_MAX_LINES]):
        joined += re.sub(r"\s", "", line)
        if joined == wanted:
            return body[i + 1 :]
        if not wanted.startswith(joined):
            break
    return body


def drop_repeated_paragraphs(lines: tuple[str, ...]) -> tuple[str, ...]:
    """Drop a long paragraph seen before: a second copy of the body the page carried."""
    seen = set()

    def first_seen(line: str) -> bool:
        if len(line) < MIN_REPEAT_CHARS:
            return True
        if line in seen:
            return False
        seen.add(line)
        return True

    return tuple(filter(first_seen, lines))
