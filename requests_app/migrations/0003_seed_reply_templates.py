"""Seed one editable 告知书 template per outcome (国办公开办函〔2021〕30号 rows), each
citing the article of the 条例 it rests on. Existing (edited) templates are kept."""

from django.db import migrations

HEAD = (
    "{申请人}：\n\n"
    "本机关于{收到日期}收到您（单位）提出的政府信息公开申请（申请编号：{申请编号}），"
    "申请获取“{申请内容}”。\n\n"
)
REMEDY = (
    "\n\n如对本答复不服，可以自收到本告知书之日起六十日内依法申请行政复议，"
    "或者自收到本告知书之日起六个月内依法提起行政诉讼。\n\n"
    "{机关名称}\n{答复日期}"
)
TIAOLI = "《中华人民共和国政府信息公开条例》"

# outcome: (title, legal basis, middle paragraph)
TEMPLATES = {
    "disclosed": (
        "政府信息公开告知书",
        f"{TIAOLI}第三十六条第（一）项、第（二）项",
        f"经审查，根据{TIAOLI}第三十六条第（一）项、第（二）项的规定，您申请获取的政府信息属于公开范围，予以公开。{{获取途径}}",
    ),
    "partial": (
        "政府信息部分公开告知书",
        f"{TIAOLI}第三十七条",
        f"经审查，您申请获取的政府信息中含有不应当公开的内容，但能够作区分处理。根据{TIAOLI}第三十七条的规定，"
        "现向您提供可以公开的部分（见附件），对不予公开的部分说明理由如下：{理由}",
    ),
    "state_secret": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十四条",
        f"经审查，您申请获取的政府信息属于国家秘密。根据{TIAOLI}第十四条的规定，不予公开。{{理由}}",
    ),
    "law_forbids": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十四条",
        f"经审查，您申请获取的政府信息属于法律、行政法规禁止公开的政府信息。根据{TIAOLI}第十四条的规定，不予公开。{{理由}}",
    ),
    "three_securities": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十四条",
        f"经审查，您申请获取的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定。根据{TIAOLI}第十四条的规定，不予公开。{{理由}}",
    ),
    "third_party": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十五条、第三十二条",
        f"经审查，您申请获取的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害。根据{TIAOLI}第十五条、第三十二条的规定，不予公开。{{理由}}",
    ),
    "internal_affairs": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十六条第一款",
        f"经审查，您申请获取的信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等）。根据{TIAOLI}第十六条第一款的规定，可以不予公开。{{理由}}",
    ),
    "process_info": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十六条第二款",
        f"经审查，您申请获取的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等过程性信息。根据{TIAOLI}第十六条第二款的规定，可以不予公开。{{理由}}",
    ),
    "enforcement_file": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第十六条第二款",
        f"经审查，您申请获取的信息属于行政执法案卷信息。根据{TIAOLI}第十六条第二款的规定，可以不予公开。{{理由}}",
    ),
    "admin_query": (
        "政府信息不予公开告知书",
        f"{TIAOLI}第三十六条第（七）项",
        f"经审查，您申请获取的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定。根据{TIAOLI}第三十六条第（七）项的规定，请您按照有关法律、行政法规的规定办理。{{理由}}",
    ),
    "not_held": (
        "政府信息不存在告知书",
        f"{TIAOLI}第三十六条第（四）项、第（五）项",
        f"经检索查找，本机关未制作或者获取您申请获取的政府信息。根据{TIAOLI}第三十六条第（四）项、第（五）项的规定，特此告知。{{其他机关}}",
    ),
    "needs_creation": (
        "政府信息公开告知书",
        f"{TIAOLI}第三十八条",
        f"经审查，本机关没有您申请获取的现成信息，需要对现有政府信息进行加工、分析才能形成。根据{TIAOLI}第三十八条的规定，本机关可以不予提供。{{理由}}",
    ),
    "still_unclear": (
        "政府信息公开告知书",
        f"{TIAOLI}第三十条",
        f"本机关已于此前告知您补正申请。您补正后的申请内容仍不明确，无法确定您所需的政府信息。根据{TIAOLI}第三十条的规定，本机关无法提供。{{理由}}",
    ),
    "petition": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十九条第一款",
        f"经审查，您以政府信息公开申请的形式进行信访、投诉、举报等活动。根据{TIAOLI}第三十九条第一款的规定，本机关不作为政府信息公开申请处理，请您通过相应渠道提出。{{理由}}",
    ),
    "repeated": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十六条第（六）项",
        f"经审查，本机关已就您提出的同一政府信息公开申请作出答复，您重复申请公开相同政府信息。根据{TIAOLI}第三十六条第（六）项的规定，本机关不予重复处理。{{理由}}",
    ),
    "publication": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十九条第二款",
        f"经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。根据{TIAOLI}第三十九条第二款的规定，请您通过相关出版物获取。{{理由}}",
    ),
    "excessive": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十五条",
        f"经审查，您申请公开政府信息的数量、频次明显超过合理范围，经要求说明理由后，本机关认为理由不合理。根据{TIAOLI}第三十五条的规定，不予处理。{{理由}}",
    ),
    "confirmation": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十六条",
        "经审查，您要求本机关确认或者重新出具已获取的信息，不属于政府信息公开申请的处理范围，本机关不予处理。{理由}",
    ),
    "no_correction": (
        "政府信息公开申请处理告知书",
        f"{TIAOLI}第三十条",
        f"本机关已告知您补正申请并给予补正期限。您无正当理由逾期未补正，根据{TIAOLI}第三十条的规定，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    "unpaid_fee": (
        "政府信息公开申请处理告知书",
        "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）",
        "本机关已向您发出收费通知。您逾期未按收费通知要求缴纳信息处理费，视为放弃申请，本机关不再处理该政府信息公开申请。",
    ),
    "other": (
        "政府信息公开申请处理告知书",
        TIAOLI,
        "{理由}",
    ),
}


def seed(apps, schema_editor):
    ReplyTemplate = apps.get_model("requests_app", "ReplyTemplate")
    for outcome, (title, basis, middle) in TEMPLATES.items():
        ReplyTemplate.objects.get_or_create(
            outcome=outcome,
            defaults={"title": title, "legal_basis": basis, "body": HEAD + middle + REMEDY},
        )


def unseed(apps, schema_editor):
    apps.get_model("requests_app", "ReplyTemplate").objects.filter(outcome__in=list(TEMPLATES)).delete()


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0002_append_only_triggers")]

    operations = [migrations.RunPython(seed, unseed)]
