"""One line of a JSON Lines import file, read safely (docs/security.md §8, issue 11 §2.2).

Shared by ``import_notices`` and ``import_requests``: the bytes of one line are decoded
on their own (a bad line is reported with its true number and the run goes on), and
what PostgreSQL or the code cannot take is a line error, never a traceback:

* bytes that are not UTF-8;
* JSON nested deeper than ``MAX_DEPTH`` (``RecursionError`` in the parser otherwise);
* a NUL character (``\\u0000``) in any string or key — PostgreSQL refuses it;
* a lone surrogate (``\\ud800``) — not encodable as UTF-8, so not storable.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 20  # the formats nest three levels at most
MAX_LINE_BYTES = 1_000_000


class JsonLineError(ValueError):
    """A line that cannot be read; ``str()`` is the Chinese reason."""


def _where(path: list[str]) -> str:
    return f"字段 {'.'.join(path)} " if path else ""


def _check_text(text: str, path: list[str]) -> None:
    if "\x00" in text:
        raise JsonLineError(f"{_where(path)}含有空字符（\\u0000），无法保存")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JsonLineError(
            f"{_where(path)}含有不成对的代理字符（如 \\ud800），不是有效的文字"
        ) from exc


def check_values(obj: Any) -> None:
    """Raise ``JsonLineError`` for NULs, lone surrogates or nesting past ``MAX_DEPTH``
    anywhere in ``obj`` (keys included). Iterative: no recursion limit to hit."""
    stack: list[tuple[Any, list[str], int]] = [(obj, [], 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonLineError(f"嵌套过深（超过 {MAX_DEPTH} 层）")
        if isinstance(value, str):
            _check_text(value, path)
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path)
                stack.append((item, [*path, key][:3], depth + 1))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                stack.append((item, [*path, str(i + 1)][:3], depth + 1))


def loads_line(raw: bytes) -> Any:
    """The JSON value of one line's bytes, checked by ``check_values``."""
    if len(raw) > MAX_LINE_BYTES:
        raise JsonLineError(f"行太长（超过 {MAX_LINE_BYTES // 1000} KB）")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonLineError(
            f"不是 UTF-8 编码的文本（第 {exc.start + 1} 个字节起无法解码，"
            "可能是 GBK 编码；请另存为 UTF-8）"
        ) from exc
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonLineError(f"不是有效的 JSON：{exc.msg}（第 {exc.colno} 列）") from exc
    except RecursionError as exc:
        raise JsonLineError(f"嵌套过深（超过 {MAX_DEPTH} 层）") from exc
    check_values(value)
    return value


def read_lines(handle):
    """``(line number, bytes)`` of each non-blank line of a binary file, BOM removed
    from the first; line numbers count every line, blank ones included."""
    for number, raw in enumerate(handle, start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if raw.strip():
            yield number, raw
