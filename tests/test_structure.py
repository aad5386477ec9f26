"""structure: headings at their real depth, list items, and lost enumeration numerals."""


import pytest
from seed_bodies import BODY_LINES, body

from reader.report import HEADING, ITEM, PARAGRAPH
from reader.structure import structure


def headings(blocks):
    return [(b.level, b.label, b.text) for b in blocks if b.type == HEADING]


@pytest.mark.parametrize("slug", sorted(BODY_LINES))
def test_sentences_spell_out_label_and_text(slug):
    blocks, _ = structure(body(slug))
    for block in blocks:
        assert "".join(block.sentences) == block.label + block.text
        assert all(block.sentences)


def test_nancheng_plan_has_five_level_one_sections():
    blocks, warnings = structure(body("dg-nancheng-2023-work-plan"))
    assert headings(blocks) == [
        (1, "一、", "全力以赴稳增长,推进经济高质量发展"),
        (1, "二、", "坚持以人为本的理念,打造高品质城市中心"),
        (1, "三、", "加强社会民生建设,满足群众生活新期盼"),
        (1, "四、", "加强创新社会治理,构建社会治理新格局"),
        (1, "五、", "坚持高质量党建引领,推动党的建设走深走实"),
    ]
    assert [b.type for b in blocks] == [PARAGRAPH] + [HEADING, PARAGRAPH] * 5
    assert warnings == ()


def test_dongqu_plan_nests_arabic_headings_under_parenthesised_ones():
    blocks, _ = structure(body("zs-dongqu-2020-work-plan"))
    found = headings(blocks)
    assert [(level, label) for level, label, _ in found if level == 1] == [
        (1, "(一)"),
        (1, "(二)"),
        (1, "(三)"),
        (1, "(四)"),
    ]
    assert [label for level, label, _ in found if level == 2] == (
        ["1.", "2.", "3."]
        + ["1.", "2.", "3."]
        + ["1.", "2.", "3.", "4.", "5."]
        + ["1.", "2.", "3."]
    )
    assert found[0] == (1, "(一)", "聚焦粤港澳大湾区主阵地建设,全面提升中心城区的承载力和吸引力")


def test_dongqu_run_in_heading_splits_from_its_paragraph():
    blocks, _ = structure(body("zs-dongqu-2020-work-plan"))
    i = next(i for i, b in enumerate(blocks) if b.text == "构建“一核、两带、双节点”区域发展格局")
    heading, paragraph = blocks[i], blocks[i + 1]
    assert (heading.type, heading.level, heading.label) == (HEADING, 2, "1.")
    assert heading.sentences == ("1.构建“一核、两带、双节点”区域发展格局",)
    assert paragraph.type == PARAGRAPH
    assert paragraph.text.startswith("打造岐江新城、总部经济区“发展动能核”,坚持科学规划引导")


def test_dongqu_intro_with_decimal_is_not_a_heading():
    blocks, _ = structure(body("zs-dongqu-2020-work-plan"))
    assert blocks[1].type == PARAGRAPH
    assert "社会消费品零售总额增长3.5%" in blocks[1].text


def test_xiqu_plan_has_items_under_level_one_sections():
    blocks, warnings = structure(body("zs-xiqu-2023-work-plan"))
    assert [label for _, label, _ in headings(blocks)] == [
        "一、",
        "二、",
        "三、",
        "四、",
        "五、",
        "六、",
    ]
    assert {level for level, _, _ in headings(blocks)} == {1}
    first_section = blocks[blocks.index(next(b for b in blocks if b.label == "一、")) :][:5]
    assert [(b.type, b.label) for b in first_section] == [
        (HEADING, "一、"),
        (PARAGRAPH, ""),
        (ITEM, "一是"),
        (ITEM, "二是"),
        (ITEM, "三是"),
    ]
    assert first_section[2].text.startswith("强化理论导航,持续深入学习贯彻党的二十大精神。")
    assert warnings == ()


def test_meeting_report_leads_are_items():
    blocks, warnings = structure(body("zs-nanqu-2024-cadre-meeting"))
    labels = [b.label for b in blocks if b.type == ITEM]
    shi = ["一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是"]
    yao = ["一要", "二要", "三要", "四要", "五要", "六要", "七要"]
    assert labels == shi + yao
    assert headings(blocks) == []
    seventh = next(b for b in blocks if b.label == "七要")
    assert seventh.text.startswith("聚焦全面从严治党, 坚定不移营造风清气正")
    assert warnings == ()


def test_summary_recovers_six_lost_numerals_with_one_warning_each():
    paragraphs = body("zs-nanqu-2022-work-summary")
    blocks, warnings = structure(paragraphs)
    items = [b for b in blocks if b.type == ITEM]
    assert [b.label for b in items] == ["一是", "二是", "三是", "四是", "五是", "六是", "七是"]
    assert items[1].text.startswith("发展动能不断集蓄。")
    assert items[1].sentences[0] == "二是发展动能不断集蓄。"
    # The seven items are one run: nothing between them.
    first = blocks.index(items[0])
    assert blocks[first : first + 7] == tuple(items)
    assert warnings == (
        'paragraph 3: enumeration numeral lost before "是发展动能不断集蓄…", read as 二是',
        'paragraph 4: enumeration numeral lost before "是城乡品质稳步提升…", read as 三是',
        'paragraph 5: enumeration numeral lost before "是生态环境有效治理…", read as 四是',
        'paragraph 6: enumeration numeral lost before "是民生福祉持续改善…", read as 五是',
        'paragraph 7: enumeration numeral lost before "是安全发展全面统筹…", read as 六是',
        'paragraph 8: enumeration numeral lost before "是党建引领不断强化…", read as 七是',
    )
    # The paragraph after the run lost its whole lead ("八是"), which no rule can see.
    assert blocks[first + 7].type == PARAGRAPH
    assert blocks[first + 7].text.startswith("作风建设深入推进。")


def test_warning_numbers_count_blank_paragraphs_too():
    _, warnings = structure(["一是疫情防控精准高效。", "", "是发展动能不断集蓄。"])
    assert warnings == (
        'paragraph 3: enumeration numeral lost before "是发展动能不断集蓄…", read as 二是',
    )


def test_sentence_starting_with_shifou_is_not_a_lost_numeral():
    blocks, warnings = structure(
        ["一是疫情防控精准高效。", "是否继续?您访问的链接即将离开“东莞市人民政府”门户网站"]
    )
    assert [b.type for b in blocks] == [ITEM, PARAGRAPH]
    assert warnings == ()


def test_bare_lead_without_a_list_before_it_is_a_paragraph():
    blocks, warnings = structure(
        ["南区街道坚持以习近平新时代中国特色社会主义思想为指导。", "是发展动能不断集蓄。"]
    )
    assert [b.type for b in blocks] == [PARAGRAPH, PARAGRAPH]
    assert warnings == ()


def test_lost_numeral_after_yao_items():
    blocks, warnings = structure(
        [
            "一要聚焦城乡协调发展,坚定不移推进“百千万工程”。",
            "要聚焦扩大有效增量,坚定不移拼经济促发展。",
        ]
    )
    assert [(b.type, b.label) for b in blocks] == [(ITEM, "一要"), (ITEM, "二要")]
    assert warnings == (
        'paragraph 2: enumeration numeral lost before "要聚焦扩大有效增量,坚定…", read as 二要',
    )


def test_ordinal_leads_with_either_comma_are_items():
    blocks, _ = structure(["第一，强化理论导航。", "第二,强化党建领航。"])
    assert [(b.type, b.label, b.text) for b in blocks] == [
        (ITEM, "第一，", "强化理论导航。"),
        (ITEM, "第二,", "强化党建领航。"),
    ]


def test_levels_are_dense_ranks_of_the_styles_present():
    blocks, _ = structure(
        [
            "第一章 总则",
            "一、全力以赴稳增长,推进经济高质量发展",
            "（一）聚焦新动能培育发展",
            "1、坚持创新引领发展",
            "(1)强化教育事业保障",
        ]
    )
    assert [(b.level, b.label, b.text) for b in blocks] == [
        (1, "第一章", "总则"),
        (2, "一、", "全力以赴稳增长,推进经济高质量发展"),
        (3, "（一）", "聚焦新动能培育发展"),
        (4, "1、", "坚持创新引领发展"),
        (4, "(1)", "强化教育事业保障"),
    ]


def test_number_with_decimal_is_not_a_label():
    blocks, _ = structure(["1.5亿元用于道路提升改造。"])
    assert [(b.type, b.label) for b in blocks] == [(PARAGRAPH, "")]


def test_long_numbered_line_without_short_first_sentence_is_an_item():
    line = "3." + "提升社会治理智能化、科学化、精准化水平," * 4 + "强化信访维稳矛盾纠纷源头治理。"
    blocks, _ = structure([line])
    assert [(b.type, b.label) for b in blocks] == [(ITEM, "3.")]
    assert blocks[0].label + blocks[0].text == line


def test_short_numbered_line_of_two_sentences_is_a_run_in_heading():
    # zs-dongqu-2020-work-plan, its second sentence cut short: the whole line is under
    # 50 characters, yet the heading is the first sentence alone.
    line = "2.推动城市更新与乡村振兴双轮驱动。扎实推进旧村庄、旧城镇连片改造。"
    blocks, _ = structure(["(二)优化城市功能布局", line])
    assert [(b.type, b.level, b.label, b.text) for b in blocks[1:]] == [
        (HEADING, 2, "2.", "推动城市更新与乡村振兴双轮驱动"),
        (PARAGRAPH, 0, "", "扎实推进旧村庄、旧城镇连片改造。"),
    ]
    assert blocks[1].sentences == ("2.推动城市更新与乡村振兴双轮驱动",)
    assert blocks[2].sentences == ("扎实推进旧村庄、旧城镇连片改造。",)


def test_short_numbered_line_of_one_sentence_is_a_whole_heading():
    blocks, _ = structure(["2.推动城市更新与乡村振兴双轮驱动。"])
    assert [(b.type, b.label, b.text) for b in blocks] == [
        (HEADING, "2.", "推动城市更新与乡村振兴双轮驱动")
    ]


def test_whitespace_only_paragraphs_are_dropped():
    blocks, _ = structure(["  ", "\u3000", "此外,审计、统计、档案等工作取得新成绩。"])
    assert len(blocks) == 1


def test_lost_numerals_count_on_past_ten():
    blocks, warnings = structure(
        ["九是疫情防控精准高效。", "是发展动能不断集蓄。", "是城乡品质稳步提升。"]
    )
    assert [(b.type, b.label) for b in blocks] == [(ITEM, "九是"), (ITEM, "十是"), (ITEM, "十一是")]
    assert len(warnings) == 2
