"""Model writes live in services modules (docs/conventions.md, "Where writes live").

Every ``.save(`` / ``.create(`` / ``.update(`` / ``.delete(`` / ``bulk_create`` /
``bulk_update`` / ``get_or_create`` / ``update_or_create`` call on a model, and every
``super().save_model(`` / ``super().delete_model(`` in an admin, must be in
``*/services.py`` or ``*/services/*.py`` (or a migration, or a test). A service writes
the event or history row that the bare write would skip. This test parses the code
(no import) and fails naming each call outside those places that is not in
``ALLOWED`` below.

The receiver decides whether a call is a model write (see ``model_write``): dict/set/
hash ``update``, a cache's or a storage's ``delete(key)``, a workbook's ``save(buffer)``
and ``form.save(commit=False)`` are not.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "catalog", "requests_app", "disclosure")

ALWAYS_WRITES = {"bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# QuerySet methods: a chain through one of these (or through ``.objects``) ends in a
# QuerySet, so ``.update(...)`` / ``.delete()`` on it writes rows.
QUERYSET_HOPS = {
    "objects",
    "_default_manager",
    "_base_manager",
    "filter",
    "exclude",
    "all",
    "select_for_update",
    "order_by",
    "using",
    "select_related",
    "prefetch_related",
    "annotate",
}
ADMIN_DELEGATES = {"save_model", "delete_model", "delete_queryset"}

# Every entry: (file, function or "*" for the whole file) -> why it may stay.
ALLOWED: dict[tuple[str, str], str] = {
    # Demo data: builds a fictitious, already-lived history (its events included) on an
    # empty database in bulk, for `seed_demo` only; never reached by a user action.
    ("portal/demo.py", "*"): "demo data builder",
    ("catalog/demo.py", "*"): "demo data builder",
    ("disclosure/demo.py", "*"): "demo data builder",
    ("portal/management/commands/ensure_demo_admin.py", "*"): "demo login, dev only",
    # The work calendar's services module (atomic, each change logged to the append-only
    # WorkCalendarChange, announced on commit): a services module by another name.
    ("portal/calendar_services.py", "*"): "work calendar services (WorkCalendarChange)",
    # Attachment writers: keyword-only, atomic, each writing a NoticeEvent; the module
    # is the attachment service (file inspection + storage + row), kept beside the
    # inspector rather than in catalog/services.py.
    ("catalog/attachments.py", "*"): "attachment service module (writes events)",
    # Rate-limit counters and the reminder claim log are bookkeeping, not records of
    # the portal: a row is a counter or a claim ("this reminder is being sent"), with
    # no history to keep. They are written where they are counted/claimed.
    ("portal/ratelimit.py", "*"): "rate-limit counters",
    ("portal/management/commands/purge_rate_limits.py", "*"): "rate-limit counters",
    (
        "requests_app/management/commands/send_deadline_reminders.py",
        "*",
    ): "reminder claim log (claim, confirm, release)",
}


def _source_files() -> list[Path]:
    files: list[Path] = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts:
                continue
            if rel.name == "services.py" or "services" in rel.parts[:-1]:
                continue
            files.append(path)
    return files


def _chain(node: ast.expr) -> list[str]:
    """Attribute and call names along a receiver, innermost first."""
    names: list[str] = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Name):
            names.append(node.id)
            return list(reversed(names))
        else:
            return list(reversed(names))


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _is_false(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is False


def model_write(call: ast.Call) -> str | None:
    """The method name when ``call`` writes a model row, else None."""
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    receiver = func.value
    chain = _chain(receiver)
    if method in ALWAYS_WRITES:
        return method
    if method in ADMIN_DELEGATES:
        # super().save_model(...): Django's bare obj.save() from the admin
        if isinstance(receiver, ast.Call) and _chain(receiver) == ["super"]:
            return f"super().{method}"
        return None
    if method == "create":
        return method
    if method == "save":
        if _is_false(_kw(call, "commit")) or _is_false(_kw(call, "save")):
            return None  # form.save(commit=False), field_file.save(..., save=False)
        if call.args and isinstance(receiver, ast.Name):
            return None  # workbook.save(buffer), image.save(path): not a model
        return method
    if method == "update":
        if any(hop in QUERYSET_HOPS for hop in chain[1:]) or (
            chain and chain[-1].endswith(("qs", "queryset"))
        ):
            return method
        return None  # dict.update, set.update, digest.update, attrs.update
    if method == "delete":
        if call.args:
            return None  # cache.delete(key), storage.delete(name)
        if _is_false(_kw(call, "save")):
            return None  # field_file.delete(save=False): the file only
        return method
    return None


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.functions: list[str] = []
        self.found: list[tuple[int, str, str]] = []

    def _function(self, node) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        method = model_write(node)
        if method:
            where = self.functions[-1] if self.functions else "<module>"
            self.found.append((node.lineno, where, method))
        self.generic_visit(node)


def writes_in(source: str) -> list[tuple[int, str, str]]:
    finder = _Finder()
    finder.visit(ast.parse(source))
    return finder.found


def test_model_writes_only_in_services():
    offending = []
    used: set[tuple[str, str]] = set()
    for path in _source_files():
        rel = path.relative_to(ROOT).as_posix()
        for line, function, method in writes_in(path.read_text(encoding="utf-8")):
            for key in ((rel, function), (rel, "*")):
                if key in ALLOWED:
                    used.add(key)
                    break
            else:
                offending.append(f"{rel}:{line} {function}(): .{method}(")
    assert not offending, (
        "model writes outside services modules (move them into a service that writes "
        "an event, or add a commented entry to ALLOWED):\n" + "\n".join(offending)
    )
    stale = sorted(set(ALLOWED) - used)
    assert not stale, f"ALLOWED entries that no longer match a write: {stale}"


# -- the heuristics themselves -------------------------------------------------------


def _methods(source: str) -> list[str]:
    return [method for _, _, method in writes_in(source)]


def test_writes_are_recognised():
    source = """
def f(obj, form, qs, req):
    obj.save()
    obj.save(update_fields=["a"])
    form.save()
    Agency.objects.create(name="x")
    req.events.create(kind="x")
    Notice.objects.filter(pk=1).update(status="x")
    Notice.objects.select_for_update().get(pk=1).delete()
    qs.update(a=1)
    obj.delete()
    Agency.objects.get_or_create(name="x")
    Agency.objects.update_or_create(name="x")
    Notice.objects.bulk_create([])
    Notice.objects.bulk_update([], ["a"])
    obj.file.save("n", content)

class A:
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
"""
    assert _methods(source) == [
        "save",
        "save",
        "save",
        "create",
        "create",
        "update",
        "delete",
        "update",
        "delete",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "save",
        "super().save_model",
    ]


def test_look_alikes_are_not_writes():
    source = """
def f(data, digest, wb, buf, form, cache, storage, obj, widget, out):
    data.update({"a": 1})
    data.update(a=1)
    out.update(ks)
    digest.update(b"x")
    widget.attrs.update({"min": 1})
    wb.save(buf)
    form.save(commit=False)
    obj.file.save("n", content, save=False)
    obj.file.delete(save=False)
    cache.delete("key")
    obj.file.storage.delete(name)
    admin.save_model(request, obj, form, change)
"""
    assert _methods(source) == []


def test_the_function_named_is_the_enclosing_one():
    source = """
class Admin:
    def save_model(self, request, obj, form, change):
        obj.save()

def top():
    def inner():
        Thing.objects.create()
"""
    assert [(f, m) for _, f, m in writes_in(source)] == [
        ("save_model", "save"),
        ("inner", "create"),
    ]
