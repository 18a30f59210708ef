"""Demo catalog for ``seed_demo``: a believable district's 主动公开 notices.

Called after ``portal.demo`` (which returns ``context["agencies"]`` and
``context["government"]``). Builds about ``context["notices"]`` notices (default 1,200)
over the seven years before the seeding day (``portal.timeutil.local_today()``: every
date is relative to it, so a demo seeded any day looks maintained) from templates per
department (教育、税费、社保、住房、环保、应急 …), with
发文字号 such as 株天政发〔2024〕12号, joint documents, validity periods (some already
失效, some 尚未生效), 解读 linked to their policies, a few withdrawn notices with their
reason, a few drafts, and small real attachments (PDF, DOCX, TXT generated in memory
and checked/extracted by the same code path as uploads). Plus the seed's 2013 annual
report with its legacy 索引号 ``0122/2016-00001``.

Consistency rules (tests/catalog/test_demo_consistency.py): each genre has its own
body and summary wording; the signature date of a body is its 成文日期; a 批复 is the
区人民政府's (发文字号 株天政函〔…〕); no title carries its year twice; a 解读 states the
policy's own 施行日期; every agency publishes on schedule (``Builder.regular``) so
no column goes stale; every policy has its 解读 except ``UNINTERPRETED`` old ones (left
for the compliance monitor to find, with the ``validity_expired`` documents marked
有效 past their 有效期).

Deterministic for a given seeding day: one seeded ``random.Random``. Rows are written in bulk (the same
normalisers as the services: ``clean_body``, ``normalise_doc_number``, the agency's
索引号 template and counters), then the search text is refreshed once.
"""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.db.models import F, OuterRef, Subquery

from catalog.attachments import inspect_file, store_inspected
from catalog.models import (
    Column,
    Genre,
    IndexCounter,
    Notice,
    NoticeEvent,
    NoticePublisher,
    Theme,
)
from catalog.sanitize import clean_body
from catalog.search import refresh_notice_search
from catalog.services import format_index_number, notice_import_upsert
from portal import timeutil
from portal.validators import normalise_doc_number

BEIJING = ZoneInfo("Asia/Shanghai")
SEED = 20140227
DEMO_DATA = Path(__file__).resolve().parent / "demo_data"

REPORT_2013 = {
    "index_number": "0122/2016-00001",
    "title": "天元区人民政府2013年政府信息公开工作年度报告",
    "published_at": datetime(2014, 2, 27, 0, 0, tzinfo=BEIJING),
}


# --- small real files, generated in memory ----------------------------------------------


def build_pdf(title: str, lines: list[str]) -> bytes:
    """A minimal valid one-page PDF whose Chinese text pypdf can extract.

    Uses the standard CJK font STSong-Light with the UniGB-UCS2-H encoding (readers
    supply the glyphs), so no font file is embedded.
    """

    def hex_text(text: str) -> str:
        return "<" + text.encode("utf-16-be").hex().upper() + ">"

    ops = [
        "BT",
        "/F1 16 Tf",
        "72 770 Td",
        f"{hex_text(title)} Tj",
        "/F1 11 Tf",
        "0 -30 Td",
    ]
    for line in lines:
        ops += [f"{hex_text(line)} Tj", "0 -18 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objects) + 1, xref)
    )
    return out.getvalue()


def build_docx(title: str, paragraphs: list[str]) -> bytes:
    """A minimal valid Word document (the three parts Word needs)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="word/document.xml"/></Relationships>'
    )
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
        for p in [title, *paragraphs]
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document)
    return out.getvalue()


# --- what a district publishes ------------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    subject: str  # e.g. "做好2024年义务教育阶段学校招生入学工作" ({year} is filled in)
    theme: str  # 父类\子类
    keywords: tuple[str, ...]
    column: str = "zcwj"


@dataclass
class Department:
    name: str
    prefix: str  # 发文机关代字
    topics: list[Topic]
    tasks: list[str]  # what any of its notices may commit to (topic-neutral)
    contact: str  # unused: the owner's own 联系电话 (portal.demo) is printed
    partners: list[str] = field(default_factory=list)


def _t(subject: str, theme: str, *keywords: str, column: str = "zcwj") -> Topic:
    return Topic(subject, theme, keywords, column)


# fmt: off
DEPARTMENTS = [
    Department("天元区人民政府", "株天政发", [
        _t("印发《天元区{year}年政府工作报告重点工作任务分解方案》", "综合政务\\政务督查", "政府工作报告", "任务分解"),
        _t("进一步优化营商环境的若干措施", "国民经济管理、国有资产监管\\经济体制改革", "营商环境", "放管服"),
        _t("加快推进乡村振兴的实施意见", "农业、林业、水利\\农业、畜牧业、渔业", "乡村振兴", "农业"),
        _t("调整天元区城乡居民最低生活保障标准", "民政、扶贫、救灾\\社会福利", "低保", "社会救助"),
        _t("印发《天元区突发事件总体应急预案》", "综合政务\\应急管理", "应急预案", "突发事件"),
        _t("加强新时代全民健身工作", "卫生、体育\\体育", "全民健身", "体育设施"),
        _t("{year}年国民经济和社会发展计划执行情况", "国民经济管理、国有资产监管\\宏观经济", "国民经济", "发展计划", column="ghjh"),
        _t("印发《天元区综合交通运输发展规划》", "工业、交通\\公路", "交通规划", "综合交通", column="ghjh"),
    ], ["坚持稳中求进工作总基调", "统筹发展和安全", "推动高质量发展", "保障和改善民生"], ""),
    Department("天元区人民政府办公室", "株天政办发", [
        _t("印发《天元区{year}年政务公开工作要点》", "综合政务\\政务公开", "政务公开", "工作要点"),
        _t("进一步加强政府网站和政务新媒体管理", "综合政务\\电子政务", "政府网站", "政务新媒体"),
        _t("做好{year}年元旦春节期间有关工作", "综合政务\\文秘工作", "元旦", "春节", column="tzgg"),
        _t("开展{year}年政务服务“好差评”工作", "综合政务\\电子政务", "政务服务", "好差评"),
        _t("建立健全12345政务服务便民热线工作机制", "综合政务\\信访", "12345热线", "诉求办理"),
    ], ["加强统筹协调", "强化督查督办", "提升服务效能", "压实工作责任"], "",
       ["天元区发展和改革局"]),
    Department("天元区发展和改革局", "株天发改发", [
        _t("公布{year}年天元区重点建设项目计划", "国民经济管理、国有资产监管\\重大建设项目", "重点项目", "投资", column="ghjh"),
        _t("做好{year}年价格监测和市场保供稳价工作", "国民经济管理、国有资产监管\\物价", "价格监测", "保供稳价"),
        _t("申报{year}年中央预算内投资项目", "国民经济管理、国有资产监管\\宏观经济", "预算内投资", "项目申报", column="tzgg"),
        _t("推进社会信用体系建设", "财政、金融、审计\\社会信用体系建设", "社会信用", "信用修复"),
    ], ["加强统筹协调和综合平衡", "强化要素保障", "提高服务企业和群众水平", "压实部门责任"], "",
       ["天元区财政局"]),
    Department("天元区教育局", "株天教发", [
        _t("做好{year}年义务教育阶段学校招生入学工作", "科技、教育\\教育", "义务教育", "招生", "入学"),
        _t("规范校外培训机构管理", "科技、教育\\教育", "校外培训", "双减"),
        _t("公开招聘{year}年中小学教师", "劳动、人事、监察\\人事工作", "教师招聘", "编制", column="rsxx"),
        _t("做好{year}年学生资助工作", "科技、教育\\教育", "学生资助", "助学金"),
        _t("推进中小学课后服务工作", "科技、教育\\教育", "课后服务", "双减"),
        _t("加强中小学校园安全管理", "科技、教育\\教育", "校园安全", "安全教育"),
        _t("学前教育普惠发展", "科技、教育\\教育", "学前教育", "普惠性幼儿园"),
    ], ["坚持立德树人根本任务", "促进教育公平", "办好人民满意的教育", "压实学校主体责任"],
       "", ["天元区财政局", "天元区人力资源和社会保障局"]),
    Department("天元区财政局", "株天财发", [
        _t("公开天元区{year}年区级部门预算", "财政、金融、审计\\财政", "部门预算", "预算公开", column="czxx"),
        _t("公开天元区{year}年区级决算", "财政、金融、审计\\财政", "决算", "三公经费", column="czxx"),
        _t("落实小微企业和个体工商户税费优惠政策", "财政、金融、审计\\税务", "税费优惠", "小微企业", "税"),
        _t("加强政府采购监督管理", "财政、金融、审计\\财政", "政府采购", "采购意向"),
        _t("规范区级财政专项资金管理", "财政、金融、审计\\财政", "专项资金", "绩效评价"),
        _t("做好契税和耕地占用税减免申报", "财政、金融、审计\\税务", "契税", "耕地占用税", "税"),
    ], ["严格预算约束", "落实过紧日子要求", "强化绩效管理", "依法依规管理财政资金"], "",
       ["天元区人力资源和社会保障局", "天元区发展和改革局"]),
    Department("天元区人力资源和社会保障局", "株天人社发", [
        _t("调整城乡居民基本养老保险缴费档次和补贴标准", "劳动、人事、监察\\社会保障", "养老保险", "缴费档次", "社保"),
        _t("做好{year}年高校毕业生就业创业工作", "劳动、人事、监察\\劳动就业", "就业", "高校毕业生"),
        _t("发放{year}年度一次性吸纳就业补贴", "劳动、人事、监察\\劳动就业", "就业补贴", "稳岗", column="tzgg"),
        _t("根治拖欠农民工工资", "劳动、人事、监察\\劳动就业", "农民工工资", "欠薪"),
        _t("开展职业技能提升行动", "劳动、人事、监察\\劳动就业", "职业技能", "培训补贴"),
        _t("做好{year}年度社会保险缴费基数申报", "劳动、人事、监察\\社会保障", "社保", "缴费基数", column="tzgg"),
    ], ["坚持就业优先", "兜牢民生底线", "提升公共服务水平", "依法维护劳动者合法权益"], "",
       ["天元区财政局"]),
    Department("天元区自然资源局", "株天自然资发", [
        _t("天元区{year}年度土地征收成片开发方案", "国土资源、能源\\土地", "土地征收", "成片开发", column="ghjh"),
        _t("公布{year}年第二批次建设用地征收补偿安置方案", "国土资源、能源\\土地", "征收补偿", "安置", column="tzgg"),
        _t("加强耕地保护和永久基本农田管理", "国土资源、能源\\土地", "耕地保护", "基本农田"),
        _t("规范农村宅基地审批管理", "国土资源、能源\\土地", "宅基地", "农村建房"),
    ], ["严守耕地保护红线", "依法依规用地", "保障群众合法权益", "推进国土空间规划实施"], "",
       ["天元区住房和城乡建设局"]),
    Department("天元区住房和城乡建设局", "株天住建发", [
        _t("做好{year}年公共租赁住房保障工作", "城乡建设、环境保护\\城乡建设（含住房）", "公租房", "住房保障", "住房"),
        _t("推进城镇老旧小区改造", "城乡建设、环境保护\\城乡建设（含住房）", "老旧小区", "改造", "住房"),
        _t("加强建筑施工安全生产管理", "市场监管、安全生产监管\\安全生产监管", "建筑施工", "安全生产"),
        _t("规范住宅专项维修资金使用管理", "城乡建设、环境保护\\城乡建设（含住房）", "维修资金", "物业", "住房"),
        _t("{year}年保障性租赁住房配租结果公示", "城乡建设、环境保护\\城乡建设（含住房）", "保障性租赁住房", "配租", column="tzgg"),
    ], ["坚持以人民为中心", "统筹发展和安全", "压实企业主体责任", "提升城市管理服务水平"],
       "", ["天元区自然资源局", "天元区财政局"]),
    Department("天元区卫生健康局", "株天卫健发", [
        _t("做好{year}年国家基本公共卫生服务项目工作", "卫生、体育\\卫生", "基本公共卫生", "健康档案"),
        _t("推进家庭医生签约服务", "卫生、体育\\卫生", "家庭医生", "签约服务"),
        _t("开展{year}年适龄儿童免疫规划疫苗接种", "卫生、体育\\卫生", "疫苗接种", "免疫规划", column="tzgg"),
        _t("加强医疗机构依法执业监督", "卫生、体育\\医药管理", "医疗机构", "依法执业"),
        _t("落实三孩生育政策及配套支持措施", "人口与计划生育、妇女儿童工作\\人口与计划生育", "三孩", "生育支持"),
    ], ["以基层为重点", "预防为主", "提高基本医疗卫生服务均等化水平", "推动优质医疗资源扩容下沉"], "",
       ["天元区民政局"]),
    Department("天元区市场监督管理局", "株天市监发", [
        _t("{year}年食品安全监督抽检结果", "市场监管、安全生产监管\\食品药品监管", "食品安全", "抽检", column="tzgg"),
        _t("开展“双随机、一公开”联合抽查", "市场监管、安全生产监管\\工商", "双随机", "联合抽查", column="xzxk"),
        _t("公开{year}年行政处罚案件信息", "市场监管、安全生产监管\\工商", "行政处罚", "市场监管", column="xzxk"),
        _t("加强特种设备安全监管", "市场监管、安全生产监管\\质量监督", "特种设备", "安全监管"),
        _t("规范个体工商户登记注册", "市场监管、安全生产监管\\工商", "个体工商户", "登记注册", column="xzxk"),
    ], ["推行信用风险分类监管", "规范行政执法行为", "优化市场准入服务", "守住安全底线"], ""),
    Department("天元区民政局", "株天民发", [
        _t("提高城乡特困人员基本生活标准", "民政、扶贫、救灾\\社会福利", "特困人员", "供养标准"),
        _t("做好临时救助工作", "民政、扶贫、救灾\\社会福利", "临时救助", "社会救助"),
        _t("推进居家和社区养老服务", "民政、扶贫、救灾\\社会福利", "养老服务", "居家养老"),
        _t("{year}年度社会组织年检结果", "民政、扶贫、救灾\\社团管理", "社会组织", "年检", column="tzgg"),
        _t("规范地名管理和标准地名使用", "民政、扶贫、救灾\\行政区划与地名", "地名", "标准地名"),
    ], ["兜住兜准兜好民生底线", "提升基层民政服务能力", "加强政策宣传", "压实属地责任"],
       "", ["天元区财政局"]),
    Department("天元区应急管理局", "株天应急发", [
        _t("做好{year}年防汛抗旱工作", "综合政务\\应急管理", "防汛", "抗旱", "应急"),
        _t("开展安全生产大检查", "市场监管、安全生产监管\\安全生产监管", "安全生产", "隐患排查", "应急"),
        _t("加强森林防灭火工作", "农业、林业、水利\\林业", "森林防火", "应急"),
        _t("印发《天元区自然灾害救助应急预案》", "民政、扶贫、救灾\\减灾救灾", "自然灾害", "应急预案", "应急"),
        _t("{year}年汛期地质灾害气象风险预警", "城乡建设、环境保护\\气象、水文、测绘、地震", "地质灾害", "预警", column="tzgg"),
    ], ["坚持人民至上、生命至上", "压实安全生产责任", "提升防灾减灾救灾能力", "强化应急值守"], "",
       ["天元区住房和城乡建设局"]),
    Department("天元区生态环境分局", "株天环发", [
        _t("打好{year}年蓝天保卫战", "城乡建设、环境保护\\环境监测、保护与治理", "大气污染防治", "蓝天保卫战", "环保"),
        _t("{year}年重点排污单位名录", "城乡建设、环境保护\\环境监测、保护与治理", "重点排污单位", "排污许可", "环保", column="tzgg"),
        _t("加强湘江天元段水生态环境保护", "城乡建设、环境保护\\环境监测、保护与治理", "湘江保护", "水环境", "环保"),
        _t("建设项目环境影响评价文件审批结果", "城乡建设、环境保护\\环境监测、保护与治理", "环评", "审批", "环保", column="xzxk"),
        _t("推进节能降碳和资源综合利用", "城乡建设、环境保护\\节能与资源综合利用", "节能", "降碳", "环保"),
    ], ["坚持精准治污、科学治污、依法治污", "持续改善环境质量", "严格环境准入", "落实生态环境保护责任"],
       "", ["天元区自然资源局"]),
]
TOWNSHIP_TOPICS = [
    _t("{year}年城乡低保对象名单公示", "民政、扶贫、救灾\\社会福利", "低保", "公示", column="tzgg"),
    _t("做好{year}年度征兵工作", "国防\\国防动员", "征兵", "兵役登记", column="tzgg"),
    _t("开展农村人居环境整治", "城乡建设、环境保护\\环境监测、保护与治理", "人居环境", "环境整治"),
    _t("{year}年农村宅基地审批结果公示", "国土资源、能源\\土地", "宅基地", "公示", column="tzgg"),
    _t("做好{year}年防汛备汛工作", "综合政务\\应急管理", "防汛", "应急"),
    _t("{year}年度财政预算公开", "财政、金融、审计\\财政", "预算", "财政", column="czxx"),
]
TOWNSHIP_TASKS = ["压实村（社区）两委责任", "做到应保尽保", "公开公平公正", "接受群众监督"]

# 撤回 (taken down): (reason category, internal note). A repealed document is not
# withdrawn: it stays public and its 有效性 says 已废止.
WITHDRAW_REASONS = [
    ("duplicate", "与已发布的信息重复"),
    ("mistake", "文中数据有误，已更正后重新发布"),
    ("personal_data", "公示名单涉及个人信息，已作去标识化处理后重新发布"),
    ("not_public", "经保密审查不应公开，予以撤回"),
]
PLACES = ["嵩山路街道", "泰山路街道", "栗雨街道", "群丰镇", "雷打石镇", "马家河街道", "三门镇"]

# (genre, weight, needs a 发文字号)
GENRE_WEIGHTS = [
    ("通知", 36, True), ("公告", 8, False), ("通告", 4, True), ("意见", 8, True), ("决定", 2, True),
    ("行政规范性文件", 9, True), ("办法", 4, True), ("规定", 2, True), ("方案", 7, True), ("规划", 3, True),
    ("公示", 7, False), ("报告", 3, False), ("批复", 2, True), ("函", 2, True), ("纪要", 1, False),
    ("通报", 2, True),
]
# years before the seeding year → weight (0: the seeding year, up to the seeding day)
YEAR_WEIGHTS = {7: 8, 6: 10, 5: 12, 4: 13, 3: 14, 2: 15, 1: 16, 0: 12}
# fmt: on
GENRES = [g for g, _, _ in GENRE_WEIGHTS]
GENRE_WEIGHT_LIST = [w for _, w, _ in GENRE_WEIGHTS]
NEEDS_NUMBER = {g: n for g, _, n in GENRE_WEIGHTS}
# Builder.regular(): kind → (column, theme, keywords, genre)
SCHEDULED = {
    "budget": ("czxx", "财政、金融、审计\\财政", ("预算公开", "财政预算"), "公告"),
    "accounts": ("czxx", "财政、金融、审计\\财政", ("决算公开", "三公经费"), "公告"),
    "hiring": ("rsxx", "劳动、人事、监察\\人事工作", ("公开招聘", "编外人员"), "公告"),
    "hired": ("rsxx", "劳动、人事、监察\\人事工作", ("拟聘用人员", "公开招聘"), "公示"),
    "plan": (
        "ghjh",
        "国民经济管理、国有资产监管\\宏观经济",
        ("国民经济", "发展计划"),
        "报告",
    ),
}
# policies that get a 解读 (disclosure.compliance.policy_genres' default)
POLICY_GENRES = ("行政规范性文件", "办法", "规定", "意见", "方案")
# older policies left without their 解读: what the compliance monitor finds
UNINTERPRETED = 3


@dataclass
class Draft:
    """A notice to be written, with everything decided."""

    owner: object
    publishers: list
    title: str
    genre: str
    theme: str
    column: str
    keywords: list[str]
    body: str
    summary: str
    published_at: datetime
    written_date: date
    doc_number: str = ""
    validity: str = Notice.Validity.EFFECTIVE
    valid_from: date | None = None
    valid_until: date | None = None
    status: str = Notice.Status.PUBLISHED
    withdrawn_reason: str = ""
    withdrawn_category: str = ""
    interprets: int | None = None  # index of the policy this 解读 explains
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    index_number: str | None = None
    scheduled: bool = False  # Builder.regular(): never withdrawn or turned into a draft


class Builder:
    def __init__(self, agencies: dict, government, last_day: date):
        self.rng = random.Random(SEED)  # noqa: S311 - deterministic demo data, not security
        self.agencies = agencies
        self.government = government
        self.last_day = last_day
        self.serials: dict[tuple[str, int], int] = {}

    # -- pieces --

    def moment(self, year: int) -> datetime:
        start = date(year, 1, 3)
        end = min(date(year, 12, 28), self.last_day)
        day = start + timedelta(days=self.rng.randrange(max(1, (end - start).days)))
        return self.moment_on(day)

    def moment_on(self, day: date) -> datetime:
        """A working-hours moment on ``day`` (a weekend moves back to Friday)."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime(
            day.year,
            day.month,
            day.day,
            self.rng.choice([9, 10, 11, 15, 16, 17]),
            self.rng.choice([0, 10, 20, 30, 40, 50]),
            tzinfo=BEIJING,
        )

    def doc_number(self, prefix: str, year: int, genre: str) -> str:
        if genre == "函" or genre == "批复":
            prefix = prefix.removesuffix("发") + "函"
        key = (prefix, year)
        self.serials[key] = self.serials.get(key, 0) + self.rng.randint(1, 4)
        return normalise_doc_number(f"{prefix}〔{year}〕{self.serials[key]}号")

    def title(
        self,
        agency_name: str,
        subject: str,
        genre: str,
        year: int,
        asker: str = "",
        asked_in: int = 12,
    ) -> str:
        subject = subject.format(year=year)
        if genre != "意见":
            subject = subject.removesuffix("的实施意见")
        subject = subject.removesuffix("的若干措施") if genre != "通知" else subject
        core = _core(subject, year)
        if subject.startswith("印发《"):
            return f"{agency_name}关于{subject}的通知"
        if genre in ("公示",) or subject.endswith(("公示", "结果", "名录", "预警")):
            return (
                f"{agency_name}关于{subject.removesuffix('公示')}的公示"
                if genre == "公示"
                else f"{agency_name}{subject}"
            )
        if genre in ("行政规范性文件", "办法", "规定"):
            noun = {
                "行政规范性文件": "管理办法",
                "办法": "实施办法",
                "规定": "若干规定",
            }[genre]
            if core.endswith(noun[:2]):
                noun = noun[2:]
            return f"{agency_name}关于印发《天元区{core}{noun}》的通知"
        if genre == "方案":
            return f"{agency_name}关于印发《天元区{core}工作方案》的通知"
        if genre == "规划":
            return f"天元区{core.removeprefix('天元区')}（{year}—{year + 4}年）"
        if genre == "意见":
            return f"{agency_name}关于{subject.removesuffix('的实施意见')}的实施意见"
        if genre in ("报告", "通报") and not subject.startswith(str(year)):
            year = _work_year(genre, year, asked_in)
        if genre == "报告":
            if core.endswith("情况"):
                return f"{agency_name}关于{year}年{core}的报告"
            return f"{agency_name}关于{year}年{core}工作情况的报告"
        if genre == "批复":
            return f"天元区人民政府关于同意{asker.removeprefix('天元区')}{core}有关事项的批复"
        if genre == "纪要":
            return f"{agency_name}{core}专题会议纪要"
        if genre == "通报":
            return f"{agency_name}关于{year}年{core}工作情况的通报"
        return f"{agency_name}关于{subject}的{genre}"

    def announcement(
        self, subject: str, agency_name: str, moment: datetime, contact: str, genre: str
    ) -> str:
        """Body of a 公示 / 公告 / 通告: the facts, the period, and how to object."""
        rng = self.rng
        word = {"公示": "公示", "公告": "公告", "通告": "通告"}.get(genre, "公布")
        places = rng.sample(PLACES, k=4)
        if any(w in subject for w in ("抽检", "抽查", "检查", "处罚", "许可", "审批")):
            rows = [
                f"{i + 1}. {place}：检查（办理）{rng.randint(3, 60)} 家（件），"
                f"发现问题 {rng.randint(0, 6)} 个，均已依法处理"
                for i, place in enumerate(places)
            ]
        elif any(w in subject for w in ("名单", "名录", "年检")):
            rows = [
                f"{i + 1}. {place}：{rng.randint(2, 40)} 家（户）"
                for i, place in enumerate(places)
            ]
        elif any(
            w in subject for w in ("低保", "配租", "宅基地", "补偿", "补贴", "资助")
        ):
            rows = [
                f"{i + 1}. {place}：{rng.randint(2, 60)} 户（个），涉及金额 {rng.randint(1, 90)}.{rng.randint(0, 9)} 万元"
                for i, place in enumerate(places)
            ]
        else:
            rows = [
                f"1. 时间安排：自{_cn(moment.date())}起，至{_cn((moment + timedelta(days=30)).date())}止。",
                f"2. 适用范围：{'、'.join(places[:3])}等街道（镇）辖区内的单位和个人。",
                f"3. 办理方式：到{agency_name}或所在街道（镇）便民服务中心现场办理，也可电话咨询。",
            ]
        end = moment + timedelta(days=9)
        return "\n".join(
            [
                f"根据国家、省、市有关规定，现将{subject}有关情况予以{word}：",
                "一、基本情况",
                *rows,
                f"二、{word}期限",
                f"{_cn(moment.date())}至{_cn(end.date())}（7个工作日）。",
                "三、意见反馈",
                f"{word}期间，如有异议，请以书面形式或拨打电话向我单位反映，反映情况应实事求是。联系电话：{contact}",
                agency_name,
                _cn(moment.date()),
            ]
        )

    def body(
        self,
        d: Draft,
        *,
        recipients: str,
        subject: str,
        core: str,
        tasks: list[str],
        contact: str,
        asker: str,
    ) -> str:
        """The text of a document of genre ``d.genre``, signed on its 成文日期."""
        rng = self.rng
        signed = _cn(d.written_date)
        signature = [*(p.name for p in d.publishers), signed]
        kw = d.keywords
        place = rng.choice(PLACES)
        n = [rng.randint(3, 98) for _ in range(3)]
        year = _work_year(d.genre, d.written_date.year, d.written_date.month)
        chosen = [
            *rng.sample(tasks, k=2),
            f"聚焦{kw[0]}重点环节",
            f"完善{kw[1]}工作机制",
        ]
        if d.genre in ("行政规范性文件", "办法", "规定"):
            noun = {"行政规范性文件": "办法", "办法": "办法", "规定": "规定"}[d.genre]
            if d.valid_from:
                start = f"自{_cn(d.valid_from)}起施行"
            else:
                start = "自印发之日起施行"
            until = f"，有效期至{_cn(d.valid_until)}" if d.valid_until else ""
            return "\n".join(
                [
                    f"{recipients}：",
                    f"现将《{_named(d.title)}》印发给你们，请认真贯彻执行。",
                    "第一条 为规范本区"
                    + core
                    + "工作，根据有关法律、法规和规章，结合本区实际，制定本"
                    + noun
                    + "。",
                    f"第二条 本{noun}适用于天元区行政区域内的{kw[0]}相关工作。",
                    f"第三条 {d.owner.name}负责本{noun}的组织实施，各街道（镇）和区直有关单位按照职责分工做好相关工作。",
                    f"第四条 {kw[0]}工作应当{chosen[0]}、{chosen[2]}，有关办理结果依法主动公开。",
                    f"第五条 对违反本{noun}规定的，由有关部门依法依规处理。",
                    f"第六条 本{noun}{start}{until}。",
                    *signature,
                ]
            )
        if d.genre == "批复":
            return "\n".join(
                [
                    f"{asker}：",
                    f"你单位《关于{core}有关事项的请示》收悉。经区人民政府研究，现批复如下：",
                    f"一、原则同意你单位提出的{core}有关事项。",
                    f"二、请严格按照有关规定组织实施，{chosen[0]}，所需经费按规定渠道解决。",
                    "三、实施中的重大情况及时向区人民政府报告。",
                    "此复。",
                    *signature,
                ]
            )
        if d.genre == "函":
            return "\n".join(
                [
                    "区直有关单位：",
                    f"为做好{core}工作，现就有关事项函告如下：",
                    f"一、请于{_cn(d.written_date + timedelta(days=15))}前反馈本单位{kw[0]}有关情况。",
                    f"二、请明确一名联系人，{chosen[2]}。",
                    f"联系电话：{contact}",
                    *signature,
                ]
            )
        if d.genre == "纪要":
            return "\n".join(
                [
                    f"{signed}，{d.owner.name}主要负责同志主持召开专题会议，研究{core}有关工作。会议纪要如下：",
                    f"一、会议听取了{kw[0]}工作进展情况的汇报，认为前一阶段工作总体有序推进。",
                    f"二、会议要求，{chosen[0]}，{chosen[3]}，{rng.randint(1, 4)}个月内完成阶段性任务。",
                    f"三、会议明确，{kw[1]}有关问题由相关股室牵头研究，提出具体意见后报会议审定。",
                    *signature,
                ]
            )
        if d.genre in ("报告", "通报"):
            lead = (
                "现将有关情况报告如下。"
                if d.genre == "报告"
                else "现将有关情况通报如下。"
            )
            return "\n".join(
                [
                    f"{('天元区人大常委会' if d.owner.kind == 'government' else '天元区人民政府') if d.genre == '报告' else recipients}：",
                    f"{year}年，{d.owner.name}围绕{core}，{chosen[0]}，各项工作有序推进。{lead}",
                    "一、工作开展情况",
                    f"全年共开展{kw[0]}相关工作{n[0]}项，覆盖{place}等街道（镇）；{chosen[2]}，办结率达到{90 + n[1] % 10}%。",
                    "二、存在的问题",
                    f"部分单位对{kw[1]}工作重视程度不够，工作进度不平衡。",
                    "三、下一步工作" if d.genre == "报告" else "三、有关要求",
                    f"{chosen[1]}，{chosen[3]}，推动{core}工作取得新成效。",
                    *signature,
                ]
            )
        if d.genre == "规划":
            return "\n".join(
                [
                    "第一章 发展基础",
                    f"近年来，全区{kw[0]}工作取得积极进展，{place}等地形成了可复制的经验。",
                    "第二章 总体要求",
                    f"规划期为{year}—{year + 4}年。坚持{chosen[0]}，到{year + 4}年，{kw[0]}和{kw[1]}主要指标达到全市先进水平。",
                    "第三章 主要任务",
                    f"（一）{chosen[2]}。（二）{chosen[3]}。（三）建设{n[2]}个重点项目。",
                    "第四章 保障措施",
                    f"加强组织领导，{chosen[1]}，区直有关单位每年对照规划开展评估。",
                    *signature,
                ]
            )
        opening = {
            "意见": f"为{chosen[0]}，推动{core}工作，现提出如下实施意见。",
            "方案": f"为{chosen[0]}，扎实推进{core}工作，制定本方案。",
            "决定": f"为{chosen[0]}，经区人民政府研究，决定开展{core}工作。",
            "通告": f"为{chosen[0]}，根据有关法律法规，现就{core}有关事项通告如下。",
        }.get(
            d.genre,
            f"为深入贯彻落实上级有关决策部署，{chosen[0]}，现就{subject}有关事项通知如下。",
        )
        heads = {
            "方案": ("一、工作目标", "二、实施步骤", "三、工作要求"),
            "意见": ("一、总体要求", "二、重点任务", "三、组织保障"),
        }.get(d.genre, ("一、总体要求", "二、主要任务", "三、保障措施"))
        if d.genre == "方案":
            steps = [
                f"（一）动员部署阶段（{_cn(d.written_date + timedelta(days=20))}前）：制定具体措施，明确责任人。",
                f"（二）组织实施阶段：{chosen[2]}，在{place}先行试点，计划完成{n[2]}个示范点建设。",
                "（三）总结评估阶段：年底前形成工作总结报区人民政府。",
            ]
        else:
            steps = [
                f"（一）明确责任分工。各街道（镇）、区直各有关单位要结合实际制定具体措施，{chosen[2]}，"
                f"于每月{n[1] % 25 + 1}日前报送工作进展。",
                f"（二）强化示范引领。在{place}先行试点，总结推广可复制的经验做法，全区计划完成{n[2]}个以上示范点建设。",
                f"（三）加强信息公开。及时通过区人民政府门户网站公开{kw[0]}相关政策文件、办事指南和办理结果，接受社会监督。",
            ]
        return "\n".join(
            [
                f"{recipients}：",
                opening,
                heads[0],
                f"{chosen[1]}，{chosen[3]}，力争到{year + 1}年底全区{kw[0]}工作取得明显成效，群众满意度达到{90 + n[0] % 9}%以上。",
                heads[1],
                *steps,
                heads[2],
                "各单位要高度重视，主要负责同志亲自抓，分管负责同志具体抓；区财政按规定统筹安排工作经费；"
                "区政府督查室将适时开展督查，对工作不力的单位予以通报。",
                f"联系电话：{contact}",
                *signature,
            ]
        )

    def summary(self, d: Draft, core: str, asker: str) -> str:
        """One sentence in the genre's own words (never one formula for all)."""
        who = d.owner.short_name or d.owner.name
        kw = d.keywords
        year = _work_year(d.genre, d.written_date.year, d.written_date.month)
        if d.genre in ("行政规范性文件", "办法", "规定"):
            start = (
                f"自{_cn(d.valid_from)}起施行" if d.valid_from else "自印发之日起施行"
            )
            return f"规定{core}的适用范围、职责分工和管理要求，{start}。"
        options = {
            "通知": [
                f"{who}部署{core}工作，明确{kw[0]}、{kw[1]}等方面的任务分工和完成时限。",
                f"就{core}提出工作要求，各街道（镇）和区直有关单位按通知抓好落实。",
                f"通知明确{kw[0]}工作的责任单位、报送时间和联系人。",
            ],
            "意见": [f"从总体要求、重点任务和组织保障三个方面，提出{core}的实施意见。"],
            "方案": [f"明确{core}的工作目标、实施步骤和责任分工，分三个阶段组织实施。"],
            "决定": [f"{who}决定开展{core}工作，并明确职责分工。"],
            "通告": [f"就{core}有关事项向社会通告，请相关单位和个人遵照执行。"],
            "公告": [
                f"公告{core}有关情况，并告知意见反馈方式和期限。",
                f"{who}发布{kw[0]}有关事项公告，公告期 7 个工作日。",
            ],
            "公示": [f"公示{core}情况，公示期 7 个工作日，期间可书面提出异议。"],
            "报告": [f"报告{year}年{core}工作开展情况、存在问题和下一步工作。"],
            "通报": [f"通报{year}年{core}工作情况，指出存在问题并提出有关要求。"],
            "批复": [
                f"区人民政府原则同意{asker.removeprefix('天元区')}提出的{core}有关事项。"
            ],
            "函": [f"就{core}有关事项函告区直有关单位，请按时反馈。"],
            "纪要": [f"记录专题会议研究{core}工作时议定的事项。"],
            "规划": [f"提出{year}—{year + 4}年{kw[0]}的发展目标、主要任务和保障措施。"],
        }[d.genre]
        return self.rng.choice(options)

    # -- the plan --

    def make(
        self,
        *,
        owner,
        topic: Topic,
        genre: str,
        moment: datetime,
        prefix: str,
        tasks: list[str],
        recipients: str,
        partners: list[str],
        joint: bool = False,
        column: str = "",
    ) -> Draft:
        """One notice of ``owner`` on ``topic``, every text derived from the same facts."""
        rng = self.rng
        year = moment.year
        asker = ""
        publishers = [owner]
        if genre == "批复":
            # a 批复 is the 区人民政府's answer to a 请示 of one of its units
            asker, owner, publishers = owner.name, self.government, [self.government]
            prefix = DEPARTMENTS[0].prefix
        elif joint and partners:
            for name in rng.sample(partners, k=rng.randint(1, len(partners))):
                if name in self.agencies and self.agencies[name] not in publishers:
                    publishers.append(self.agencies[name])
        agency_label = "、".join(p.name for p in publishers)
        subject = topic.subject.format(year=year)
        title = _tidy_title(
            self.title(agency_label, topic.subject, genre, year, asker, moment.month)
        )
        keywords = list(topic.keywords)
        column = column or topic.column
        if genre in ("公告", "公示", "通告") and column == "zcwj":
            column = "tzgg"
        elif genre in ("规划", "方案") and column == "zcwj":
            column = "ghjh"
        elif genre in ("报告", "纪要", "批复", "函") and column == "zcwj":
            column = "qtxx"
        announcement = genre in ("公示", "公告", "通告")
        # 成文日期: the day it was signed, in the same year, a few days before publication
        # (a 公示 / 公告 is signed on the day it is posted)
        written = moment.date()
        if not announcement:
            written = max(written - timedelta(days=rng.randint(0, 9)), date(year, 1, 2))
        draft = Draft(
            owner=owner,
            publishers=publishers,
            title=title,
            genre=genre,
            theme=topic.theme,
            column=column,
            keywords=keywords,
            body="",
            published_at=moment,
            summary="",
            written_date=written,
            doc_number=self.doc_number(prefix, year, genre)
            if NEEDS_NUMBER[genre] and rng.random() < 0.9
            else "",
        )
        self.validity(draft)
        core = _core(subject, year)
        contact = owner.phone or "0731-28112345"
        if announcement:
            draft.body = self.announcement(
                _strip_verb(subject), owner.name, moment, contact, genre
            )
        else:
            draft.body = self.body(
                draft,
                recipients=f"{asker}" if asker else recipients,
                subject=_strip_verb(subject),
                core=core,
                tasks=tasks,
                contact=contact,
                asker=asker,
            )
        draft.summary = self.summary(draft, core, asker)
        return draft

    def source(self, owner):
        """(topics, prefix, tasks, recipients, partners) of an agency."""
        for dept in DEPARTMENTS:
            if dept.name == owner.name:
                return (
                    dept.topics,
                    dept.prefix,
                    dept.tasks,
                    "各街道办事处、镇人民政府，区直各有关单位",
                    dept.partners,
                )
        prefix = (
            f"{owner.short_name[:1] or '天'}{'政' if '镇' in owner.name else '街'}发"
        )
        return (
            TOWNSHIP_TOPICS,
            prefix,
            TOWNSHIP_TASKS,
            "各村（社区）、镇（街道）各办（站、所）",
            [],
        )

    def pick_genre(self, topic: Topic) -> str:
        rng = self.rng
        genre = rng.choices(GENRES, weights=GENRE_WEIGHT_LIST)[0]
        if genre == "规划" and (topic.column != "ghjh" or "规划" not in topic.subject):
            genre = "通知"
        if genre == "公示" and not any(
            w in topic.subject for w in ("公示", "结果", "名单", "名录")
        ):
            genre = "公告"
        if topic.column in ("tzgg", "xzxk", "czxx", "rsxx") and genre not in (
            "公告",
            "公示",
            "通知",
            "通告",
        ):
            genre = (
                "公示" if "公示" in topic.subject or "结果" in topic.subject else "通知"
            )
        return genre

    def plan(self, count: int) -> list[Draft]:
        rng = self.rng
        departments = [d for d in DEPARTMENTS if d.name in self.agencies]
        townships = [a for a in self.agencies.values() if a.kind == "township"]
        offsets = list(YEAR_WEIGHTS)
        drafts = self.regular()
        # about one notice in five is a policy that gets its 解读
        target = max(len(drafts), round(count / 1.2))
        while len(drafts) < target:
            offset = rng.choices(offsets, weights=list(YEAR_WEIGHTS.values()))[0]
            year = self.last_day.year - offset
            if date(year, 1, 10) > self.last_day:
                continue
            if townships and rng.random() < 0.12:
                owner = rng.choice(townships)
            else:
                owner = self.agencies[rng.choice(departments).name]
            topics, prefix, tasks, recipients, partners = self.source(owner)
            topic = rng.choice(topics)
            drafts.append(
                self.make(
                    owner=owner,
                    topic=topic,
                    genre=self.pick_genre(topic),
                    moment=self.moment(year),
                    prefix=prefix,
                    tasks=tasks,
                    recipients=recipients,
                    partners=partners,
                    joint=rng.random() < 0.07,
                )
            )
        drafts.sort(key=lambda d: d.published_at)
        self.add_interpretations(drafts)
        self.add_withdrawals_and_drafts(drafts)
        self.add_attachments(drafts)
        return drafts

    def regular(self) -> list[Draft]:
        """What every agency publishes on schedule, so no column of the compliance
        monitor goes stale whatever the seeding day: 部门预算 (2月) and 决算 (8月),
        a 招聘公告 (4月) and its 拟聘用人员公示 (10月), the government's 国民经济和社会发展
        计划 (1月), and in the last weeks a 通知 and a 公告 of each agency."""
        out: list[Draft] = []
        today = self.last_day
        for i, owner in enumerate(self.agencies.values()):
            topics, prefix, tasks, recipients, partners = self.source(owner)
            kwargs = {
                "owner": owner,
                "prefix": prefix,
                "tasks": tasks,
                "recipients": recipients,
                "partners": partners,
            }
            fiscal = "部门" if owner.kind == "department" else "财政"
            for year in (today.year - 1, today.year):
                yearly = [
                    (
                        date(year, 2, 10 + i % 10),
                        "budget",
                        f"{{year}}年{fiscal}预算公开",
                    ),
                    (
                        date(year, 8, 12 + i % 10),
                        "accounts",
                        f"{year - 1}年{fiscal}决算公开",
                    ),
                    (
                        date(year, 4, 8 + i % 10),
                        "hiring",
                        "{year}年公开招聘编外合同制工作人员",
                    ),
                    (
                        date(year, 10, 9 + i % 10),
                        "hired",
                        "{year}年公开招聘编外合同制工作人员拟聘用人员公示",
                    ),
                ]
                if owner.kind == "government":
                    yearly.append(
                        (
                            date(year, 1, 20),
                            "plan",
                            f"{year - 1}年国民经济和社会发展计划执行情况",
                        )
                    )
                for day, kind, subject in yearly:
                    if day > today:
                        continue
                    column, theme, keywords, genre = SCHEDULED[kind]
                    draft = self.make(
                        topic=Topic(subject, theme, keywords, column),
                        genre=genre,
                        moment=self.moment_on(day),
                        column=column,
                        **kwargs,
                    )
                    if kind != "plan":
                        draft.body = self.scheduled_body(kind, draft)
                        draft.summary = {
                            "budget": f"{owner.name}{year}年{fiscal}预算：收支总体情况和“三公”经费预算。",
                            "accounts": f"{owner.name}{year - 1}年{fiscal}决算：收支执行情况和“三公”经费支出。",
                            "hiring": "招聘岗位、报名条件、报名时间和考试聘用办法。",
                            "hired": "拟聘用人数、公示期和异议反映方式。",
                        }[kind]
                    draft.scheduled = True
                    out.append(draft)
            # the last weeks: a 公告 and a 通知
            notices = [t for t in topics if t.column == "zcwj"]
            posts = [t for t in topics if t.column == "tzgg"] or notices
            recent = [
                (
                    today - timedelta(days=3 + (5 * i) % 30),
                    self.rng.choice(posts),
                    "公告",
                ),
                (
                    today - timedelta(days=10 + (7 * i) % 60),
                    self.rng.choice(notices),
                    "通知",
                ),
            ]
            for day, topic, genre in recent:
                draft = self.make(
                    topic=topic, genre=genre, moment=self.moment_on(day), **kwargs
                )
                draft.scheduled = True
                out.append(draft)
        # a 批复 of the 区人民政府 to one of its departments' 请示, a month ago
        asker = self.agencies.get(DEPARTMENTS[2].name)
        if asker is not None:
            topics, prefix, tasks, recipients, partners = self.source(asker)
            draft = self.make(
                owner=asker,
                topic=topics[0],
                genre="批复",
                moment=self.moment_on(today - timedelta(days=30)),
                prefix=prefix,
                tasks=tasks,
                recipients=recipients,
                partners=partners,
            )
            draft.scheduled = True
            out.append(draft)
        return out

    def scheduled_body(self, kind: str, d: Draft) -> str:
        rng = self.rng
        name, year = d.owner.name, d.written_date.year
        phone = d.owner.phone or "0731-28112345"
        if kind in ("budget", "accounts"):
            income = rng.randint(800, 60000)
            spend = income - rng.randint(0, 300)
            what = "预算" if kind == "budget" else "决算"
            of_year = year if kind == "budget" else year - 1
            return "\n".join(
                [
                    f"根据《中华人民共和国预算法》和区财政局关于{what}公开的要求，现将{name}{of_year}年{what}予以公开。",
                    "一、基本情况",
                    f"{name}{'为区人民政府工作部门' if d.owner.kind == 'department' else '为一级预算单位'}，"
                    f"纳入本次{what}编报范围的单位 {rng.randint(1, 6)} 个。",
                    f"二、收支{what}总体情况",
                    f"收入{what} {income} 万元，支出{what} {spend} 万元，其中基本支出 {spend * 6 // 10} 万元、项目支出 {spend - spend * 6 // 10} 万元。",
                    "三、“三公”经费",
                    f"“三公”经费{what} {rng.randint(2, 40)}.{rng.randint(0, 9)} 万元，其中因公出国（境）费 0 万元。",
                    f"联系电话：{phone}",
                    name,
                    _cn(d.written_date),
                ]
            )
        if kind == "hiring":
            places = rng.randint(2, 8)
            end = d.written_date + timedelta(days=14)
            return "\n".join(
                [
                    f"因工作需要，经研究，{name}面向社会公开招聘编外合同制工作人员 {places} 名。",
                    "一、招聘条件",
                    "具有中华人民共和国国籍，遵守宪法和法律，品行端正，身体健康，具有大专及以上学历。",
                    "二、报名时间和方式",
                    f"{_cn(d.written_date)}至{_cn(end)}，报名者携带身份证和学历证书原件到{d.owner.address or '本单位'}现场报名。",
                    "三、考试和聘用",
                    "采取笔试和面试相结合的方式，按综合成绩从高分到低分确定体检和考察人选，考察合格的予以聘用。",
                    f"咨询电话：{phone}",
                    name,
                    _cn(d.written_date),
                ]
            )
        end = d.written_date + timedelta(days=9)
        return "\n".join(
            [
                f"经笔试、面试、体检和考察，{name}{year}年公开招聘编外合同制工作人员拟聘用 {rng.randint(2, 8)} 人，"
                "名单已在本单位公示栏张贴（按规定不在网上公开个人信息）。",
                f"公示期：{_cn(d.written_date)}至{_cn(end)}（7个工作日）。",
                f"公示期间，如有异议，请以书面形式向{name}反映，联系电话：{phone}。",
                name,
                _cn(d.written_date),
            ]
        )

    def validity(self, draft: Draft) -> None:
        """有效性 chosen so that table 二 of the annual reports adds up year over year
        (现行有效 = last year's + 本年制发 − 本年废止): a 行政规范性文件 is in force on
        12月31日 of the year it was signed (施行日期 no later than that day) unless it was
        repealed; only this year's documents may be 尚未生效."""
        rng = self.rng
        written = draft.written_date
        start = draft.published_at.date() + timedelta(days=rng.choice([0, 15, 30]))
        if draft.genre in ("行政规范性文件", "办法", "规定"):
            start = min(start, date(written.year, 12, 31))
            draft.valid_from = start
            draft.valid_until = date(
                start.year + rng.choice([2, 3, 5]), start.month, 1
            ) - timedelta(days=1)
            roll = rng.random()
            if roll < 0.08:
                draft.validity = Notice.Validity.REPEALED
            elif roll < 0.14:
                draft.validity = Notice.Validity.AMENDED
        elif draft.genre in ("意见", "方案", "决定") and rng.random() < 0.35:
            draft.valid_from = start
            if rng.random() < 0.5:
                draft.valid_until = date(start.year + rng.choice([1, 2, 3]), 12, 31)
        if (
            written.year == self.last_day.year
            and draft.published_at.date() >= self.last_day - timedelta(days=120)
            and draft.genre in POLICY_GENRES
        ):
            # issued recently, in force from next year: shows 尚未生效
            draft.valid_from = date(self.last_day.year + 1, 1, 1)
            draft.valid_until = date(self.last_day.year + 6, 12, 31)
            draft.validity = Notice.Validity.NOT_YET

    def add_interpretations(self, drafts: list[Draft]) -> None:
        """Every policy gets its 解读 an hour after it, except ``UNINTERPRETED`` older
        ones, left as what the compliance monitor finds (政策文件未同步解读)."""
        policies = [i for i, d in enumerate(drafts) if d.genre in POLICY_GENRES]
        old = [
            i
            for i in policies
            if drafts[i].published_at.date() < self.last_day - timedelta(days=400)
        ]
        skipped = set(self.rng.sample(old, k=min(UNINTERPRETED, len(old))))
        for index in policies:
            if index in skipped:
                continue
            policy = drafts[index]
            moment = policy.published_at + timedelta(hours=1)
            core = (
                policy.title.split("《")[-1].split("》")[0]
                if "《" in policy.title
                else policy.title
            )
            published = policy.published_at.date()
            if policy.valid_from and policy.valid_from > published:
                start = f"自{_cn(policy.valid_from)}起施行"
            else:
                start = "自印发之日起施行"
            if policy.valid_until:
                start += f"，有效期至{_cn(policy.valid_until)}"
            background = self.rng.choice(
                [
                    f"为贯彻落实上级有关部署，{policy.owner.name}起草了《{core}》，经审议通过后印发。",
                    f"近年来，全区{policy.keywords[0]}工作面临新的情况和要求，有必要出台《{core}》予以规范。",
                    f"《{core}》是{policy.owner.name}在广泛征求意见、开展合法性审查的基础上制定的。",
                ]
            )
            body = "\n".join(
                [
                    "一、出台背景",
                    background,
                    "二、主要内容",
                    f"文件重点围绕{'、'.join(policy.keywords[:2])}作出安排，明确了责任分工和工作要求。",
                    "三、适用范围和施行时间",
                    f"本文件适用于天元区行政区域内的{policy.keywords[0]}相关工作，{start}。",
                    "四、政策咨询",
                    f"如有疑问，请在工作日拨打{policy.owner.phone or '文件所列联系电话'}咨询。",
                ]
            )
            drafts.append(
                Draft(
                    owner=policy.owner,
                    publishers=[policy.owner],
                    title=f"《{core}》政策解读",
                    genre="解读",
                    theme=policy.theme,
                    column="zcjd",
                    keywords=[*policy.keywords, "政策解读"],
                    body=body,
                    summary=self.rng.choice(
                        [
                            f"对《{core}》的出台背景、主要内容和施行时间进行解读。",
                            f"解读《{core}》：为什么出台、规定了什么、从何时起施行。",
                        ]
                    ),
                    published_at=moment,
                    written_date=moment.date(),
                    interprets=index,
                )
            )

    def add_withdrawals_and_drafts(self, drafts: list[Draft]) -> None:
        interpreted = {d.interprets for d in drafts if d.interprets is not None}
        published = [
            d
            for i, d in enumerate(drafts)
            if d.genre != "解读"
            and d.interprets is None
            and i not in interpreted
            and not d.scheduled
        ]
        # withdrawn 20 days after publication, so only notices old enough for that
        old_enough = [
            d
            for d in published
            if d.published_at.date() <= self.last_day - timedelta(days=30)
        ]
        k = min(12, len(old_enough), len(old_enough) // 50 or 1)
        for draft in self.rng.sample(old_enough, k=k):
            draft.status = Notice.Status.WITHDRAWN
            draft.withdrawn_category, draft.withdrawn_reason = self.rng.choice(
                WITHDRAW_REASONS
            )
        recent = [
            d
            for d in published
            if d.status == Notice.Status.PUBLISHED
            and d.published_at.date() >= self.last_day - timedelta(days=40)
        ]
        for draft in self.rng.sample(recent, k=min(8, len(recent))):
            draft.status = Notice.Status.DRAFT

    def add_attachments(self, drafts: list[Draft]) -> None:
        rng = self.rng
        for draft in drafts:
            if draft.genre == "解读" or rng.random() > 0.12:
                continue
            core = (
                draft.title.split("《")[-1].split("》")[0]
                if "《" in draft.title
                else draft.title
            )
            lines = [line for line in draft.body.split("\n")[1:9] if line]
            kind = rng.choice(["pdf", "pdf", "docx", "txt"])
            if kind == "pdf":
                draft.attachments.append(
                    (
                        "附件1：" + _short(core) + ".pdf",
                        build_pdf(core, [_short(x, 38) for x in lines]),
                    )
                )
            elif kind == "docx":
                draft.attachments.append(
                    ("附件1：" + _short(core) + ".docx", build_docx(core, lines))
                )
            else:
                draft.attachments.append(
                    (
                        "附件1：" + _short(core) + ".txt",
                        "\n".join([core, *lines]).encode("utf-8"),
                    )
                )
            if rng.random() < 0.3:
                table = [
                    f"{i + 1}. {p}  联系人：{rng.choice('王李张刘陈杨赵黄周吴')}同志"
                    for i, p in enumerate(PLACES[:5])
                ]
                draft.attachments.append(
                    (
                        "附件2：责任分工表.txt",
                        "\n".join(["责任分工表", *table]).encode("gb18030"),
                    )
                )


def _strip_verb(subject: str) -> str:
    for verb in (
        "做好",
        "进一步",
        "加快",
        "加强",
        "推进",
        "开展",
        "落实",
        "规范",
        "公开",
        "公布",
        "调整",
        "发放",
        "申报",
        "提高",
        "建立健全",
        "打好",
        "印发",
        "根治",
    ):
        if subject.startswith(verb):
            subject = subject[len(verb) :]
            return _strip_verb(subject)
    return subject.strip("《》")


def _core(subject: str, year: int) -> str:
    core = _strip_verb(subject)
    for lead in (f"{year}年度", f"{year}年"):
        core = core.replace(lead, "")
    return core.removesuffix("工作") or core


def _named(title: str) -> str:
    """The document a 印发 notice carries: 《…》 of its title (or the title)."""
    return title.split("《")[-1].split("》")[0] if "《" in title else title


def _work_year(genre: str, year: int, month: int) -> int:
    """The year a 报告 / 通报 is about: one written in the first quarter looks back."""
    return year - 1 if genre in ("报告", "通报") and month <= 3 else year


def _cn(day: date) -> str:
    """2026年3月5日 (the way a document is dated)."""
    return f"{day.year}年{day.month}月{day.day}日"


_YEAR = re.compile(r"(\d{4})年度?")


def _tidy_title(title: str) -> str:
    """No year twice (关于2026年招聘2026年… → 关于2026年招聘…), no 天元区天元区."""
    seen: set[str] = set()

    def once(match: re.Match) -> str:
        if match.group(1) in seen and title[max(0, match.start() - 1)] != "—":
            return ""
        seen.add(match.group(1))
        return match.group(0)

    title = _YEAR.sub(once, title)
    while "天元区天元区" in title:
        title = title.replace("天元区天元区", "天元区")
    return title


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- writing ---------------------------------------------------------------------------


def security_confirmers() -> dict[int, object]:
    """Agency id → the demo account recorded as its 保密审查 confirmer (条例 第十七条):
    the agency's 审核人 when it has one, else its 管理员. Agencies
    without a demo account of their own have no confirmer."""
    from django.contrib.auth import get_user_model

    from portal import roles

    confirmers: dict[int, object] = {}
    staff = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, staff_profile__isnull=False)
        .select_related("staff_profile")
        .prefetch_related("groups")
        .order_by("username")
    )
    for user in staff:
        agency_id = user.staff_profile.agency_id
        names = {g.name for g in user.groups.all()}
        approver = roles.APPROVER in names
        if not (approver or roles.ADMIN in names):
            continue  # a 承办人 may not confirm (catalog.publishing.check_may_manage)
        if agency_id not in confirmers or (approver and not confirmers[agency_id][1]):
            confirmers[agency_id] = (user, approver)
    return {agency_id: user for agency_id, (user, _) in confirmers.items()}


def _write(drafts: list[Draft]) -> list[Notice]:
    confirmers = security_confirmers()
    themes = {t.full_name: t for t in Theme.objects.select_related("parent")}
    genres = {g.name: g for g in Genre.objects.all()}
    columns = {c.slug: c for c in Column.objects.all()}

    # 索引号 per owner agency and year, in publication order, exactly as issue_index_number would
    serials: dict[tuple[int, int], int] = {}
    for draft in sorted(drafts, key=lambda d: d.published_at):
        if draft.status == Notice.Status.DRAFT:
            continue
        local = draft.published_at
        key = (draft.owner.pk, local.year)
        serials[key] = serials.get(key, 0) + 1
        draft.index_number = format_index_number(
            draft.owner, local.year, local.month, serials[key]
        )

    notices = Notice.objects.bulk_create(
        [
            Notice(
                owner_agency=d.owner,
                title=d.title,
                doc_number=d.doc_number,
                written_date=d.written_date,
                published_at=d.published_at
                if d.status != Notice.Status.DRAFT
                else None,
                index_number=d.index_number,
                theme=themes[d.theme],
                genre=genres[d.genre],
                column=columns[d.column],
                validity=d.validity,
                valid_from=d.valid_from,
                valid_until=d.valid_until,
                keywords=d.keywords,
                summary=d.summary,
                body=clean_body(d.body),
                status=d.status,
                department=d.owner.name,
                withdrawn_at=d.published_at + timedelta(days=20)
                if d.status == Notice.Status.WITHDRAWN
                else None,
                withdrawn_reason=d.withdrawn_reason,
                withdrawn_category=d.withdrawn_category,
                # confirmed before publication; a 撤回 clears it (notice_withdraw)
                security_reviewed_by=confirmers.get(d.owner.pk)
                if d.status == Notice.Status.PUBLISHED
                else None,
                security_reviewed_at=d.published_at - timedelta(hours=1)
                if d.status == Notice.Status.PUBLISHED and d.owner.pk in confirmers
                else None,
            )
            for d in drafts
        ],
        batch_size=500,
    )
    NoticePublisher.objects.bulk_create(
        [
            NoticePublisher(notice=n, agency=agency, position=i)
            for n, d in zip(notices, drafts, strict=True)
            for i, agency in enumerate(d.publishers)
        ],
        batch_size=1000,
    )
    counters = [
        IndexCounter(agency_id=agency_id, year=year, last=last)
        for (agency_id, year), last in serials.items()
    ]
    IndexCounter.objects.bulk_create(
        counters,
        update_conflicts=True,
        unique_fields=["agency", "year"],
        update_fields=["last"],
    )

    events = []
    for n, d in zip(notices, drafts, strict=True):
        events.append(
            NoticeEvent(
                notice=n,
                action=NoticeEvent.Action.CREATED,
                changes={"title": d.title, "source": "演示数据"},
            )
        )
        if d.status != Notice.Status.DRAFT:
            events.append(
                NoticeEvent(
                    notice=n,
                    action=NoticeEvent.Action.PUBLISHED,
                    changes={
                        "status": ["draft", "published"],
                        "index_number": [None, d.index_number],
                        "security_reviewed_by": str(confirmers[d.owner.pk])
                        if d.owner.pk in confirmers
                        else None,
                    },
                )
            )
        if d.status == Notice.Status.WITHDRAWN:
            events.append(
                NoticeEvent(
                    notice=n,
                    action=NoticeEvent.Action.WITHDRAWN,
                    reason=d.withdrawn_reason,
                    changes={
                        "status": ["published", "withdrawn"],
                        "withdrawn_category": d.withdrawn_category,
                    },
                )
            )
    NoticeEvent.objects.bulk_create(events, batch_size=1000)
    # history and creation times as they would have been (auto_now_add stamped "now")
    ids = [n.pk for n in notices]
    Notice.objects.filter(pk__in=ids, published_at__isnull=False).update(
        created_at=F("published_at") - timedelta(hours=2), updated_at=F("published_at")
    )
    published_at = Notice.objects.filter(pk=OuterRef("notice_id")).values(
        "published_at"
    )[:1]
    NoticeEvent.objects.filter(
        notice_id__in=ids, action=NoticeEvent.Action.PUBLISHED
    ).update(at=Subquery(published_at))
    withdrawn_at = Notice.objects.filter(pk=OuterRef("notice_id")).values(
        "withdrawn_at"
    )[:1]
    NoticeEvent.objects.filter(
        notice_id__in=ids, action=NoticeEvent.Action.WITHDRAWN
    ).update(at=Subquery(withdrawn_at))

    through = Notice.interpretations.through
    through.objects.bulk_create(
        [
            through(from_notice_id=notices[d.interprets].pk, to_notice_id=n.pk)
            for n, d in zip(notices, drafts, strict=True)
            if d.interprets is not None
        ]
    )

    attachments = []
    for n, d in zip(notices, drafts, strict=True):
        for position, (name, data) in enumerate(d.attachments):
            attachments.append(
                store_inspected(inspect_file(name, data), notice=n, position=position)
            )
    return notices


def _report_2013(government, out) -> Notice:
    narrative = (DEMO_DATA / "tianyuan_2013_report.txt").read_text(encoding="utf-8")
    notice, _ = notice_import_upsert(
        publishers=[government],
        published_at=REPORT_2013["published_at"],
        # 保密审查 confirmed the day before publication by the government's own account
        security_reviewed_by=security_confirmers().get(government.pk),
        security_reviewed_at=REPORT_2013["published_at"] - timedelta(days=1),
        index_number=REPORT_2013["index_number"],
        title=REPORT_2013["title"],
        body=narrative,
        summary="天元区2013年政府信息公开工作情况：深化政府信息公开、推进政务服务体系建设、创新服务平台、"
        "推进行政权力公开透明运行和政府网站建设，以及今后方向和下一步工作计划。",
        theme=Theme.objects.get(parent__name="综合政务", name="政务公开"),
        genre=Genre.objects.get(name="年报"),
        column=Column.objects.get(slug="ndbg"),
        keywords=["政府信息公开", "年度报告", "2013年"],
    )
    return notice


def build(out, **context) -> dict:
    agencies = context["agencies"]
    government = context["government"]
    count = int(context.get("notices") or 1200)
    report = _report_2013(government, out)
    if Notice.objects.exclude(pk=report.pk).exists():
        out.write("  已有政府信息，未再生成演示信息（仅核对了 2013 年年报）")
        return {"notices_created": 0}
    last_day = timeutil.local_today()  # every date is relative to the seeding day
    drafts = Builder(agencies, government, last_day).plan(count)
    notices = _write(drafts)
    refresh_notice_search(
        [n.pk for n in notices], bulk=True
    )  # a new catalog: nobody reads it yet
    from catalog import demo_statutory

    statutory = demo_statutory.build(agencies, last_day)
    out.write(
        f"  法定主动公开栏目：新增 {statutory} 条（工作动态、信息公开制度、部分机关栏目）"
    )
    created = len(notices) + 1 + statutory  # and the 2013 report
    withdrawn = sum(1 for d in drafts if d.status == Notice.Status.WITHDRAWN)
    interpretations = sum(1 for d in drafts if d.interprets is not None)
    with_files = sum(1 for d in drafts if d.attachments)
    out.write(
        f"  政府信息 {created} 条（含 2013 年年报）：解读 {interpretations} 条，已撤销 {withdrawn} 条，"
        f"带附件 {with_files} 条"
    )
    return {"notices_created": created}
