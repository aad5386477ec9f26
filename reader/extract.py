"""Find a report's title, publish date, source, place and body paragraphs in a page.

Text files (scrapes of the portal pages) go through a line-based cleaner; HTML is
parsed with BeautifulSoup (lxml), its metadata read, its hidden and mobile copies and
non-text elements dropped, its article container found, and its text blocks then go
through the same cleaner. Each step is a named function below; the patterns and
thresholds they use are the constants at the top.

The publish date is only ever a labelled one (发布日期, 发布时间, the CMS's PubDate, the
portal's date line): a meeting date or the signature date at the end is the report's
own text, never its publish date.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import date as calendar_date

from bs4 import BeautifulSoup, NavigableString, Tag, XMLParsedAsHTMLWarning
from bs4.element import PreformattedString

from reader.sources import Source

# --- thresholds -------------------------------------------------------------------
TITLE_MAX_CHARS = 60  # a header line longer than this is body text, not (part of) a title
TITLE_MAX_LINES = 3  # a title split over more lines than this is not taken as one
LABEL_LINE_MAX_CHARS = 160  # a line holding labels (来源, 发布日期…) is never longer
LINK_LINE_MAX_CHARS = 40  # in an attachment/related-links block, a line this short is a link
MIN_BODY_CHARS = 80  # an article container holds at least this much text
MIN_DENSITY_BLOCK_CHARS = 25  # a text block counts towards its parent's density from here
MIN_REPEAT_CHARS = 20  # a paragraph this long seen twice is a duplicated copy of the body
MIN_ALIAS_MENTIONS = 2  # a district named only by its short form (东区) must be named this often

# --- portal chrome ------------------------------------------------------------------
CHROME_WORDS = frozenset(
    ["无障碍版", "无障碍", "长者助手", "长者模式", "关怀版", "登录", "注册", "退出", "首页", "繁體", "繁体", "简体", "English", "头部", "ico", "icon", "图片", "打印", "关闭", "【打印】", "【关闭】", "【关闭窗口】", "打印本页", "关闭窗口", "返回顶部", "收藏", "分享", ">", "»", "|", "RSS", "智能问答", "字号", "大", "中", "小"]
)
CHROME_LINE = re.compile(
    r"^(?:您当前的位置|当前位置|您现在的位置|您的位置|分享到?\s*[:：]|【\s*字体|字体\s*[:：]|"
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
DATE = r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})\s*日?"  # groups: year, month, day
DATE_PARTS = re.compile(DATE)
PUBLISH_DATE_LABEL = re.compile(
    rf"(?:^|[\s|｜】])(?P<label>发布日期|发布时间|发表时间|更新时间|时间|日期)\s*[:：]\s*(?P<date>{DATE})"
)
WEAK_DATE_LABELS = ("时间", "日期")  # believed only on a line that also holds another label
SOURCE_LABEL = re.compile(
    r"(?:^|[\s|｜】])(?:信息来源|文章来源|稿件来源|来源)\s*[:：]\s*"
    r"(?P<source>[^\s|｜:：【]+?)(?=$|[\s|｜【]|发布|时间|日期|作者|浏览|分享)"
)
PORTAL_LINE = re.compile(
    rf"^(?P<site>\S+?(?:门户网站|政府网站|网站|门户网|政府网))\s+(?P<date>{DATE})(?:\s+\d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
)
NAME_LABEL = re.compile(r"名称\s*[:：]\s*(.+)")  # gkmlpt's 名称 is the report's title
PUBLISHER_LABEL = re.compile(r"发布机构\s*[:：]\s*(\S+)")
LABEL_LINE = re.compile(
    r"^(?:信息来源|文章来源|稿件来源|来源|发布日期|发布时间|发表时间|更新时间|时间|日期|作者|"
    r"浏览次数|点击数|阅读数|访问量|索引号|发布机构|成文日期|名称|文号|分类|主题分类|主题词)\s*[:：]"
)
NUMBERED_LINE = re.compile(
    r"^(?:第[一二三四五六七八九十百零〇]+[章节条]|[一二三四五六七八九十]+[、是要]|"
    r"[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])"
)
INFO_TABLE_LABELS = frozenset(
    ["索引号", "分类", "主题分类", "发布机构", "成文日期", "名称", "文号", "发布日期", "主题词", "信息来源", "来源"]
)
INFO_TABLE_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff]{2,4})\s*[:：]?$")
# What the first string of a cell whose text is a label can be: the label's start, or all of it.
INFO_TABLE_LABEL_START = re.compile(r"[\u4e00-\u9fff]{1,4}(?:\s*[:：])?$")
INFO_TABLE_CELLS = frozenset(["td", "th", "dt", "span", "label", "b", "strong"])

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
ARTICLE_CONTAINER = re.compile(
    r"^(?:zoom|zoomcon|fontzoom|ucap-content|trs_editor|trs_ueditor|js_content|artibody|"
    r"article[-_]?content|article[-_]?con|content[-_]?text|con[-_]?text|news[-_]?content|"
    r"detail[-_]?content|pages[-_]?content|zw|zwnr|wzcon|art[-_]?con)$",
    re.IGNORECASE,
)
# A source line break between two Chinese characters, with the spaces around it.
CJK_LINE_BREAK = re.compile(
    r"(?<=[\u3000-\u9fff\uff00-\uffef])[ \t\r\n]*\n[ \t\r\n]*(?=[\u3000-\u9fff\uff00-\uffef])"
)
WHITESPACE_RUN = re.compile(r"\s+")
TITLE_SEPARATOR = re.compile(r"\s+[-－–|｜]\s+|\s*(?:_|\||｜|——)\s*")
SITE_NAME = re.compile(
    r"(?:网站|门户|门户网|政府网|人民政府|办事处|政务网|信息公开|首页|动态|公告|要闻|新闻|栏目|"
    r"规划计划|计划总结|规划总结)$|\.gov\.cn$|^www\.",
    re.IGNORECASE,
)
CMS_META = {"articletitle": "title", "pubdate": "date", "contentsource": "source", "columnname": "column"}

# --- places -------------------------------------------------------------------------
GAZETTEER = {
    "中山市": (
        "石岐街道", "东区街道", "西区街道", "南区街道", "五桂山街道", "中山港街道", "民众街道",
        "南朗街道", "小榄镇", "古镇镇", "横栏镇", "港口镇", "沙溪镇", "大涌镇", "黄圃镇", "南头镇",
        "东凤镇", "阜沙镇", "三角镇", "三乡镇", "板芙镇", "神湾镇", "坦洲镇", "东升镇", "民众镇",
        "南朗镇",
    ),
    "东莞市": (
        "莞城街道", "南城街道", "东城街道", "万江街道", "石碣镇", "石龙镇", "茶山镇", "石排镇",
        "企石镇", "横沥镇", "桥头镇", "谢岗镇", "东坑镇", "常平镇", "寮步镇", "樟木头镇", "大朗镇",
        "黄江镇", "清溪镇", "塘厦镇", "凤岗镇", "大岭山镇", "长安镇", "虎门镇", "厚街镇", "沙田镇",
        "道滘镇", "洪梅镇", "麻涌镇", "望牛墩镇", "中堂镇", "高埗镇",
    ),
}  # fmt: skip
# Short names the reports use for a district (中山's old 区), with what must not precede them.
DISTRICT_ALIASES = {"东区": "东区街道", "西区": "西区街道", "南区": "南区街道", "石岐区": "石岐街道"}
ALIAS_NOT_AFTER = "粤华江广山"  # 粤东区域, 华南区, 江西区… are not districts
PORTAL_CITIES = {"东莞": "东莞市", "中山": "中山市"}  # in a portal's name: 中国东莞政府门户网站
CITY_OF_DISTRICT = {unit: city for city, units in GAZETTEER.items() for unit in units}

# --- titles and kinds -------------------------------------------------------------
KINDS = (
    ("会议报道", re.compile(r"召开.*(?:会议|大会)|(?:会议|大会)(?:召开|举行)")),
    ("工作总结", re.compile(r"总结")),
    ("工作计划", re.compile(r"计划|工作要点|工作安排")),
)
YEAR = re.compile(r"((?:19|20)\d{2})年")
PLAN_WORDS = re.compile(r"总体要求|预期目标|主要目标|重点抓好|重点做好|以下工作|计划|将")
SUMMARY_WORDS = re.compile(r"回顾|取得了|完成了|总结")


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
    page = _read_html(source.text) if source.is_html else _read_text(source.text)
    page.learn(source=page.publisher)  # a page without a source label names its publisher
    paragraphs = drop_repeated_paragraphs(drop_title_lines(page.body, page.title))
    district, city = find_places(page.title, page.place_hints, paragraphs)
    return Extracted(
        title=page.title,
        date=page.date,
        source=page.source,
        district=district,
        city=city,
        kind=kind_of(page.title),
        paragraphs=tuple(paragraphs),
        warnings=tuple(source.warnings),
    )


@dataclass
class _Page:
    title: str = ""
    date: str | None = None
    source: str = ""
    publisher: str = ""
    place_hints: tuple[str, ...] = ()
    body: tuple[str, ...] = ()

    def learn(self, **facts: str | None) -> None:
        """Keep the first value found for each fact: the more reliable sources are read first."""
        for name, value in facts.items():
            if value and not getattr(self, name):
                setattr(self, name, value)


# --- text files ---------------------------------------------------------------------


def _read_text(text: str) -> _Page:
    page = _Page()
    lines = drop_portal_chrome(clean_lines(text.split("\n")))
    header, body = split_header(lines)
    titles = read_labels(page, header)
    page.learn(title=join_title(titles))
    if not page.title:
        body = titles + body
    page.body = tuple(body)
    return page


def clean_lines(lines) -> list[str]:
    """Lines without indentation (ASCII or full-width) and with runs of spaces made one."""
    return [" ".join(line.split()) for line in lines]


def is_chrome(line: str) -> bool:
    """A line of the portal around the report: toolbars, breadcrumbs, share buttons, footers."""
    if CHROME_WORDS.issuperset(line.split()):
        return True
    if CHROME_LINE.match(line) or line.endswith(CHROME_LINE_ENDS) or line.startswith(FOOTER_WORDS):
        return True
    return FOOTER_WORD.search(line) is not None and sum(word in line for word in FOOTER_WORDS) >= 2


def drop_portal_chrome(lines: list[str]) -> list[str]:
    """Non-empty lines that are not chrome, nor in an attachment or related-links block."""
    kept = []
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
            kept.append(line)
    return kept


def is_label_line(line: str) -> bool:
    return len(line) <= LABEL_LINE_MAX_CHARS and bool(LABEL_LINE.match(line) or PORTAL_LINE.match(line))


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


def read_labels(page: _Page, lines: list[str]) -> list[str]:
    """Learn date and source from label lines; return the other lines, in order."""
    others = []
    for line in lines:
        if not is_label_line(line):
            others.append(line)
            continue
        portal = PORTAL_LINE.match(line)
        if portal:
            page.learn(date=iso_date(portal["date"]))
            page.place_hints += (portal["site"],)
        for found in PUBLISH_DATE_LABEL.finditer(line):
            weak = found["label"] in WEAK_DATE_LABELS
            if not weak or SOURCE_LABEL.search(line) or portal:
                page.learn(date=iso_date(found["date"]))
        source = SOURCE_LABEL.search(line)
        if source:
            page.learn(source=source["source"])
        name = NAME_LABEL.match(line)
        if name:
            page.learn(title=name[1])
        publisher = PUBLISHER_LABEL.search(line)
        if publisher:
            page.learn(publisher=publisher[1])
            page.place_hints += (publisher[1],)
    return others


def join_title(lines: list[str]) -> str:
    """The header's non-label lines as one title, when they are few and short enough."""
    if not lines or len(lines) > TITLE_MAX_LINES or any(len(x) > TITLE_MAX_CHARS for x in lines):
        return ""
    return "".join(lines)


def iso_date(text: str | None) -> str | None:
    """`2023-02-24`, `2023年2月24日`, `2023/2/24 10:36` → "2023-02-24"; None if not a date."""
    match = DATE_PARTS.search(text or "")
    if not match:
        return None
    try:
        return calendar_date(*(int(part) for part in match.groups())).isoformat()
    except ValueError:
        return None


def drop_title_lines(body: tuple[str, ...], title: str) -> list[str]:
    """The body without its leading repeat of the title (an h1, or a title over two lines)."""
    lines = list(body)
    wanted = re.sub(r"\s", "", title)
    if not wanted:
        return lines
    joined = ""
    for i, line in enumerate(lines[:TITLE_MAX_LINES]):
        joined += re.sub(r"\s", "", line)
        if joined == wanted:
            return lines[i + 1 :]
        if not wanted.startswith(joined):
            break
    return lines


def drop_repeated_paragraphs(lines: list[str]) -> list[str]:
    """Drop a long paragraph seen before: a second copy of the body the page carried."""
    seen = set()
    kept = []
    for line in lines:
        if len(line) >= MIN_REPEAT_CHARS:
            if line in seen:
                continue
            seen.add(line)
        kept.append(line)
    return kept


# --- HTML -----------------------------------------------------------------------------


def _read_html(text: str) -> _Page:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    page = _Page()
    tags = scan_tags(soup)
    read_cms_meta(page, tags.metas)
    for tag in tags.unseen:
        tag.decompose()
    drop_mobile_copies(soup, tags.copies)
    read_info_table(page, _live(tags.cells))
    page.learn(title=title_of_document(next(iter(_live(tags.titles)), None), page))

    container = article_container(soup, tags)
    body = drop_portal_chrome(text_lines(container))
    container.extract()
    around = drop_portal_chrome(text_lines(soup))
    read_labels(page, around)
    page.learn(title=title_before_labels(around))
    header, body = split_header(body)
    titles = read_labels(page, header)
    headings = [tag for tag in _live(tags.headings) if _inside(tag, soup)]  # not in the container
    page.learn(title=join_title(titles) or heading_title(headings))
    if titles and join_title(titles) != page.title:
        body = titles + body
    page.body = tuple(body)
    return page


@dataclass
class _Tags:
    """The elements the steps below look at, in document order, found in one walk."""

    metas: list[Tag] = field(default_factory=list)  # every <meta>, shown or not
    unseen: list[Tag] = field(default_factory=list)  # non-text and hidden elements, outermost only
    copies: list[Tag] = field(default_factory=list)  # phone copies of the article, outermost only
    cells: list[Tag] = field(default_factory=list)  # what may hold an info-table label
    containers: list[Tag] = field(default_factory=list)  # known CMS article containers
    articles: list[Tag] = field(default_factory=list)
    headings: list[Tag] = field(default_factory=list)  # h1 and h2
    titles: list[Tag] = field(default_factory=list)
    bodies: list[Tag] = field(default_factory=list)


def scan_tags(soup: BeautifulSoup) -> _Tags:
    """Sort the page's elements once: what to drop, and where to look for facts and body.

    Below an unseen element (non-text or hidden) only <meta>s are looked for: the CMS
    facts are read from them before anything is dropped.
    """
    tags = _Tags()
    stack = [(node, False) for node in reversed(soup.contents) if isinstance(node, Tag)]
    while stack:
        tag, in_copy = stack.pop()  # in_copy: inside a phone copy already found
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
            if any(ARTICLE_CONTAINER.match(c) for c in names):
                tags.containers.append(tag)
        if name in INFO_TABLE_CELLS:
            tags.cells.append(tag)
        elif name in ("h1", "h2"):
            tags.headings.append(tag)
        elif name == "article":
            tags.articles.append(tag)
        elif name == "title":
            tags.titles.append(tag)
        elif name == "body":
            tags.bodies.append(tag)
        stack.extend((child, in_copy) for child in reversed(tag.contents) if isinstance(child, Tag))
    return tags


def _live(tags: list[Tag]) -> list[Tag]:
    """Those of `tags` not dropped since the walk."""
    return [tag for tag in tags if not _decomposed(tag)]


def _decomposed(tag: Tag) -> bool:
    """Tag.decomposed, without its cost: on a live tag, that property searches the tag's
    subtree for an element named `_decomposed` (bs4 reads unknown attributes as find())."""
    return bool(vars(tag).get("_decomposed"))


def _inside(tag: Tag, root: Tag) -> bool:
    return any(parent is root for parent in tag.parents)


def read_cms_meta(page: _Page, metas: list[Tag]) -> None:
    """ArticleTitle, PubDate, ContentSource and ColumnName, the meta tags of the portals' CMS."""
    for meta in metas:
        fact = CMS_META.get(str(meta.get("name", "")).lower())
        content = " ".join(str(meta.get("content", "")).split())
        if not fact or not content:
            continue
        if fact == "date":
            page.learn(date=iso_date(content))
        elif fact == "column":
            page.place_hints += (content,)
        else:
            page.learn(**{fact: content})


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


def read_info_table(page: _Page, cells: list[Tag]) -> None:
    """The 信息公开 table of gkmlpt pages: 名称 is the title, 发布日期 (not 成文日期) the date."""
    found = {}
    tables: dict[int, Tag] = {}  # by identity: Tag's == compares markup, and tables can be copies
    for cell in cells:
        # The label's first characters are the cell's first string: most cells are ruled out by it.
        if not INFO_TABLE_LABEL_START.match(next(cell.stripped_strings, "")):
            continue
        match = INFO_TABLE_LABEL.match(cell.get_text(strip=True))
        if not match or match["label"] not in INFO_TABLE_LABELS:
            continue
        value_cell = cell.find_next_sibling()
        value = " ".join(value_cell.get_text(" ", strip=True).split()) if value_cell else ""
        if value and not INFO_TABLE_LABEL.match(value):
            found.setdefault(match["label"], value)
        table = cell.find_parent("table")
        if table is not None:
            tables[id(table)] = table
    page.learn(title=found.get("名称"), date=iso_date(found.get("发布日期")))
    page.learn(source=found.get("信息来源") or found.get("来源"), publisher=found.get("发布机构"))
    if "发布机构" in found:
        page.place_hints += (found["发布机构"],)
    if len(found) >= 2:
        for table in tables.values():
            if not _decomposed(table):
                table.decompose()


def title_of_document(title_tag: Tag | None, page: _Page) -> str:
    """<title> without the site and column names after its separators."""
    if title_tag is None:
        return ""
    title = " ".join(title_tag.get_text().split())
    columns = set(page.place_hints)
    while True:
        parts = list(TITLE_SEPARATOR.finditer(title))
        if not parts:
            break
        last = parts[-1]
        tail = title[last.end() :].strip()
        if not (is_site_name(tail) or tail in columns):
            break
        title = title[: last.start()].strip()
    return "" if is_site_name(title) else title


def is_site_name(text: str) -> bool:
    """A portal's, unit's or column's name rather than a report's title."""
    return bool(SITE_NAME.search(text)) or text in CITY_OF_DISTRICT or text in GAZETTEER


def title_before_labels(lines: list[str]) -> str:
    """The short line just above a page's first label line (old table pages have no <h1>)."""
    for i, line in enumerate(lines):
        if is_label_line(line):
            above = lines[i - 1] if i else ""
            if above and not is_body_line(above) and not is_site_name(above):
                return above
            return ""
    return ""


def heading_title(headings: list[Tag]) -> str:
    """The first <h1> or <h2> that reads as a title."""
    for tag in headings:
        text = " ".join(tag.get_text(" ", strip=True).split())
        if text and len(text) <= 2 * TITLE_MAX_CHARS and not is_site_name(text):
            return text
    return ""


def article_container(soup: BeautifulSoup, tags: _Tags) -> Tag:
    """The element holding the article: a known CMS container, else the densest text block."""
    bodies = _live(tags.bodies)
    root = bodies[0] if bodies else soup

    def in_root(found: list[Tag]) -> list[Tag]:
        found = _live(found)
        return found if root is soup else [tag for tag in found if _inside(tag, root)]

    sized = [(len(tag.get_text(strip=True)), tag) for tag in in_root(tags.containers)]
    known = [(chars, tag) for chars, tag in sized if chars >= MIN_BODY_CHARS]
    if known:
        return max(known, key=lambda sized_tag: sized_tag[0])[1]
    articles = [t for t in in_root(tags.articles) if len(t.get_text(strip=True)) >= MIN_BODY_CHARS]
    if len(articles) == 1:
        return articles[0]
    return densest_block(root)


def densest_block(root: Tag) -> Tag:
    """The element whose text blocks are longest and most punctuated, links not counted."""
    scores: Counter = Counter()
    for block in root.find_all(["p", "td", "li", "pre", "div"]):
        if block.name == "div":
            text = "".join(s for s in block.find_all(string=True, recursive=False))
        else:
            text = block.get_text()
        text = "".join(text.split())
        if len(text) < MIN_DENSITY_BLOCK_CHARS:
            continue
        links = sum(len(a.get_text(strip=True)) for a in block.find_all("a"))
        score = (1 + len(re.findall("[，,。；]", text)) + min(len(text) // 100, 3)) * (
            1 - min(links / len(text), 1)
        )
        holder = block if block.name in ("div", "td") else block.parent
        scores[id(holder)] += score
        if holder.parent is not None:
            scores[id(holder.parent)] += score / 2
    if not scores:
        return root
    by_id = {id(tag): tag for tag in [root, *root.find_all(True)]}
    best = max((i for i in scores if i in by_id), key=scores.__getitem__, default=None)
    return by_id[best] if best is not None else root


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


# --- places, titles, kinds ------------------------------------------------------------


def find_places(title: str, hints: tuple[str, ...], paragraphs: list[str]) -> tuple[str, str]:
    """(district, city) named by the title, else the labels, else most often in the body.

    Districts are given in full (南区街道); a district's city comes from the gazetteer,
    else the city is the portal's or the one the text names.
    """
    district = (
        _district_in(title)
        or next(filter(None, map(_district_in, hints)), "")
        or _most_named_district("\n".join(paragraphs))
    )
    city = CITY_OF_DISTRICT.get(district, "")
    if not city:
        city = next(filter(None, map(_portal_city, hints)), "") or _most_named_city(
            "\n".join((title, *paragraphs))
        )
    return district, city


def _district_pattern(unit: str) -> str:
    """The unit's full name, or a short one not after ALIAS_NOT_AFTER.

    The look-behind comes after the short name (东区(?<![粤…]东区)), not before it, so that
    the pattern starts with the characters the full and short names share: a regex that
    starts with plain characters is searched for fast.
    """
    short = [alias for alias, full in DISTRICT_ALIASES.items() if full == unit]
    names = [re.escape(unit)] + [f"{re.escape(a)}(?<![{ALIAS_NOT_AFTER}]{re.escape(a)})" for a in short]
    return "|".join(names)


DISTRICT_MENTION = {unit: re.compile(_district_pattern(unit)) for unit in CITY_OF_DISTRICT}
ALIASED_DISTRICTS = frozenset(DISTRICT_ALIASES.values())
UNIT_LENGTHS_BY_LAST_CHAR = {
    last: sorted({len(unit) for unit in CITY_OF_DISTRICT if unit.endswith(last)})
    for last in sorted({unit[-1] for unit in CITY_OF_DISTRICT})
}


def _district_in(text: str) -> str:
    full = [unit for unit in CITY_OF_DISTRICT if unit in text]
    if full:
        return min(full, key=text.index)
    short = [full for alias, full in DISTRICT_ALIASES.items() if DISTRICT_MENTION[full].search(text)]
    return short[0] if short else ""


def _most_named_district(text: str) -> str:
    counts = Counter()
    named = _units_named(text)
    for unit, pattern in DISTRICT_MENTION.items():
        if unit in named:
            counts[unit] = len(pattern.findall(text))
        elif unit in ALIASED_DISTRICTS:  # named only by its short form, if at all
            mentions = len(pattern.findall(text))
            if mentions >= MIN_ALIAS_MENTIONS:
                counts[unit] = mentions
    return counts.most_common(1)[0][0] if counts else ""


def _units_named(text: str) -> set[str]:
    """The districts whose full name is in `text` (a whole body): {u for u in units if u in text},
    found by looking before each of the few characters a full name can end with."""
    named = set()
    for last, lengths in UNIT_LENGTHS_BY_LAST_CHAR.items():
        end = text.find(last) + 1
        while end:
            named.update(text[end - n : end] for n in lengths if n <= end)
            end = text.find(last, end) + 1
    return named & CITY_OF_DISTRICT.keys()


def _portal_city(text: str) -> str:
    return next((city for short, city in PORTAL_CITIES.items() if short in text), "")


def _most_named_city(text: str) -> str:
    counts = Counter({city: text.count(city) for city in GAZETTEER})
    city, count = counts.most_common(1)[0]
    return city if count else ""


def kind_of(title: str) -> str:
    """工作总结, 工作计划 or 会议报道 (召开…会议/大会) as the title says; "" when it says none."""
    return next((kind for kind, pattern in KINDS if pattern.search(title or "")), "")


def title_from_text(paragraphs, facts: dict) -> str:
    """A title for a report whose file has none: "<district><year>年<kind>".

    The district is the one already found (else the one the first paragraph names), the
    year the first the first paragraph names, and the kind 工作计划 when the first paragraph
    speaks of requirements and targets (总体要求, 预期目标, 以下工作…), 工作总结 when it
    looks back (回顾, 取得了…), else 工作报告. "2020年,东区工作的总体要求是…" gives
    "东区街道2020年工作计划". Without a place or a year there is no title: "".
    """
    first = next(iter(paragraphs), "")
    year = YEAR.search(first)
    place = facts.get("district") or _district_in(first) or facts.get("city") or ""
    if not year or not place:
        return ""
    if PLAN_WORDS.search(first):
        kind = "工作计划"
    elif SUMMARY_WORDS.search(first):
        kind = "工作总结"
    else:
        kind = "工作报告"
    return f"{place}{year[1]}年{kind}"
