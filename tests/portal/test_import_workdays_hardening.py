"""import_workdays under bad input: a NUL, a control character or an undecodable
line is reported with its line number, never a traceback (security.md §8, issue 11 §2.2)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from portal.models import WorkCalendarDay

pytestmark = pytest.mark.django_db

HEAD = "年份：2027\n依据：国务院办公厅关于2027年部分节假日安排的通知\n"


def test_nul_in_a_name_is_a_line_error(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(HEAD + "元\u0000旦 放假 2027-01-01\n", encoding="utf-8")
    before = WorkCalendarDay.objects.count()
    with pytest.raises(CommandError, match="第 3 行：含有控制字符、空字符"):
        call_command("import_workdays", str(path))
    assert WorkCalendarDay.objects.count() == before


def test_a_gbk_line_is_named_by_its_number(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_bytes(
        HEAD.encode()
        + "元旦 放假 2027-01-01\n".encode()
        + "春节 放假 2027-02-06\n".encode("gbk")
    )
    with pytest.raises(CommandError, match="第 4 行：不是 UTF-8 编码"):
        call_command("import_workdays", str(path))
