"""import_notices under attack and bad input (security.md §8, issue 11 §1.1, §2.2–§2.4)."""

from __future__ import annotations

import os

import pytest

from catalog.models import Attachment, Notice
from tests.catalog.test_import_export import good, run_import, write_jsonl
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(db):
    return [AgencyFactory(name="天元区教育局", org_code="00001434-9")]


def imported() -> list[str]:
    return sorted(Notice.objects.values_list("index_number", flat=True))


@pytest.fixture
def outside(tmp_path):
    """A readable file outside the import folder (stands for /etc/passwd)."""
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    folder = tmp_path / "import"
    folder.mkdir()
    return folder, secret


@pytest.mark.parametrize(
    ("make_path", "expected"),
    [
        (lambda folder, secret: str(secret), "是绝对路径"),
        (lambda folder, secret: "/etc/passwd", "是绝对路径"),
        (lambda folder, secret: "../secret.txt", "指向附件目录之外"),
        (lambda folder, secret: "../../../../../../etc/passwd", "指向附件目录之外"),
        (lambda folder, secret: "C:\\Windows\\win.ini", "是绝对路径"),
    ],
)
def test_attachment_paths_outside_the_folder_are_line_errors(
    agencies, outside, make_path, expected
):
    folder, secret = outside
    raw = make_path(folder, secret)
    path = write_jsonl(
        folder,
        [good(1), good(2, attachments=[{"name": "附件.txt", "path": raw}]), good(3)],
    )
    out, err = run_import(path)
    assert f"第 2 行：字段 attachments（附件）第 1 项的文件“{raw}”" in err, err
    assert expected in err
    assert "新增 2 条，更新 0 条，跳过 1 条" in out
    assert imported() == ["00001434-9/2024-00001", "00001434-9/2024-00003"]
    assert not Attachment.objects.filter(text__contains="root:x").exists()


def test_symlink_pointing_out_and_special_files_are_refused(agencies, outside):
    folder, secret = outside
    (folder / "link.txt").symlink_to(secret)
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")
    (folder / "dir.txt").mkdir()
    (folder / "sub").mkdir()
    (folder / "ok.txt").write_text("可以导入的附件", encoding="utf-8")
    (folder / "inner.txt").symlink_to(folder / "ok.txt")  # a link inside is fine
    path = write_jsonl(
        folder,
        [
            good(1, attachments=[{"path": "link.txt"}]),
            good(2, attachments=[{"path": "zero.txt"}]),
            good(3, attachments=[{"path": "pipe.txt"}]),
            good(4, attachments=[{"path": "dir.txt"}]),
            good(5, attachments=[{"path": "inner.txt"}, {"path": "sub/../ok.txt"}]),
        ],
    )
    out, err = run_import(path)  # a FIFO must not block the run
    assert (
        "第 1 行：字段 attachments（附件）第 1 项的文件“link.txt”指向附件目录之外"
        in err
    )
    assert (
        "第 2 行：字段 attachments（附件）第 1 项的文件“zero.txt”指向附件目录之外"
        in err
    )
    assert "第 3 行：字段 attachments（附件）第 1 项的文件“pipe.txt”不是普通文件" in err
    assert "第 4 行：字段 attachments（附件）第 1 项的文件“dir.txt”不是普通文件" in err
    assert "新增 1 条，更新 0 条，跳过 4 条" in out
    assert imported() == ["00001434-9/2024-00005"]
    assert [a.text for a in Attachment.objects.order_by("position")] == [
        "可以导入的附件",
        "可以导入的附件",
    ]


def test_attachments_root_option_sets_the_folder(agencies, tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    (files / "a.txt").write_text("附件正文", encoding="utf-8")
    lists = tmp_path / "lists"
    lists.mkdir()
    path = write_jsonl(
        lists,
        [
            good(1, attachments=[{"path": "a.txt"}]),
            good(2, attachments=[{"path": "../lists/notices.jsonl"}]),
        ],
    )
    _out, err = run_import(path, "--attachments-root", str(files))
    assert "第 2 行" in err
    assert "指向附件目录之外" in err
    assert imported() == ["00001434-9/2024-00001"]
    assert Attachment.objects.get().text == "附件正文"


def test_nul_surrogate_and_deep_nesting_are_line_errors(agencies, tmp_path):
    import json

    nul = json.dumps(good(2, title="关于\u0000的通知"), ensure_ascii=False)
    surrogate = json.dumps(good(3, title="x"), ensure_ascii=False).replace(
        '"x"', '"\\ud800"'
    )
    path = write_jsonl(
        tmp_path,
        [good(1), nul, surrogate, "[" * 5000 + "]" * 5000, good(5)],
    )
    out, err = run_import(path)
    assert "第 2 行：字段 title 含有空字符" in err
    assert "第 3 行：字段 title 含有不成对的代理字符" in err
    assert "第 4 行：嵌套过深" in err
    assert "新增 2 条，更新 0 条，跳过 3 条" in out
    assert imported() == ["00001434-9/2024-00001", "00001434-9/2024-00005"]


def test_a_gbk_line_is_reported_with_its_true_number(agencies, tmp_path):
    import json

    lines = [json.dumps(good(n), ensure_ascii=False).encode() for n in range(1, 5)]
    lines[2] = json.dumps(good(3), ensure_ascii=False).encode("gbk")
    path = tmp_path / "notices.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    out, err = run_import(path)
    assert "第 3 行：不是 UTF-8 编码的文本" in err
    assert "新增 3 条，更新 0 条，跳过 1 条" in out


def test_an_index_number_repeated_in_the_file_names_both_lines(agencies, tmp_path):
    path = write_jsonl(tmp_path, [good(1), good(2), good(1, title="改过的标题")])
    out, err = run_import(path)
    assert "第 3 行：字段 index_no（索引号）“00001434-9/2024-00001”与第 1 行重复" in err
    assert "新增 2 条，更新 0 条，跳过 1 条" in out
    assert Notice.objects.get(index_number="00001434-9/2024-00001").title == (
        "关于做好第1项工作的通知"
    )


class SimulatedKill(BaseException):
    """Stands for kill -9: nothing of the run's own cleanup runs after it."""


def test_a_killed_import_leaves_no_files_without_rows_after_the_rerun(
    agencies, tmp_path, monkeypatch, settings
):
    from pathlib import Path

    from catalog.management import notice_jsonl

    (tmp_path / "a.txt").write_text("第一个附件", encoding="utf-8")
    (tmp_path / "b.txt").write_text("第二个附件", encoding="utf-8")
    path = write_jsonl(
        tmp_path,
        [
            good(1, attachments=[{"path": "a.txt"}]),
            good(2, attachments=[{"path": "a.txt"}, {"path": "b.txt"}]),
        ],
    )
    real_add = notice_jsonl.attachment_add
    calls = {"n": 0}

    def killed_after_writing_the_second_file(**kwargs):
        attachment = real_add(**kwargs)
        calls["n"] += 1
        if calls["n"] == 2:
            raise SimulatedKill
        return attachment

    def stored_files():
        return [
            p for p in (Path(settings.MEDIA_ROOT) / "catalog").rglob("*") if p.is_file()
        ]

    monkeypatch.setattr(
        notice_jsonl, "attachment_add", killed_after_writing_the_second_file
    )
    # a killed process runs none of its cleanup
    monkeypatch.setattr(notice_jsonl, "_discard_files", lambda stored: None)
    monkeypatch.setattr(notice_jsonl.FileJournal, "close", lambda self: None)
    with pytest.raises(SimulatedKill):
        run_import(path)
    assert Attachment.objects.count() == 1
    assert len(stored_files()) == 2  # one file without a row
    monkeypatch.undo()
    monkeypatch.setattr(notice_jsonl, "_alive", lambda pid: False)  # the run is gone

    out, _ = run_import(path)
    assert "已删除上次中断的导入留下的 1 个附件文件" in out
    assert Attachment.objects.count() == 3
    assert len(stored_files()) == 3
    assert sorted(a.file.name for a in Attachment.objects.all()) == sorted(
        p.relative_to(settings.MEDIA_ROOT).as_posix() for p in stored_files()
    )
    assert not list((Path(settings.MEDIA_ROOT) / ".import-journal").iterdir())
