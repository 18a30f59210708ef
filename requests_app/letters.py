"""Letters in the agency's name: one 告知书 template per legal ground, clean text and
the 文号. Pure functions, no database access: services pass the values in.

A reply letter is 称谓 + 正文 (from the ground's editable ``ReplyTemplate``) + the
remedy clause (``requests_app.remedies.remedy_clause``, never part of a template) +
落款机关 + 日期. Every path that renders or saves a template calls
``template_problems``, so an unknown ``{占位符}`` never reaches an applicant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from requests_app.outcomes import Outcome

TIAOLI = "《中华人民共和国政府信息公开条例》"
FEE_RULES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"

# Placeholders a template may use; anything else in braces is refused.
PLACEHOLDERS = (
    "称谓",
    "申请人",
    "申请编号",
    "收到日期",
    "申请内容",
    "机关名称",
    "答复日期",
    "获取途径",
    "信息标题",
    "信息网址",
    "其他机关",
    "其他机关联系方式",
    "负责机关告知",
    "征求意见",
    "理由",
)
# Old seeded templates wrote "您（单位）"; both forms resolve to 您 / 你单位.
UNIT_MARK = "（单位）"
_BRACED = re.compile(r"\{([^{}]*)\}")
# Remedy wording belongs to remedy_clause only (行政复议法 第二十三条: 复议前置 must be
# stated exactly), so a template or an edited letter body may not carry its own.
_REMEDY_WORDS = ("行政复议", "行政诉讼")

HEAD = (
    "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（申请编号：{申请编号}），"
    "申请获取“{申请内容}”。\n"
)


@dataclass(frozen=True)
class Ground:
    """One legal ground of a reply: its outcome (the annual-report row), title,
    basis and body; which inputs the handler must give."""

    key: str
    outcome: str
    label: str
    title: str
    legal_basis: str
    body: str
    needs_reason: bool = False
    needs_other_agency: bool = False
    needs_material: bool = False


def _g(key, outcome, label, title, basis, middle, **flags) -> Ground:
    # every "您" of the body follows the applicant type (您 / 你单位)
    return Ground(
        key,
        outcome,
        label,
        title,
        basis,
        HEAD + middle.replace("您", "{称谓}"),
        **flags,
    )


_NOT_DISCLOSED = "政府信息不予公开告知书"
_HANDLING = "政府信息公开申请处理告知书"

GROUND_LIST: tuple[Ground, ...] = (
    _g(
        "disclosed_public",
        Outcome.DISCLOSED,
        "予以公开—已主动公开（第三十六条第（一）项）",
        "政府信息公开告知书",
        f"{TIAOLI}第三十六条第（一）项",
        f"经审查，您申请获取的政府信息已经主动公开。根据{TIAOLI}第三十六条第（一）项的规定，"
        "现告知获取该政府信息的方式和途径：{获取途径}",
        needs_material=True,
    ),
    _g(
        "disclosed_provide",
        Outcome.DISCLOSED,
        "予以公开—可以公开（第三十六条第（二）项）",
        "政府信息公开告知书",
        f"{TIAOLI}第三十六条第（二）项",
        f"经审查，您申请获取的政府信息属于可以公开的政府信息。根据{TIAOLI}第三十六条第（二）项的规定，"
        "予以公开。{获取途径}",
        needs_material=True,
    ),
    _g(
        "partial",
        Outcome.PARTIAL,
        "部分公开（第三十七条、第三十六条第（三）项）",
        "政府信息部分公开告知书",
        f"{TIAOLI}第三十七条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。"
        f"根据{TIAOLI}第三十七条的规定，向您提供可以公开的部分：{{获取途径}}\n"
        f"根据{TIAOLI}第三十六条第（三）项的规定，对不予公开的部分说明理由如下：{{理由}}",
        needs_reason=True,
        needs_material=True,
    ),
    _g(
        "state_secret",
        Outcome.STATE_SECRET,
        "不予公开—国家秘密（第十四条）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十四条、第三十六条第（三）项",
        f"经审查，您申请获取的政府信息属于依法确定为国家秘密的政府信息。根据{TIAOLI}第十四条、"
        "第三十六条第（三）项的规定，不予公开。理由如下：{理由}",
        needs_reason=True,
    ),
    _g(
        "law_forbids",
        Outcome.LAW_FORBIDS,
        "不予公开—法律、行政法规禁止公开（第十四条）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十四条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息。"
        f"根据{TIAOLI}第十四条、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "three_securities",
        Outcome.THREE_SECURITIES,
        "不予公开—危及“三安全一稳定”（第十四条）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十四条、第三十六条第（三）项",
        "经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。"
        f"根据{TIAOLI}第十四条、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "third_party",
        Outcome.THIRD_PARTY,
        "不予公开—保护第三方合法权益（第十五条）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十五条、第三十六条第（三）项（征求过第三方意见的，另引第三十二条）",
        "经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。"
        "{征求意见}"
        f"根据{TIAOLI}第十五条、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "internal_affairs",
        Outcome.INTERNAL_AFFAIRS,
        "不予公开—内部事务信息（第十六条第一款）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十六条第一款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于行政机关的内部事务信息。"
        f"根据{TIAOLI}第十六条第一款、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "process_info",
        Outcome.PROCESS_INFO,
        "不予公开—过程性信息（第十六条第二款）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十六条第二款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的过程性信息。"
        f"根据{TIAOLI}第十六条第二款、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "enforcement_file",
        Outcome.ENFORCEMENT_FILE,
        "不予公开—行政执法案卷（第十六条第二款）",
        _NOT_DISCLOSED,
        f"{TIAOLI}第十六条第二款、第三十六条第（三）项",
        "经审查，您申请获取的信息属于行政执法案卷信息。"
        f"根据{TIAOLI}第十六条第二款、第三十六条第（三）项的规定，不予公开。理由如下：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "admin_query",
        Outcome.ADMIN_QUERY,
        "行政查询事项（第三十六条第（七）项）",
        "行政查询事项告知书",
        f"{TIAOLI}第三十六条第（七）项",
        "经审查，您申请获取的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定。"
        f"根据{TIAOLI}第三十六条第（七）项的规定，请您依照有关法律、行政法规的规定办理：{{理由}}",
        needs_reason=True,
    ),
    _g(
        "not_exist",
        Outcome.NOT_HELD,
        "无法提供—信息不存在（第三十六条第（四）项）",
        "政府信息不存在告知书",
        f"{TIAOLI}第三十六条第（四）项",
        "经检索查找，本机关没有您申请公开的政府信息。"
        f"根据{TIAOLI}第三十六条第（四）项的规定，告知您该政府信息不存在。{{理由}}",
    ),
    _g(
        "not_ours",
        Outcome.NOT_HELD,
        "无法提供—不属于本机关负责公开（第三十六条第（五）项）",
        "非本机关负责公开政府信息告知书",
        f"{TIAOLI}第三十六条第（五）项",
        "经审查，您申请公开的政府信息不属于本机关负责公开。{理由}"
        f"根据{TIAOLI}第三十六条第（五）项的规定，{{负责机关告知}}",
        needs_other_agency=True,
        needs_reason=True,  # 第三十六条第（五）项: 告知申请人并说明理由
    ),
    _g(
        "needs_creation",
        Outcome.NEEDS_CREATION,
        "无法提供—需要另行制作（第三十八条）",
        "政府信息公开告知书",
        f"{TIAOLI}第三十八条",
        "经审查，本机关没有您申请获取的现成信息，需要对现有政府信息进行加工、分析才能形成。"
        f"根据{TIAOLI}第三十八条的规定，本机关不予提供。{{理由}}",
    ),
    _g(
        "still_unclear",
        Outcome.STILL_UNCLEAR,
        "无法提供—补正后仍不明确（第三十条）",
        "政府信息公开告知书",
        f"{TIAOLI}第三十条",
        "本机关已告知您补正申请。您补正后的申请内容仍不明确，无法确定您所需的政府信息。"
        f"根据{TIAOLI}第三十条的规定，本机关无法提供。{{理由}}",
    ),
    _g(
        "petition",
        Outcome.PETITION,
        "不予处理—信访、投诉、举报（第三十九条第一款）",
        _HANDLING,
        f"{TIAOLI}第三十九条第一款",
        "经审查，您以政府信息公开申请的形式进行信访、投诉、举报等活动。"
        f"根据{TIAOLI}第三十九条第一款的规定，本机关不作为政府信息公开申请处理，"
        "请您通过相应渠道提出。{理由}",
    ),
    _g(
        "repeated",
        Outcome.REPEATED,
        "不予处理—重复申请（第三十六条第（六）项）",
        _HANDLING,
        f"{TIAOLI}第三十六条第（六）项",
        "经审查，本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同政府信息。"
        f"根据{TIAOLI}第三十六条第（六）项的规定，本机关不予重复处理。{{理由}}",
    ),
    _g(
        "publication",
        Outcome.PUBLICATION,
        "不予处理—公开出版物（第三十九条第二款）",
        _HANDLING,
        f"{TIAOLI}第三十九条第二款",
        "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。"
        f"根据{TIAOLI}第三十九条第二款的规定，告知您获取的途径：{{理由}}",
        needs_reason=True,  # the way to get it is what the letter is for
    ),
    _g(
        "excessive",
        Outcome.EXCESSIVE,
        "不予处理—大量反复申请（第三十五条）",
        _HANDLING,
        f"{TIAOLI}第三十五条",
        "经审查，您申请公开政府信息的数量、频次明显超过合理范围，经要求说明理由后，本机关认为理由不合理。"
        f"根据{TIAOLI}第三十五条的规定，不予处理。{{理由}}",
        needs_reason=True,
    ),
    _g(
        "confirmation",
        Outcome.CONFIRMATION,
        "不予处理—要求确认或重新出具已获取信息（第三十八条）",
        _HANDLING,
        f"{TIAOLI}第三十八条",
        "经审查，您要求本机关对已获取的信息进行确认或者重新出具。"
        f"根据{TIAOLI}第三十八条的规定，行政机关向申请人提供的信息，应当是已制作或者获取的政府信息；"
        "确认或者重新出具需要本机关另行制作，不属于政府信息公开申请的处理范围，本机关不予处理。{理由}",
    ),
    _g(
        "other",
        Outcome.OTHER,
        "其他处理",
        _HANDLING,
        TIAOLI,
        "{理由}",
        needs_reason=True,
    ),
)
# System letters (no handler choice): kept as grounds so their text is editable too.
SYSTEM_GROUNDS: tuple[Ground, ...] = (
    _g(
        "no_correction",
        Outcome.NO_CORRECTION,
        "逾期不补正（第三十条）",
        _HANDLING,
        f"{TIAOLI}第三十条",
        "本机关已告知您补正申请并给予补正期限。您无正当理由逾期未补正，"
        f"根据{TIAOLI}第三十条的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    _g(
        "unpaid_fee",
        Outcome.UNPAID_FEE,
        "逾期未缴费",
        _HANDLING,
        f"{TIAOLI}第四十二条第一款、{FEE_RULES}",
        "本机关已向您发出收费通知。您逾期未按收费通知要求缴纳信息处理费，视为放弃申请，"
        "本机关不再处理该政府信息公开申请。",
    ),
)
GROUNDS: dict[str, Ground] = {g.key: g for g in (*GROUND_LIST, *SYSTEM_GROUNDS)}
HANDLER_GROUNDS = tuple((g.key, g.label) for g in GROUND_LIST)
# The ground a system-set outcome's letter uses.
GROUND_FOR_SYSTEM_OUTCOME = {g.outcome: g.key for g in SYSTEM_GROUNDS}
# Outcomes whose reply must carry the information it promises.
MATERIAL_OUTCOMES = (Outcome.DISCLOSED, Outcome.PARTIAL)


# --- clean text ---------------------------------------------------------------------


def fmt_date(d: date | None) -> str:
    """2026年3月5日 (no leading zeros), "" for None."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def address_term(applicant_type: str) -> str:
    """您 for a 公民, 你单位 for a 法人或者其他组织."""
    return "你单位" if applicant_type == "organisation" else "您"


_TRAILING = "。．.，,、；;：:！!？?…— \t\r\n　"
_QUOTES = {"“": "‘", "”": "’", "「": "‘", "」": "’", "『": "‘", "』": "’"}


def quote_description(text: str, *, limit: int = 200) -> str:
    """The applicant's description as it goes inside “…” once: one line, trimmed of
    its own trailing punctuation, inner quotes turned into ‘…’ (GB/T 15834-2011
    4.1.3: a quotation inside a quotation takes single quotes), cut at ``limit``."""
    s = " ".join((text or "").split())
    for outer, inner in _QUOTES.items():
        s = s.replace(outer, inner)
    # straight double quotes pair up as ‘…’; a lone one is dropped
    parts = s.split('"')
    if len(parts) % 2 == 1:
        s = "".join(p if i % 2 == 0 else f"‘{p}’" for i, p in enumerate(parts))
    else:
        s = "".join(parts)
    s = s.rstrip(_TRAILING)
    # a description wholly wrapped in quotes loses them (it is quoted once by us)
    if s.startswith("‘") and s.endswith("’") and s.count("‘") == 1:
        s = s[1:-1].strip()
    if len(s) > limit:
        s = s[:limit].rstrip(_TRAILING) + "……"
    return s


# --- templates ----------------------------------------------------------------------


def template_problems(text: str, allowed: tuple[str, ...] = PLACEHOLDERS) -> list[str]:
    """Chinese messages for every problem of a template body: unknown placeholders
    (named), unbalanced braces, a bare “您” (the applicant is addressed by
    ``{称谓}``: 您 / 你单位) and remedy wording (the system adds the clause).
    ``allowed``: the placeholders of this kind of letter (reply grounds by default;
    ``procedural_placeholders(kind)`` for the procedural letters)."""
    problems = placeholder_problems(text, allowed)
    if "您" in _BRACED.sub("", text or ""):
        problems.append(
            "模板中请用 {称谓} 称呼申请人，不要直接写“您”：系统按申请人类型写成"
            "“您”（公民）或“你单位”（法人或者其他组织）"
        )
    problems.extend(remedy_problems(text))
    return problems


def placeholder_problems(
    text: str, allowed: tuple[str, ...] = PLACEHOLDERS
) -> list[str]:
    """Unknown placeholders (named) and unbalanced braces: what makes a template
    impossible to render."""
    problems: list[str] = []
    names = _BRACED.findall(text or "")
    for name in dict.fromkeys(names):
        if name not in allowed:
            problems.append(
                f"占位符 {{{name}}} 无法识别。可用占位符："
                + "、".join(f"{{{p}}}" for p in allowed)
            )
    rest = _BRACED.sub("", text or "")
    if "{" in rest or "}" in rest:
        problems.append("模板中有不成对的花括号 { }，请检查占位符")
    return problems


def remedy_problems(text: str) -> list[str]:
    found = [w for w in _REMEDY_WORDS if w in (text or "")]
    if found:
        return [
            f"正文中不要写“{found[0]}”等救济途径告知：系统按办理结果自动附上"
            "复议、诉讼告知（《中华人民共和国行政复议法》第二十三条）"
        ]
    return []


def leftover_problems(text: str) -> list[str]:
    """What is still unresolved in a rendered or edited letter body."""
    problems = []
    m = re.search(r"\{[^{}]*\}|[{}]", text or "")
    if m:
        problems.append(f"文书中还有未替换的占位符 {m.group(0)}，请改为实际内容")
    if UNIT_MARK in (text or ""):
        problems.append(f"文书中还有“{UNIT_MARK}”，请改为“您”或“你单位”")
    return problems


def render_body(
    template: str, values: dict[str, str], allowed: tuple[str, ...] = PLACEHOLDERS
) -> str:
    """Fill ``template``; raises ``ValueError`` naming the first unknown placeholder.
    "您（单位）", "（单位）" and a bare "您" of the template become ``values['称谓']``
    (您 / 你单位): templates saved before ``{称谓}`` existed wrote the applicant as
    "您", and an organisation must read 你单位 there too. Only the template's own
    text is changed, never a filled-in value (an applicant's description may say 您)."""
    problems = placeholder_problems(template, allowed)
    if problems:
        raise ValueError(problems[0])
    term = values.get("称谓", "您")
    text = template.replace("您" + UNIT_MARK, term).replace(UNIT_MARK, "")
    text = address_applicant(text, term)
    text = _BRACED.sub(lambda m: values.get(m.group(1), ""), text)
    # an empty optional placeholder must not leave a blank line or a doubled stop
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{2,}", "\n", text).strip()
    text = text.replace("：。", "。").replace("。。", "。")
    return text


def address_applicant(template: str, term: str) -> str:
    """Every bare "您" outside placeholders becomes ``term``."""
    if term == "您":
        return template
    parts = _BRACED.split(template)
    # re.split with one group: even items are text, odd items placeholder names
    return "".join(
        p.replace("您", term) if i % 2 == 0 else "{" + p + "}"
        for i, p in enumerate(parts)
    )


def competent_agency_text(
    *, term: str, other_agency: str, contact: str, undetermined: str
) -> str:
    """{负责机关告知} of 第三十六条第（五）项: the competent agency and its contact when it
    can be determined ("能够确定负责公开该政府信息的行政机关的，告知申请人该行政机关的名称、
    联系方式"), else why it cannot."""
    if other_agency.strip():
        return (
            f"告知{term}负责公开该政府信息的行政机关为{other_agency.strip()}，"
            f"联系方式：{contact.strip().rstrip('。')}。"
        )
    why = undetermined.strip()
    if why and why[-1] not in "。！？":
        why += "。"
    return f"告知{term}：本机关无法确定负责公开该政府信息的行政机关。{why}"


def consultation_text(consulted: bool) -> str:
    """{征求意见} of the third-party ground: 第三十二条 is cited only when the third
    party was in fact asked (书面征求第三方的意见)."""
    if not consulted:
        return ""
    return f"本机关已依照{TIAOLI}第三十二条的规定书面征求第三方的意见。"


# --- 文号 -----------------------------------------------------------------------------


def format_letter_number(template: str, *, short_name: str, year: int, seq: int) -> str:
    return template.format(short_name=short_name, year=year, seq=seq)


# --- the printable document -----------------------------------------------------------


def official_document(letter):
    """A sent ``Letter`` as ``portal.documents.OfficialDocument`` (A4 page / PDF):
    标题, 文号, 称谓, 正文 and the remedy clause, 落款机关, 成文日期."""
    from portal.documents import OfficialDocument

    return OfficialDocument(
        title=letter.title,
        number=letter.number,
        salutation=letter.salutation,
        paragraphs=letter.paragraphs,
        signer=letter.agency.name,
        date=letter.letter_date,
    )


def pdf_filename(letter) -> str:
    return f"{letter.number or letter.title}.pdf"


# --- procedural letters (受理回执, 补正通知, 延期告知, 征求意见函, 收费通知) -------------


@dataclass(frozen=True)
class Procedural:
    """The default text of one procedural letter kind, editable as a
    ``ProceduralTemplate``; ``placeholders`` are those its body may use."""

    kind: str
    title: str
    legal_basis: str
    body: str
    placeholders: tuple[str, ...]


# Every procedural template may use these; each kind adds its own.
PROCEDURAL_COMMON = ("称谓", "申请人", "申请编号", "收到日期", "申请内容", "机关名称")
_RECEIPT = "本机关于{收到日期}收到{称谓}提出的政府信息公开申请（申请编号：{申请编号}），申请获取“{申请内容}”。\n"

PROCEDURAL_LIST: tuple[Procedural, ...] = (
    Procedural(
        "acceptance",
        "政府信息公开申请受理回执",
        f"{TIAOLI}第三十一条、第三十三条第二款",
        _RECEIPT + f"根据{TIAOLI}第三十一条的规定，本机关收到申请之日为{{收到日期}}。"
        f"根据{TIAOLI}第三十三条第二款的规定，本机关将于{{答复期限}}前（含当日）作出答复"
        "（依法需要补正、延期或者缴纳信息处理费的，另行书面告知）。",
        ("答复期限",),
    ),
    Procedural(
        "correction",
        "政府信息公开申请补正通知书",
        f"{TIAOLI}第三十条",
        _RECEIPT + "经审查，{称谓}的申请内容不明确。"
        f"根据{TIAOLI}第三十条的规定，请{{称谓}}于{{补正期限}}前（含当日）补正以下事项：\n"
        "{补正事项}\n"
        "答复期限自本机关收到补正的申请之日起计算。"
        "{称谓}无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        ("补正事项", "补正期限"),
    ),
    Procedural(
        "extension",
        "政府信息公开申请延期答复告知书",
        f"{TIAOLI}第三十三条第二款",
        _RECEIPT + "因{延期理由}，本机关不能在{原答复期限}前（含当日）作出答复。"
        f"根据{TIAOLI}第三十三条第二款的规定，经政府信息公开工作机构负责人同意，"
        "答复期限延长{延长工作日}个工作日，本机关将于{答复期限}前（含当日）作出答复。",
        ("延期理由", "原答复期限", "延长工作日", "答复期限"),
    ),
    Procedural(
        "consultation",
        "政府信息公开征求意见函",
        f"{TIAOLI}第三十二条、第三十四条",
        "本机关于{收到日期}收到一件政府信息公开申请（申请编号：{申请编号}），"
        "申请获取“{申请内容}”。\n"
        "{征求事由}\n"
        "联系方式：{机关联系方式}",
        ("征求对象", "征求事由", "机关联系方式"),
    ),
    Procedural(
        "fee",
        "政府信息公开信息处理费收费通知书",
        f"{TIAOLI}第四十二条第一款、{FEE_RULES}",
        _RECEIPT + f"根据{TIAOLI}第四十二条第一款、{FEE_RULES}{{地方收费规定}}的规定，"
        "本机关对该申请按照{计费方式}标准收取信息处理费：{计费数量}，金额{金额}元。{收费说明}\n"
        "请{称谓}自收到本通知的次日起{缴费工作日}个工作日内缴纳{缴费截止}，"
        "缴费方式：{缴费方式}。"
        "{称谓}逾期未缴纳的，视为放弃申请，本机关不再处理该政府信息公开申请。",
        (
            "计费方式",
            "计费数量",
            "金额",
            "缴费工作日",
            "缴费截止",
            "缴费期限",
            "缴费方式",
            "收费说明",
            "地方收费规定",
        ),
    ),
)
PROCEDURAL: dict[str, Procedural] = {p.kind: p for p in PROCEDURAL_LIST}

# {征求事由} of the 征求意见函 by party type: what the law says of the 15 working days
# from the party's receipt and of silence (第三十二条: the agency decides; 第三十四条:
# 视为同意公开).
CONSULTATION_GROUNDS = {
    "third_party": "经审查，本机关认为申请公开的政府信息可能涉及{征求对象}的商业秘密、个人隐私，"
    f"公开后可能损害其合法权益。根据{TIAOLI}第三十二条的规定，现书面征求意见。"
    "请于收到本函之日起15个工作日内书面提出意见；逾期未提出意见的，由本机关依照"
    f"{TIAOLI}的规定决定是否公开。",
    "other_agency": "申请公开的政府信息由本机关与{征求对象}共同制作。"
    f"根据{TIAOLI}第三十四条的规定，现征求意见。请于收到本函之日起15个工作日内"
    "提出意见；逾期未提出意见的，视为同意公开。",
}


def fee_deadline_text(workdays: int, pay_by: date | None) -> str:
    """{缴费截止}: the last day when the delivery day is known (online: the day it is
    issued), else the working-day rule alone — both inclusive of the last day."""
    if pay_by is not None:
        return f"（即{fmt_date(pay_by)}前，含当日）"
    return f"（含第{workdays}个工作日当日）"


def procedural_placeholders(kind: str) -> tuple[str, ...]:
    return (*PROCEDURAL_COMMON, *PROCEDURAL[kind].placeholders)
