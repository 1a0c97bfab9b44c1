"""app/core stays pure: no web framework, no database layer."""

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).parent.parent.parent / "app" / "core"
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy")
MODULES = sorted(CORE.glob("*.py"))


def imported_roots(source: str) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in ("__import__", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


def test_core_has_modules():
    names = {path.stem for path in MODULES}
    assert {"frames", "stacktrace", "fingerprint", "scrub", "useragent", "urls", "hits"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[path.name for path in MODULES])
def test_no_framework_imports(path):
    assert not imported_roots(path.read_text()) & set(FORBIDDEN)


def test_the_check_catches_imports():
    assert imported_roots("import flask\nfrom sqlalchemy.orm import Session") == {
        "flask",
        "sqlalchemy",
    }
    assert imported_roots("x = __import__('werkzeug')") == {"werkzeug"}
