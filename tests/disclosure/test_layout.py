"""The labels of the national format (国办公开办函〔2021〕30号), character for character
(domain.md §5.2–§5.5). Pure: no database."""

from __future__ import annotations

from disclosure import layout

TABLE3_ROWS = [
    "一、本年新收政府信息公开申请数量",
    "二、上年结转政府信息公开申请数量",
    "三、本年度办理结果",
    "（一）予以公开",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "（三）不予公开",
    "1.属于国家秘密",
    "2.其他法律行政法规禁止公开",
    "3.危及“三安全一稳定”",
    "4.保护第三方合法权益",
    "5.属于三类内部事务信息",
    "6.属于四类过程性信息",
    "7.属于行政执法案卷",
    "8.属于行政查询事项",
    "（四）无法提供",
    "1.本机关不掌握相关政府信息",
    "2.没有现成信息需要另行制作",
    "3.补正后申请内容仍不明确",
    "（五）不予处理",
    "1.信访举报投诉类申请",
    "2.重复申请",
    "3.要求提供公开出版物",
    "4.无正当理由大量反复申请",
    "5.要求行政机关确认或重新出具已获取信息",
    "（六）其他处理",
    "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "3.其他",
    "（七）总计",
    "四、结转下年度继续办理",
]
GROUP_CAPTIONS = {
    "三、本年度办理结果",
    "（三）不予公开",
    "（四）无法提供",
    "（五）不予处理",
    "（六）其他处理",
}


def test_table3_row_labels_are_exact_and_in_order():
    assert [label for label, _, _ in layout.TABLE3_ROWS] == TABLE3_ROWS


def test_table3_has_25_data_rows_without_group_captions():
    assert [
        r for r in TABLE3_ROWS if r not in GROUP_CAPTIONS
    ] == layout.TABLE3_DATA_ROWS
    assert len(layout.TABLE3_DATA_ROWS) == 25


def test_table3_columns_and_headers():
    assert layout.TABLE3_COLUMNS == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert layout.APPLICANT_HEADER == "申请人情况"
    assert layout.ORGANISATIONS == "法人或其他组织"
    assert layout.ORGANISATION_COLUMNS == [
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
    ]
    assert (
        layout.TABLE3_CORNER_NOTE
        == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    )


def test_each_outcome_has_exactly_one_row():
    from requests_app.outcomes import Outcome

    assert sorted(o.value for o in Outcome) == sorted(layout.OUTCOME_ROWS.values())
    assert len(layout.OUTCOME_ROWS) == 21


def test_table2_blocks():
    assert [(b.caption, b.columns, b.rows) for b in layout.TABLE2_BLOCKS] == [
        (
            "第二十条第（一）项",
            ("本年制发件数", "本年废止件数", "现行有效件数"),
            ("规章", "行政规范性文件"),
        ),
        ("第二十条第（五）项", ("本年处理决定数量",), ("行政许可",)),
        ("第二十条第（六）项", ("本年处理决定数量",), ("行政处罚", "行政强制")),
        ("第二十条第（八）项", ("本年收费金额（单位：万元）",), ("行政事业性收费",)),
    ]
    assert layout.CONTENT_HEADER == "信息内容"
    assert len(layout.TABLE2_CELLS) == 10


def test_table4_groups_and_columns():
    assert layout.RECONSIDERATION == "行政复议"
    assert layout.LITIGATION == "行政诉讼"
    assert layout.TABLE4_GROUPS == ("行政复议", "未经复议直接起诉", "复议后起诉")
    assert layout.TABLE4_COLUMNS == (
        "结果维持",
        "结果纠正",
        "其他结果",
        "尚未审结",
        "总计",
    )


def test_section_headings():
    assert [h for _, h in layout.SECTIONS] == [
        "一、总体情况",
        "二、主动公开政府信息情况",
        "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    ]


def test_report_title():
    assert (
        layout.report_title("天元区人民政府", 2013)
        == "天元区人民政府2013年政府信息公开工作年度报告"
    )
