"""Spreadsheet exports that cannot run code (docs/security.md §8, issue 11 §1.5).

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by Excel, WPS and LibreOffice as a formula (``=HYPERLINK(…)``, ``=cmd|…``, DDE). Every
CSV and XLSX export writes its cells through these helpers:

* CSV: text cells that begin with such a character get a leading apostrophe
  (``'=HYPERLINK(…)``), which spreadsheet programs show as text; numbers stay numbers.
* XLSX: text cells are written with the string type (``data_type = "s"``), never as
  formulas; numbers, including negative ones, stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def neutralise_text(text: str) -> str:
    """``text`` with an apostrophe in front when a spreadsheet would take it as a
    formula; a plain number written as text ("-1.5") is left as it is."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def csv_row(values: Iterable[Any]) -> list[Any]:
    """A CSV row with its text cells neutralised (pass it to ``csv.writer.writerow``)."""
    return [neutralise_text(v) if isinstance(v, str) else v for v in values]


class _SafeWriter:
    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow(csv_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """``csv.writer(stream)`` whose rows go through ``csv_row``: the one CSV writer of
    every export."""
    return _SafeWriter(csv.writer(stream, **kwargs))


def xlsx_text(cell, text: str) -> None:
    """Write ``text`` into an openpyxl cell as a string, never as a formula."""
    cell.value = text
    cell.data_type = "s"
