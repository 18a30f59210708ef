"""Search benchmark: catalog.search.search_notices against a naive ILIKE scan.

    .venv/bin/python bench/search.py --n 200000          # build, measure, drop
    .venv/bin/python bench/search.py --n 1000000 --keep  # keep the scratch database
    .venv/bin/python bench/search.py --reuse --keep      # measure again on the kept database

Builds N synthetic Chinese notices in a scratch database (``--db``, default bench_search) on the
server named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432), with the real schema
(``manage.py migrate``), the search columns computed by catalog.search.notice_search_fields
(the function refresh_notice_search uses), loaded with COPY. Then, for a fixed set of 1–4-word
queries, it times ``search_notices`` (top 20 + capped total, relevance order, the search page's
code path) and one ILIKE scan (top 20 + exact total), and checks search_notices against the scan:
the total, the first page in date order, the whole match set (``matching``) and, for queries with
at most --page-all matches, every page of search_notices followed by cursor. See bench/README.md.
"""

from __future__ import annotations

import argparse
import html
import io
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# -- synthetic corpus ------------------------------------------------------------------------

AGENCIES = [
    ("株洲市人民政府", "株政发"),
    ("株洲市人民政府办公室", "株政办发"),
    ("天元区人民政府", "天政发"),
    ("天元区人民政府办公室", "天政办发"),
    ("天元区教育局", "天教发"),
    ("天元区财政局", "天财发"),
    ("国家税务总局株洲市天元区税务局", "天税发"),
    ("株洲市生态环境局天元分局", "天环发"),
    ("天元区交通运输局", "天交发"),
    ("天元区卫生健康局", "天卫发"),
    ("天元区住房和城乡建设局", "天建发"),
    ("天元区农业农村局", "天农发"),
    ("天元区市场监督管理局", "天市监发"),
    ("天元区人力资源和社会保障局", "天人社发"),
    ("天元区自然资源局", "天自然资发"),
    ("天元区应急管理局", "天应急发"),
    ("天元区民政局", "天民发"),
    ("天元区发展和改革局", "天发改发"),
    ("天元区工业和信息化局", "天工信发"),
    ("天元区商务局", "天商发"),
    ("群丰镇人民政府", "群政发"),
    ("雷打石镇人民政府", "雷政发"),
    ("三门镇人民政府", "三政发"),
    ("嵩山路街道办事处", "嵩办发"),
]
TOPICS = {
    "教育": [
        "学校",
        "学生",
        "教师",
        "义务教育",
        "招生入学",
        "学前教育",
        "职业教育",
        "课后服务",
        "校园安全",
        "教育局",
        "教育教学质量",
        "中小学",
        "幼儿园",
        "学位",
        "双减",
        "教师队伍建设",
        "家庭经济困难学生",
        "资助",
    ],
    "税务": [
        "税收",
        "增值税",
        "个人所得税",
        "纳税人",
        "减税降费",
        "税务局",
        "发票",
        "留抵退税",
        "税收优惠",
        "小规模纳税人",
        "企业所得税",
        "税费",
        "征收管理",
        "纳税服务",
        "社保费",
    ],
    "环保": [
        "生态环境",
        "大气污染防治",
        "水污染防治",
        "碳达峰",
        "碳中和",
        "排污许可",
        "环境影响评价",
        "PM2.5",
        "河长制",
        "饮用水水源",
        "土壤污染",
        "噪声",
        "生态保护红线",
        "固体废物",
        "污水处理",
    ],
    "交通": [
        "道路",
        "公路",
        "公共交通",
        "城市轨道交通",
        "交通运输",
        "停车场",
        "新能源汽车",
        "充电桩",
        "客运",
        "货运",
        "农村公路",
        "交通安全",
        "路网",
        "公交线路",
        "出租汽车",
    ],
    "卫生": [
        "医疗",
        "医保",
        "疫情防控",
        "公共卫生",
        "疫苗接种",
        "医院",
        "基层医疗卫生机构",
        "家庭医生",
        "健康",
        "卫生健康",
        "传染病",
        "药品",
        "医疗保障",
        "妇幼保健",
        "核酸检测",
    ],
    "住建": [
        "住房",
        "保障性住房",
        "棚户区改造",
        "老旧小区改造",
        "物业管理",
        "建筑施工",
        "房地产市场",
        "公共租赁住房",
        "住房公积金",
        "城市更新",
        "燃气",
        "供水",
        "市政设施",
        "建设工程",
    ],
    "农业": [
        "乡村振兴",
        "高标准农田",
        "粮食安全",
        "农村",
        "脱贫攻坚",
        "耕地保护",
        "农民专业合作社",
        "种粮",
        "农业农村",
        "动物防疫",
        "农村人居环境",
        "产业扶贫",
        "村集体经济",
        "农产品质量安全",
        "宅基地",
    ],
    "市场": [
        "市场主体",
        "食品安全",
        "特种设备",
        "营商环境",
        "反垄断",
        "市场监管",
        "产品质量",
        "价格",
        "知识产权",
        "计量",
        "标准化",
        "个体工商户",
        "消费者权益",
        "商事登记",
    ],
    "人社": [
        "就业",
        "社会保障",
        "养老保险",
        "失业保险",
        "最低工资",
        "人才引进",
        "职业技能培训",
        "工伤保险",
        "农民工工资",
        "劳动合同",
        "创业担保贷款",
        "高校毕业生",
        "公益性岗位",
        "人力资源",
    ],
    "应急": [
        "安全生产",
        "防汛抗旱",
        "应急预案",
        "森林防火",
        "地质灾害",
        "消防",
        "应急管理",
        "危险化学品",
        "隐患排查",
        "自然灾害",
        "救灾物资",
        "应急演练",
        "事故调查",
    ],
    "信息化": [
        "数字政府",
        "大数据",
        "政务服务",
        "一网通办",
        "互联网+政务服务",
        "信息安全",
        "云计算",
        "电子政务",
        "数据共享",
        "政务服务平台",
        "网络安全",
        "5G网络",
        "智慧城市",
        "数字经济",
    ],
    "财政": [
        "预算",
        "决算",
        "专项资金",
        "政府采购",
        "转移支付",
        "财政补贴",
        "绩效评价",
        "三公经费",
        "财政资金",
        "国库集中支付",
        "政府债务",
        "非税收入",
        "预算公开",
    ],
    "民政": [
        "社会救助",
        "最低生活保障",
        "特困人员",
        "养老服务",
        "社会组织",
        "殡葬",
        "婚姻登记",
        "残疾人",
        "儿童福利",
        "社区治理",
        "慈善",
        "临时救助",
        "居家养老",
    ],
}
TOPIC_NAMES = list(TOPICS)
TOPIC_WEIGHTS = [10, 6, 6, 5, 8, 6, 7, 5, 6, 5, 4, 6, 5]
COMMON = [
    "各区县人民政府",
    "区直各单位",
    "为贯彻落实",
    "根据",
    "结合我区实际",
    "现将有关事项通知如下",
    "工作",
    "加强",
    "推进",
    "建立健全",
    "进一步",
    "高质量发展",
    "组织实施",
    "责任单位",
    "牵头单位",
    "配合单位",
    "完成时限",
    "保障措施",
    "加强组织领导",
    "强化督促检查",
    "本通知自印发之日起施行",
    "有关部门",
    "严格落实",
    "切实做好",
    "认真贯彻",
    "统筹推进",
    "监督管理",
    "规范",
    "制度",
    "机制",
    "服务",
    "管理",
    "实施",
    "人民群众",
    "社会",
    "经济",
    "发展",
    "改革",
    "创新",
    "全面",
    "重点",
    "任务",
    "目标",
    "要求",
    "政策",
    "落实",
    "情况",
    "问题",
    "整改",
    "考核",
    "评估",
    "检查",
    "督导",
    "宣传",
    "培训",
    "资金",
    "项目",
    "街道",
    "乡镇",
    "村",
    "社区",
    "企业",
    "单位",
    "部门",
    "人民政府",
    "党委",
    "领导小组",
    "办公室",
]
CONNECT = [
    "的",
    "和",
    "与",
    "及",
    "对",
    "在",
    "按照",
    "有关",
    "相关",
    "各项",
    "全区",
    "全市",
    "我区",
    "以及",
    "为",
    "将",
]
PUNCT_MID = ["，", "，", "，", "、", "；"]
GENRES = [
    "通知",
    "通知",
    "通知",
    "意见",
    "决定",
    "公告",
    "通告",
    "报告",
    "批复",
    "函",
    "办法",
    "方案",
    "规定",
    "实施细则",
]
TITLE_VERBS = [
    "做好",
    "加强",
    "开展",
    "印发",
    "进一步做好",
    "推进",
    "规范",
    "实施",
    "调整",
    "公布",
]
PLACES = [
    "群丰镇",
    "雷打石镇",
    "三门镇",
    "嵩山路街道",
    "泰山路街道",
    "栗雨街道",
    "马家河街道",
    "白石港",
    "湘江",
]
# Rare strings put into a notice's body with this probability (rare-word queries).
RARE = [
    ("5G基站", 0.004),
    ("ＡＢＣ１２３", 0.0002),
    ("abc123", 0.0002),
    ("茶陵县云阳街道", 0.0003),
    ("湘江风光带", 0.002),
    ("GDP", 0.03),
    ("长株潭一体化", 0.006),
    ("非法集资", 0.008),
    ("电动自行车", 0.01),
    ("古树名木", 0.001),
    ("地名普查", 0.0005),
    ("PM2.5浓度", 0.005),
]
POOL_SIZE = 4000  # sentences per topic


def _sentence(rng: random.Random, topics: list[str]) -> str:
    parts = []
    for _ in range(rng.randint(3, 7)):
        r = rng.random()
        if r < 0.45:
            w = rng.choice(TOPICS[rng.choice(topics)])
        elif r < 0.85:
            w = rng.choice(COMMON)
        elif r < 0.93:
            w = rng.choice(PLACES)
        else:
            w = (
                f"{rng.randint(2008, 2024)}年"
                if rng.random() < 0.5
                else f"{rng.randint(1, 500)}万元"
            )
        parts.append(w)
        if rng.random() < 0.6:
            parts.append(rng.choice(CONNECT))
        elif rng.random() < 0.3:
            parts.append(rng.choice(PUNCT_MID))
    return "".join(parts) + "。"


_POOLS: dict[str, list[str]] = {}


def _pool(topic: str, seed: int) -> list[str]:
    if topic not in _POOLS:
        r = random.Random(f"{seed}:{topic}")
        _POOLS[topic] = [_sentence(r, [topic] * 3) for _ in range(POOL_SIZE)] + [
            _sentence(r, TOPIC_NAMES) for _ in range(POOL_SIZE // 8)
        ]
    return _POOLS[topic]


def make_notice(rng: random.Random, seed: int) -> dict:
    main = rng.choices(TOPIC_NAMES, TOPIC_WEIGHTS)[0]
    topics = [main, main, main, rng.choice(TOPIC_NAMES)]
    agency_index = rng.randrange(len(AGENCIES))
    agency, _code = AGENCIES[agency_index]
    title = (
        f"{agency}关于{rng.choice(TITLE_VERBS)}{rng.choice(TOPICS[main])}"
        f"{rng.choice(['', '工作', '有关事项'])}的{rng.choice(GENRES)}"
    )
    paragraphs = []
    target, size = rng.randint(900, 1900), 0
    while size < target:
        para = "".join(
            rng.choice(_pool(rng.choice(topics), seed))
            for _ in range(rng.randint(2, 6))
        )
        size += len(para)
        paragraphs.append(para)
    for s, p in RARE:
        if rng.random() < p:
            i = rng.randrange(len(paragraphs))
            k = rng.randrange(len(paragraphs[i]) + 1)
            paragraphs[i] = paragraphs[i][:k] + s + paragraphs[i][k:]
    summary = _sentence(rng, topics) if rng.random() < 0.5 else ""
    attachment = ""
    if rng.random() < 0.08:
        attachment = "".join(
            rng.choice(_pool(rng.choice(TOPIC_NAMES), seed))
            for _ in range(rng.randint(5, 30))
        )
    return {
        "agency_index": agency_index,
        "title": title,
        "paragraphs": paragraphs,
        "summary": summary,
        "attachment": attachment,
    }


# -- building the scratch database -----------------------------------------------------------

CHUNK = 2000
START = datetime.fromisoformat("2008-01-01T09:00:00+08:00")
SPAN = datetime.fromisoformat("2025-06-30T18:00:00+08:00") - START


def _esc(value) -> str:
    if value is None:
        return "\\N"
    s = str(value)
    return (
        s.replace("\\", "\\\\")
        .replace("\t", "\\t")
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )


def _array(values) -> str:
    return "{" + ",".join(map(str, values)) + "}"


_WORKER: dict = {}


def _init_worker(
    seed: int, n: int, agency_ids: list[int], org_codes: list[str]
) -> None:
    _WORKER.update(seed=seed, n=n, agency_ids=agency_ids, org_codes=org_codes)


def build_chunk(first_id: int) -> tuple[bytes, bytes, bytes, float]:
    """COPY text for notices first_id … first_id + CHUNK - 1, their publishers and attachments."""
    from catalog.search import notice_search_fields

    seed, n = _WORKER["seed"], _WORKER["n"]
    notices, publishers, attachments = io.StringIO(), io.StringIO(), io.StringIO()
    search_seconds = 0.0
    for nid in range(first_id, min(first_id + CHUNK, n + 1)):
        rng = random.Random(seed * 1_000_003 + nid)
        d = make_notice(rng, seed)
        agency_id = _WORKER["agency_ids"][d["agency_index"]]
        org_code = _WORKER["org_codes"][d["agency_index"]]
        published_at = (
            START + SPAN * (nid / (n + 1)) + timedelta(hours=rng.uniform(-240, 240))
        )
        year = published_at.year
        r = rng.random()
        status = "draft" if r < 0.02 else ("withdrawn" if r < 0.05 else "published")
        index_number = None if status == "draft" else f"{org_code}/{year}-{nid:05d}"
        doc_number = (
            f"{AGENCIES[d['agency_index']][1]}〔{year}〕{nid}号"
            if rng.random() < 0.7
            else ""
        )
        body = "".join(f"<p>{html.escape(p)}</p>" for p in d["paragraphs"])
        t0 = time.perf_counter()
        fields = notice_search_fields(
            title=d["title"],
            doc_number=doc_number,
            index_number=index_number or "",
            summary=d["summary"],
            body_html=body,
            attachment_texts=[d["attachment"]] if d["attachment"] else [],
            published_at=None if status == "draft" else published_at,
        )
        search_seconds += time.perf_counter() - t0
        when = published_at.isoformat()
        row = [
            nid,
            uuid.UUID(int=rng.getrandbits(128), version=4),
            index_number,
            d["title"],
            doc_number,
            published_at.date().isoformat(),
            None if status == "draft" else when,
            "effective",
            None,
            None,
            "active",
            "面向社会",
            "",
            "{}",
            d["summary"],
            body,
            status,
            when if status == "withdrawn" else None,
            "调整" if status == "withdrawn" else "",
            when,
            when,
            fields["search_text"],
            None,
            None,
            agency_id,
            None,
            fields["search_title"],
            _array(fields["search_codes"]),
            _array(fields["search_title_codes"]),
            "other" if status == "withdrawn" else "",
        ]
        notices.write("\t".join(map(_esc, row)) + "\n")
        publishers.write(f"{nid}\t{agency_id}\t0\n")
        if d["attachment"]:
            attachments.write(
                "\t".join(
                    map(
                        _esc,
                        [
                            nid,
                            "附件1.pdf",
                            f"catalog/{uuid.UUID(int=rng.getrandbits(128), version=4).hex}",
                            "application/pdf",
                            len(d["attachment"]) * 3,
                            "",
                            d["attachment"],
                            0,
                            when,
                        ],
                    )
                )
                + "\n"
            )
    return (
        notices.getvalue().encode(),
        publishers.getvalue().encode(),
        attachments.getvalue().encode(),
        search_seconds,
    )


NOTICE_COLUMNS = (
    "id, uuid, index_number, title, doc_number, written_date, published_at, validity, valid_from, valid_until, "
    "disclosure_mode, audience, department, keywords, summary, body, status, withdrawn_at, withdrawn_reason, "
    "created_at, updated_at, search_text, column_id, genre_id, owner_agency_id, theme_id, search_title, "
    "search_codes, search_title_codes, withdrawn_category"
)


def server_url() -> str:
    return (
        os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    )


def db_url(name: str) -> str:
    return urlunparse(urlparse(server_url())._replace(path="/" + name))


def psycopg_connect(url: str):
    import psycopg2

    u = urlparse(url)
    return psycopg2.connect(
        dbname=u.path.lstrip("/"),
        user=u.username or "postgres",
        password=u.password or None,
        host=u.hostname or "127.0.0.1",
        port=u.port or 5432,
    )


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def create_database(name: str) -> None:
    conn = psycopg_connect(db_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    conn = psycopg_connect(db_url("postgres"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def migrate(name: str) -> None:
    env = dict(os.environ, DATABASE_URL=db_url(name), DEBUG="true")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        env=env,
        check=True,
        cwd=ROOT,
    )


def build(name: str, n: int, seed: int, workers: int) -> dict:
    from django.db import connection

    from portal.models import Agency

    timings = {}
    agency_ids, org_codes = [], []
    for i, (agency_name, _code) in enumerate(AGENCIES):
        code = f"{43020000 + i:08d}{i % 10}"
        a, _ = Agency.objects.get_or_create(
            name=agency_name, defaults={"short_name": agency_name, "org_code": code}
        )
        agency_ids.append(a.pk)
        org_codes.append(code)
    conn = psycopg_connect(db_url(name))
    cur = conn.cursor()
    # secondary indexes go while loading and come back with their exact definitions
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = 'catalog_notice'::regclass AND NOT i.indisprimary AND NOT EXISTS ("
        "  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)"
    )
    indexes = cur.fetchall()
    for index_name, _ in indexes:
        cur.execute(f"DROP INDEX {index_name}")
    conn.commit()
    t0 = time.perf_counter()
    search_seconds = 0.0
    with Pool(
        workers, initializer=_init_worker, initargs=(seed, n, agency_ids, org_codes)
    ) as pool:
        for i, (notices, publishers, attachments, secs) in enumerate(
            pool.imap(build_chunk, range(1, n + 1, CHUNK))
        ):
            cur.copy_expert(
                f"COPY catalog_notice ({NOTICE_COLUMNS}) FROM STDIN",
                io.BytesIO(notices),
            )
            cur.copy_expert(
                "COPY catalog_noticepublisher (notice_id, agency_id, position) FROM STDIN",
                io.BytesIO(publishers),
            )
            cur.copy_expert(
                "COPY catalog_attachment (notice_id, name, file, content_type, size, sha256, text, "
                "position, created_at) FROM STDIN",
                io.BytesIO(attachments),
            )
            conn.commit()
            search_seconds += secs
            done = min((i + 1) * CHUNK, n)
            if done % 50_000 < CHUNK or done == n:
                log(f"loaded {done:,} notices ({time.perf_counter() - t0:.0f} s)")
    timings["load_s"] = time.perf_counter() - t0
    timings["search_fields_ms_per_notice"] = search_seconds / n * 1000
    for table in ("catalog_notice", "catalog_noticepublisher", "catalog_attachment"):
        cur.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 - fixed table names
        )
    conn.commit()
    from catalog.filters import compact_facet_tally

    compact_facet_tally()  # the triggers appended a row per counted value of every notice
    cur.execute("SET maintenance_work_mem = '1GB'")
    for index_name, definition in indexes:
        t1 = time.perf_counter()
        cur.execute(definition)
        conn.commit()
        timings[f"index {index_name}"] = time.perf_counter() - t1
        log(f"index {index_name}: {timings[f'index {index_name}']:.0f} s")
    conn.autocommit = True
    t1 = time.perf_counter()
    cur.execute("VACUUM (ANALYZE) catalog_notice")
    cur.execute("VACUUM (ANALYZE) catalog_noticepublisher")
    cur.execute("VACUUM (ANALYZE) catalog_attachment")
    timings["vacuum_analyze_s"] = time.perf_counter() - t1
    cur.execute(
        "SELECT pg_size_pretty(pg_total_relation_size('catalog_notice')), "
        "pg_size_pretty(pg_relation_size('catalog_notice_codes_gin')), "
        "pg_size_pretty(pg_relation_size('catalog_notice_title_codes_gin'))"
    )
    timings["sizes"] = cur.fetchone()
    conn.close()
    connection.close()
    return timings


# -- measuring -------------------------------------------------------------------------------

QUERIES = [
    # (label, query)
    ("1 char, common", "税"),
    ("1 char, common", "水"),
    ("1 char, everywhere", "的"),
    ("1 char, rare", "茶"),
    ("2 chars, very common", "通知"),
    ("2 chars, common", "教育"),
    ("2 chars, mid", "扶贫"),
    ("2 chars, rare", "双减"),
    ("2 chars, across a word boundary", "育局"),
    ("2 chars, none", "量子"),
    ("3 chars", "教育局"),
    ("3 chars, across words", "知如下"),
    ("4 chars, very common", "人民政府"),
    ("4 chars", "义务教育"),
    ("5 chars, common", "高质量发展"),
    ("3 chars, rare", "碳达峰"),
    ("Latin+digits", "5g基站"),
    ("full-width", "ＡＢＣ１２３"),
    ("Latin", "GDP"),
    ("Latin+digits+dot", "pm2.5浓度"),
    ("6 chars, rare", "长株潭一体化"),
    ("7 chars, very rare", "茶陵县云阳街道"),
    ("punctuation inside", "互联网+政务服务"),
    ("none", "量子纠缠"),
    ("2 words, common", "教育 通知"),
    ("2 words, rare + common", "5g基站 人民政府"),
    ("2 words, rare + rare", "长株潭一体化 营商环境"),
    ("3 words", "税收 优惠 小规模纳税人"),
    ("4 words", "乡村振兴 高标准农田 粮食安全 耕地保护"),
    ("2 words, none", "教育 量子"),
    ("number", "2023年"),
    ("索引号", "@index_number"),
    ("发文字号", "@doc_number"),
]


def like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def scan_sql(terms) -> tuple[str, list[str]]:
    where = " AND ".join("search_text ILIKE %s" for _ in terms)
    return (
        f"FROM catalog_notice WHERE status = 'published' AND published_at IS NOT NULL AND {where}",
        [f"%{like_escape(t)}%" for t in terms],
    )


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# -- a query set drawn afresh from the corpus ----------------------------------------------

CITIZEN_PHRASES = [
    "低保怎么申请",
    "低保 申请条件",
    "公租房 申请",
    "养老保险 缴费标准",
    "医保 报销比例",
    "高校毕业生 就业补贴",
    "拆迁补偿标准",
    "征地补偿",
    "2024年 预算",
    "2023年 部门决算",
    "三公经费",
    "义务教育 招生入学 划片",
    "幼儿园 收费",
    "老旧小区改造 补助",
    "电动自行车 充电",
    "停车场 收费标准",
    "农民工工资 拖欠",
    "最低工资标准",
    "残疾人 补贴",
    "临时救助 申请",
    "营商环境 优化",
    "个体工商户 税收优惠",
    "小规模纳税人 增值税",
    "疫苗接种 时间",
    "核酸检测",
    "家庭医生 签约",
    "住房公积金 提取",
    "宅基地 审批",
    "高标准农田 建设",
    "河长制",
    "噪声 投诉",
    "森林防火 通告",
    "防汛抗旱 应急预案",
    "政府采购 公告",
    "专项资金 绩效评价",
    "天元区教育局",
    "群丰镇人民政府",
    "嵩山路街道 社区",
    "信息公开指南",
    "依申请公开",
]
ADVERSARIAL = [
    "%",
    "_",
    "%%",
    "100%",
    "a_b",
    "\\",
    "'",
    "' OR 1=1 --",
    "'; DROP TABLE catalog_notice; --",
    "<script>alert(1)</script>",
    "& | ! <-> ( ) : *",
    "教育 & 通知",
    "!教育",
    "教育:*",
    "的的的的",
    "的 的 的",
    "000",
    "0000000",
    "1",
    "a",
    "e",
    "pm2.5",
    "５Ｇ",
    "ＧＤＰ",
    "Gdp",
    "😀",
    "𠀀",
    "教育😀",
    "é",
    "\u3000教育\u3000通知",
    "一 二 三 四 五 六 七 八 九 十 十一 十二",
    "〔2016〕",
    "〔",
    "，",
    "。",
    "年",
    "万元",
    "0万元",
]


def _segments(text: str) -> list[str]:
    return [seg for seg in text.split() if seg]


def _substring(rng: random.Random, text: str, length: int, ascii_bias: bool) -> str:
    segs = [seg for seg in _segments(text) if len(seg) >= length] or _segments(text)
    if not segs:
        return ""
    if ascii_bias:
        # start at or just before a digit or Latin letter (amounts, years, 发文字号, PM2.5 …)
        spots = [
            (seg, i)
            for seg in segs
            for i, ch in enumerate(seg)
            if ch.isascii() and ch.isalnum() and len(seg) >= length
        ]
        if spots:
            seg, i = rng.choice(spots)
            i = max(0, min(i - rng.randint(0, length - 1), len(seg) - length))
            return seg[i : i + length]
    seg = rng.choice(segs)
    length = min(length, len(seg))
    i = rng.randrange(len(seg) - length + 1)
    return seg[i : i + length]


def generated_queries(seed: int, count: int) -> list[tuple[str, str]]:
    """``count`` queries drawn from the corpus with ``seed`` (labels say how each was made).

    40 % single substrings of 1–8 characters of a random listed notice (half of them around a
    digit or Latin letter), 25 % 2–5-word combinations of substrings (of one notice, or of
    several), 15 % citizen phrases, 20 % adversarial strings (LIKE and tsquery operators, SQL,
    HTML, full-width, emoji, astral CJK, digits + units).
    """
    from django.db import connection

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(id), max(id) FROM catalog_notice WHERE status = 'published'"
        )
        low, high = cur.fetchone()

    def texts(k: int) -> list[str]:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT search_text FROM catalog_notice WHERE status = 'published' "
                "AND id = ANY(%s)",
                [[rng.randint(low, high) for _ in range(k * 3)]],
            )
            found = [r[0] for r in cur.fetchall()]
        rng.shuffle(found)
        return found[:k] or texts(k)

    n_sub = round(count * 0.40)
    n_multi = round(count * 0.25)
    n_citizen = round(count * 0.15)
    n_adv = count - n_sub - n_multi - n_citizen
    out: list[tuple[str, str]] = []
    for text in texts(n_sub):
        length = rng.randint(1, 8)
        bias = rng.random() < 0.5
        q = _substring(rng, text, length, bias)
        if q:
            out.append((f"substring {len(q)}{' near digit/Latin' if bias else ''}", q))
    for _ in range(n_multi):
        k = rng.randint(2, 5)
        same = rng.random() < 0.6
        source = texts(1) * k if same else texts(k)
        words = [
            _substring(rng, t, rng.randint(1, 4), rng.random() < 0.3) for t in source
        ]
        words = [w for w in dict.fromkeys(words) if w]
        if words:
            label = f"{len(words)} words, {'one notice' if same else 'several notices'}"
            out.append((label, " ".join(words)))
    out += [("citizen phrase", q) for q in rng.sample(CITIZEN_PHRASES, n_citizen)]
    adv = rng.sample(ADVERSARIAL, min(n_adv, len(ADVERSARIAL)))
    out += [("adversarial", q) for q in adv]
    return out


def measure_query(args, label: str, q: str, listed) -> dict | None:
    from django.db import connection

    from catalog import search
    from catalog.models import SearchCount

    parsed = search.parse_query(q)
    terms = parsed.effective_terms
    if not terms:
        log(f"{q!r:>24} skipped: no words after normalisation")
        return None
    cold, cold_page, warm = [], [], []
    page = None
    for run in range(args.runs):
        if run < args.cold_runs:
            SearchCount.objects.all().delete()
        # as the search page does: the page first (its total pending when not known),
        # then the total (page.complete(): streamed after the results)
        t0 = time.perf_counter()
        page = search.search_notices(
            listed, parsed, order="relevance", defer_total=True
        )
        page_ms = (time.perf_counter() - t0) * 1000
        page.complete()
        elapsed = (time.perf_counter() - t0) * 1000
        if run < args.cold_runs:
            cold.append(elapsed)
            cold_page.append(page_ms)
        else:
            warm.append(elapsed)
    next_ms = float("nan")
    if page.next_cursor:
        t0 = time.perf_counter()
        search.search_notices(
            listed, parsed, order="relevance", cursor=page.next_cursor
        )
        next_ms = (time.perf_counter() - t0) * 1000
    SearchCount.objects.all().delete()
    date_page = search.search_notices(listed, parsed, order="date")
    # the naive scan: one sequential pass for the top 20 and the exact total
    frm, params = scan_sql(terms)
    # (one statement: every match in date order gives the newest 20, the total and the truth)
    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(f"SELECT id {frm} ORDER BY published_at DESC, id DESC", params)
        every = [r[0] for r in cur.fetchall()]
        scan_ms = (time.perf_counter() - t0) * 1000
    scan_rows = [(i,) for i in every[:20]]
    truth = set(every)
    matched = search.matching(listed, parsed)
    ours = set(
        search.matched_ids(matched)
        if hasattr(search, "matched_ids")
        else matched.values_list("id", flat=True)
    )
    scan_total = len(every)
    expected_total = min(scan_total, search.COUNT_CAP)
    checks = []
    if page.total != expected_total or page.total_capped != (
        scan_total > search.COUNT_CAP
    ):
        checks.append(
            f"total {page.total}{'+' if page.total_capped else ''} ≠ scan {scan_total}"
        )
    if [n.pk for n in date_page.results] != [r[0] for r in scan_rows]:
        checks.append("first page (date order) differs from the scan")
    if len(truth) <= args.page_all:
        seen, cursor, pages = [], None, 0
        while True:
            p = search.search_notices(
                listed, parsed, order="relevance", cursor=cursor, limit=100
            )
            seen += [n.pk for n in p.results]
            pages += 1
            cursor = p.next_cursor
            if not cursor or pages > 200:
                break
        if len(seen) != len(set(seen)):
            checks.append("duplicates across pages")
        if set(seen) != truth:
            checks.append(
                f"paged set differs ({len(set(seen) - truth)} extra, {len(truth - set(seen))} missing)"
            )
    recall = len(ours & truth) / len(truth) if truth else 1.0
    if recall < 1 or ours - truth:
        checks.append("matching() set differs from the scan")
    row = {
        "load": os.getloadavg()[0],
        "label": label,
        "query": q,
        "matches": scan_total,
        "cold": cold,
        "cold_page": cold_page,
        "warm": warm,
        "next_ms": next_ms,
        "scan_ms": scan_ms,
        "recall": recall,
        "false_pos": len(ours - truth),
        "checks": checks,
        "total": f"{page.total:,}{'+' if page.total_capped else ''}",
    }
    log(
        f"{q!r:>24} {scan_total:>8,} matches  search cold {statistics.median(cold):7.1f} ms"
        f" (page {statistics.median(cold_page):6.1f})"
        f"  warm {statistics.median(warm) if warm else float('nan'):6.1f} ms  next {next_ms:6.1f} ms"
        f"  scan {scan_ms:8.0f} ms  ×{scan_ms / statistics.median(cold):.0f}  recall {recall:.0%}"
        f"  fp {row['false_pos']}  load {row['load']:.1f}"
        + (f"  PROBLEMS: {'; '.join(checks)}" if checks else "")
    )
    return row


def measure(args, queries: list[tuple[str, str]]) -> list[dict]:
    from django.db import connection

    from catalog.models import Notice

    sample = Notice.objects.listed().exclude(doc_number="").order_by("id")
    middle = sample[sample.count() // 2]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT version(), current_setting('shared_buffers'), current_setting('work_mem'), "
            "(SELECT count(*) FROM catalog_notice), (SELECT count(*) FROM catalog_notice "
            "WHERE status = 'published')"
        )
        info = cur.fetchone()
    log(
        f"{info[0].split(' on ')[0]}; shared_buffers {info[1]}, work_mem {info[2]}; "
        f"{info[3]:,} notices, {info[4]:,} listed; {os.cpu_count()} CPUs, load average "
        + " ".join(f"{x:.2f}" for x in os.getloadavg())
    )
    listed = Notice.objects.listed()
    results = []
    for label, q in queries:
        if q == "@index_number":
            q = middle.index_number
        elif q == "@doc_number":
            q = middle.doc_number
        row = measure_query(args, label, q, listed)
        if row is not None:
            results.append(row)
    return results


def report(results: list[dict], n: int, title: str) -> None:
    if not results:
        return
    cold = [t for r in results for t in r["cold"]]
    cold_page = [t for r in results for t in r["cold_page"]]
    warm = [t for r in results for t in r["warm"]]
    scan = [r["scan_ms"] for r in results]
    nexts = [r["next_ms"] for r in results if r["next_ms"] == r["next_ms"]]
    print()
    print(f"## {title}: N = {n:,} notices, {len(results)} queries")
    print(
        "| query | what | matches | total shown | first page p50 (ms) | page + total p50 uncached (ms) "
        "| search p50 cached (ms) | next page (ms) "
        "| ILIKE scan (ms) | ratio page | ratio page + total | recall | false pos. |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        c = statistics.median(r["cold"])
        cp = statistics.median(r["cold_page"])
        w = statistics.median(r["warm"]) if r["warm"] else float("nan")
        print(
            f"| `{r['query']}` | {r['label']} | {r['matches']:,} | {r['total']} | {cp:.1f} | {c:.1f} | {w:.1f} | "
            f"{r['next_ms']:.1f} | {r['scan_ms']:.0f} | {r['scan_ms'] / cp:.0f}× | {r['scan_ms'] / c:.0f}× | "
            f"{r['recall']:.0%} | {r['false_pos']} |"
        )
    print()
    print(
        f"first page, total not known (shown before the total): p50 {pct(cold_page, 0.5):.1f} ms, "
        f"p95 {pct(cold_page, 0.95):.1f} ms, max {max(cold_page):.1f} ms ({len(cold_page)} runs)"
    )
    page_ratios = sorted(
        (r["scan_ms"] / statistics.median(r["cold_page"]), r["query"]) for r in results
    )
    print(
        f"ratio (scan / median first page) per query: p50 {pct([x for x, _ in page_ratios], 0.5):.0f}×; "
        f"{sum(1 for x, _ in page_ratios if x < 100)} of {len(page_ratios)} below 100×; worst: "
        + ", ".join(f"{q!r} {x:.0f}×" for x, q in page_ratios[:5])
    )
    print(
        f"page + total, count not cached: p50 {pct(cold, 0.5):.1f} ms, p95 {pct(cold, 0.95):.1f} ms, "
        f"max {max(cold):.1f} ms ({len(cold)} runs)"
    )
    if warm:
        print(
            f"search, count cached:     p50 {pct(warm, 0.5):.1f} ms, p95 {pct(warm, 0.95):.1f} ms, "
            f"max {max(warm):.1f} ms ({len(warm)} runs)"
        )
    if nexts:
        print(
            f"next page (cursor):       p50 {pct(nexts, 0.5):.1f} ms, p95 {pct(nexts, 0.95):.1f} ms"
        )
    print(
        f"ILIKE scan:               p50 {pct(scan, 0.5):.0f} ms, p95 {pct(scan, 0.95):.0f} ms"
    )
    ratios = sorted(
        (r["scan_ms"] / statistics.median(r["cold"]), r["query"]) for r in results
    )
    slow = [r for r in results if statistics.median(r["cold"]) > 50]
    print(
        f"ratio (scan / median uncached search) per query: p50 {pct([x for x, _ in ratios], 0.5):.0f}×; "
        f"{sum(1 for x, _ in ratios if x < 100)} of {len(ratios)} below 100×; worst: "
        + ", ".join(f"{q!r} {x:.0f}×" for x, q in ratios[:5])
    )
    print(
        f"queries with an uncached median above 50 ms: {len(slow)} of {len(results)}"
        + (
            ": "
            + ", ".join(
                f"{r['query']!r} {statistics.median(r['cold']):.0f} ms" for r in slow
            )
            if slow
            else ""
        )
    )
    total_truth = sum(r["matches"] for r in results)
    fp = sum(r["false_pos"] for r in results)
    worst = min(r["recall"] for r in results)
    problems = [r for r in results if r["checks"]]
    loads = [r["load"] for r in results]
    print(
        f"1-minute load average during the queries: {min(loads):.1f}–{max(loads):.1f} "
        f"(median {statistics.median(loads):.1f}) on {os.cpu_count()} CPUs"
    )
    print(
        f"recall: minimum {worst:.2%} over {len(results)} queries ({total_truth:,} matches); "
        f"false positives: {fp}; queries with problems: {len(problems)}"
        + "".join(f"\n  {r['query']!r}: {'; '.join(r['checks'])}" for r in problems)
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=1_000_000, help="notices to build (default 1,000,000)"
    )
    parser.add_argument("--db", default="bench_search", help="scratch database name")
    parser.add_argument(
        "--corpus-seed", type=int, default=1, help="seed of the generated notices"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="seed of the generated query set (default: a fresh one, printed)",
    )
    parser.add_argument(
        "--generated",
        type=int,
        default=76,
        help="queries drawn afresh from the corpus (0: none)",
    )
    parser.add_argument(
        "--no-fixed", action="store_true", help="skip the 33 fixed queries"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="processes generating notices"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs per query")
    parser.add_argument(
        "--cold-runs",
        type=int,
        default=3,
        help="of which with the count cache emptied first",
    )
    parser.add_argument(
        "--page-all",
        type=int,
        default=2000,
        help="page through every result of queries with at most this many matches",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the kept database without rebuilding",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = db_url(args.db)
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    build_info = None
    if not args.reuse:
        log(f"creating {args.db} and migrating")
        create_database(args.db)
        migrate(args.db)
    import django

    django.setup()
    from django.db import connection

    try:
        if not args.reuse:
            log(f"building {args.n:,} notices with {args.workers} workers")
            build_info = build(args.db, args.n, args.corpus_seed, args.workers)
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM catalog_notice")
            n = cur.fetchone()[0]
        if build_info:
            for k, v in build_info.items():
                print(f"  {k}: {v if not isinstance(v, float) else round(v, 2)}")
        seed = (
            args.seed
            if args.seed is not None
            else random.SystemRandom().randrange(10**6)
        )
        fixed = [] if args.no_fixed else measure(args, QUERIES)
        drawn = []
        if args.generated:
            queries = generated_queries(seed, args.generated)
            log(f"generated query set: seed {seed} (repeat with --seed {seed})")
            drawn = measure(args, queries)
        report(fixed, n, "fixed query set")
        report(drawn, n, f"generated query set, seed {seed}")
        if fixed and drawn:
            report(fixed + drawn, n, "both sets")
    finally:
        if not args.keep:
            drop_database(args.db)


if __name__ == "__main__":
    main()
