"""Each rule of the extractor on lines shaped like real portal pages, and on lines that
only look like them (a body line naming 首页 is not chrome; a heading is not a title)."""

from __future__ import annotations

import pytest

from reader.extract.dates import iso_date
from reader.extract.html_file import read_html
from reader.extract.text_file import is_chrome, join_split_labels, read_text
from reader.extract.titles import clean_title, complete_generic_title, strip_site_names

SUBTITLE = "——2025年1月14日在广东省第十四届人民代表大会第三次会议上"


@pytest.mark.parametrize(
    "line",
    [
        "字号：大 中 小",
        "【字号：大 中 小】 【打印本页】 【关闭窗口】",
        "微信 微博 QQ空间",
        "无障碍浏览 | 长者模式 | 繁體",
        "首页 机构概况 政务公开 政务服务 互动交流 走进小榄",
        "政务公开 > 规划计划 > 工作总结",
        "位置：首页 > 政务公开 > 计划总结",
        "您所在的位置：首页 / 信息公开 / 规划计划",
    ],
)
def test_portal_chrome_is_dropped(line):
    assert is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "推动政务服务网“首页”改版，群众办事更加便捷。",
        "首页改版后，网上可办率达到百分之九十九。",
        "齐心协力 勇毅前行!南区街道召开干部大会",
        "一、全力推动经济高质量发展",
        "规模以上工业增加值增速>5%，固定资产投资增速>8%。",
        "东凤镇2023年工作总结",
    ],
)
def test_report_text_is_not_chrome(line):
    assert not is_chrome(line)


def test_a_label_alone_is_joined_with_its_value_on_the_next_line():
    lines = ["时间：", "2024年1月5日 10:30", "来源：", "南城街道办事处", "浏览次数：", "来源：本网"]
    assert join_split_labels(lines) == [
        "时间：2024年1月5日 10:30",
        "来源：南城街道办事处",
        "浏览次数：",  # the next line is a label of its own, not its value
        "来源：本网",
    ]


def test_a_text_scrape_finds_title_and_date_past_chrome_and_split_labels():
    found = read_text(
        "首页 > 信息公开 > 计划总结\n中山市东凤镇人民政府门户网站\n东凤镇2023年工作总结\n"
        "时间：\n2024年1月5日 10:30\n2023年，东凤镇各项工作取得新成效。\n"
    )
    assert (found.title, found.date) == ("东凤镇2023年工作总结", "2024-01-05")
    assert found.body == ("2023年，东凤镇各项工作取得新成效。",)


def test_a_heading_is_not_a_title():
    found = read_text("一、2023年工作回顾\n过去一年，全区经济运行总体平稳。\n二、2024年工作安排\n")
    assert found.title == ""
    assert found.body[0] == "一、2023年工作回顾"


def test_a_meeting_time_in_the_body_is_not_the_publish_date():
    found = read_text("南区街道召开安全生产工作会议\n会议要求，各社区要压实责任。\n时间：2024年3月1日\n")
    assert found.date is None


def test_a_generic_title_keeps_its_subtitle_and_speaker_beneath():
    found = read_text(f"政府工作报告\n{SUBTITLE}\n广东省省长　林志远\n各位代表：\n")
    assert found.title == "政府工作报告"
    assert found.body == (SUBTITLE, "广东省省长 林志远", "各位代表：")


def test_a_subtitle_under_a_full_title_is_beneath_it_too():
    subtitle = "——2024年2月4日在南区街道2024年干部大会上"
    found = read_text(f"奋力开创南区高质量发展新局面\n{subtitle}\n同志们：\n")
    assert found.title == "奋力开创南区高质量发展新局面"
    assert found.body[0] == subtitle


@pytest.mark.parametrize(
    ("title", "first", "whole"),
    [
        ("政府工作报告", SUBTITLE, "2025年广东省政府工作报告"),
        ("政府工作报告", "（2024年1月16日在清远市清新区第三届人民代表大会第四次会议上）", "2024年清远市清新区政府工作报告"),
        ("工作报告", "——2024年1月8日在南区街道2024年工作会议上", "2024年南区街道工作报告"),
        ("政府工作报告", "各位代表：", "政府工作报告"),  # no subtitle: kept as it is
        ("东凤镇2023年工作总结", SUBTITLE, "东凤镇2023年工作总结"),  # not generic
    ],
)
def test_a_generic_title_is_completed_from_its_subtitle(title, first, whole):
    assert complete_generic_title(title, [first, "各位代表："]) == whole


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<div>南城街道2024年工作要点</div>&nbsp;", "南城街道2024年工作要点"),
        ("&lt;p&gt;南城街道2024年工作要点&lt;/p&gt;", "南城街道2024年工作要点"),
        ("<script>__pwned=1</script>南区街道2024年工作要点", "南区街道2024年工作要点"),
        ('<span class="t">南区街道</span>2022年工作总结&amp;nbsp;', "南区街道2022年工作总结"),
        ("关于《南区街道管理办法》<征求意见稿>的说明", "关于《南区街道管理办法》<征求意见稿>的说明"),
    ],
)
def test_markup_and_entities_never_stay_in_a_title(raw, clean):
    assert clean_title(raw) == clean


def test_a_site_name_is_cut_from_the_title_only_when_the_page_shows_it_alone():
    elsewhere = ["东莞厚街厚德之街", "主办单位：惠州市惠城区政务服务数据管理局", "奋力拼搏——南区街道2023年工作总结"]

    def shown_alone(name, title):
        return any(name in line and title not in line for line in elsewhere)

    def never(_tail):
        return False

    assert strip_site_names("厚街镇2023年工作总结_东莞厚街", never, shown_alone) == "厚街镇2023年工作总结"
    assert (
        strip_site_names("惠城区2023年工作总结-惠州市惠城区政务服务数据管理局", never, shown_alone)
        == "惠城区2023年工作总结"
    )
    # The part after —— is the title's own, shown only with the rest of it.
    assert strip_site_names("奋力拼搏——南区街道2023年工作总结", never, shown_alone) == "奋力拼搏——南区街道2023年工作总结"
    assert strip_site_names("南区街道2023-2024年工作计划", never, shown_alone) == "南区街道2023-2024年工作计划"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024年1月5日 10:30", "2024-01-05"),
        ("2024年01月05日", "2024-01-05"),
        ("2024-1-5", "2024-01-05"),
        ("2024/01/05 09:00:00", "2024-01-05"),
        ("2024.01.05", "2024-01-05"),
        ("二〇二四年一月五日", "2024-01-05"),
        ("二〇二三年十二月三十一日", "2023-12-31"),
        ("二○二四年十月十日", "2024-10-10"),
        ("２０２４年１月５日", "2024-01-05"),
        ("2024-02-30", None),
        ("2024-01-123", None),
        ("第十四届人民代表大会", None),
    ],
)
def test_dates_in_every_common_format(text, iso):
    assert iso_date(text) == iso


def test_a_gazette_title_over_several_rows_is_joined_past_its_document_number():
    page = (
        "<html><head><title>东莞市石龙镇人民政府</title></head><body><table>"
        "<tr><td><a href='gb.htm'>政府公报</a></td></tr>"
        "<tr><td><b>东莞市石龙镇人民政府关于印发</b></td></tr>"
        "<tr><td><b>石龙镇2024年重点工作安排</b></td></tr><tr><td><b>的通知</b></td></tr>"
        "<tr><td>石府〔2024〕3号</td></tr><tr><td>发布日期：2024年1月8日</td></tr>"
        "<tr><td>各村（社区），镇属各单位：现将《石龙镇2024年重点工作安排》印发给你们，"
        "请结合实际认真贯彻落实，全年新增规模以上工业企业二十家。</td></tr></table></body></html>"
    )
    found = read_html(page)
    assert found.title == "东莞市石龙镇人民政府关于印发石龙镇2024年重点工作安排的通知"
    assert found.date == "2024-01-08"


def test_a_date_alone_under_the_title_is_its_date_but_one_in_a_list_beside_it_is_not():
    body = "".join(f"<p>2023年，茶山镇全力拼经济、促发展，第{n}项工作稳中向好。</p>" for n in range(3))
    page = (
        "<html><body><div class='detail'><div>茶山镇2023年工作总结</div><div>2024/01/05 09:00</div>"
        f"<div class='TRS_UEDITOR'>{body}</div></div></body></html>"
    )
    assert read_html(page).date == "2024-01-05"
    listed = page.replace("<div>2024/01/05 09:00</div>", "").replace(
        "</body>", "<ul><li><a href='a.html'>茶山镇2022年工作总结</a> 2023-01-10</li></ul></body>"
    )
    assert read_html(listed).date is None
    in_blocks = listed.replace("</a> 2023-01-10", "</a><div>2023-01-10</div>")
    assert read_html(in_blocks).date is None
