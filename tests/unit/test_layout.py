"""The tree reads as the data path: each package imports only the packages below it.

Public ingest (the tracker's and the Sentry SDKs') -> schemas -> core -> store -> reads
(groups, stats) -> protected API and pages.
The top-level modules and app/models are the ground every package stands on (config,
database, tables, schemas, errors, extensions, paging); the factory, the server and app/cli
wire it all up.
"""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
GROUND = "ground"
ENTRY = "entry"
ENTRY_MODULES = {"__init__", "server"}
ENTRY_PACKAGES = {"cli"}
GROUND_MODULES = {
    "config",
    "db",
    "errors",
    "extensions",
    "paging",
    "ratelimit_storage",
    "raw_sql",
    "schemas",
}
GROUND_PACKAGES = {"models"}
# Which parts each part may import (itself always). Anything missing here is a back edge.
ALLOWED = {
    "core": set(),
    GROUND: {"core"},
    "store": {"core", GROUND},
    "groups": {"core", GROUND, "store"},
    "sourcemaps": {"core", GROUND, "store", "groups", "audit"},
    "sentry": {"core", GROUND, "store", "sourcemaps"},
    "ingest": {"core", GROUND, "store", "sentry", "sourcemaps"},
    "stats": {"core", GROUND, "store"},
    "audit": {"core", GROUND},
    "access": {"core", GROUND, "audit"},
    "site": {"core", GROUND, "access"},
    "alerts": {"core", GROUND, "store", "groups", "stats"},
    "api": {
        "core",
        GROUND,
        "store",
        "groups",
        "stats",
        "access",
        "audit",
        "sourcemaps",
        "alerts",
    },
}
MODULES = sorted(APP.rglob("*.py"))


def part_of(path: Path) -> str:
    """The part of the tree a module under app/ belongs to."""
    relative = path.relative_to(APP)
    if len(relative.parts) > 1:
        return _package_part(relative.parts[0])
    if relative.stem in ENTRY_MODULES:
        return ENTRY
    if relative.stem in GROUND_MODULES:
        return GROUND
    raise AssertionError(f"app/{relative} is in no part of the layout: add it to one")


def part_of_import(name: str) -> str | None:
    """The part an imported dotted name lands in, or None for anything outside app."""
    parts = name.split(".")
    if parts[0] != "app":
        return None
    if len(parts) == 1:
        return ENTRY
    candidate = APP / parts[1]
    if candidate.is_dir():
        return _package_part(parts[1])
    return part_of(APP / f"{parts[1]}.py")


def _package_part(package: str) -> str:
    if package in ENTRY_PACKAGES:
        return ENTRY
    return GROUND if package in GROUND_PACKAGES else package


def imported_names(source: str) -> set[str]:
    """Every absolute module a source imports, at any depth (lazy imports included)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports hide the edge: import from app.*"
            if node.module == "app":
                # `from app import db` names a module; `from app import create_app` the entry.
                names.update(
                    f"app.{alias.name}"
                    if (APP / f"{alias.name}.py").exists() or (APP / alias.name).is_dir()
                    else "app"
                    for alias in node.names
                )
            elif node.module:
                names.add(node.module)
    return names


def back_edges(path: Path, source: str) -> list[str]:
    """The imports of a module that its part may not make."""
    part = part_of(path)
    if part == ENTRY:
        return []
    allowed = ALLOWED[part] | {part}
    return sorted(
        name
        for name in imported_names(source)
        if (target := part_of_import(name)) is not None and target not in allowed
    )


def test_every_package_has_a_rule():
    packages = {path.name for path in APP.iterdir() if (path / "__init__.py").exists()}
    assert packages == set(ALLOWED) - {GROUND} | GROUND_PACKAGES | ENTRY_PACKAGES


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(APP)) for p in MODULES])
def test_no_import_runs_back_up_the_path(path):
    assert back_edges(path, path.read_text()) == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("store/writer.py", "from app.groups.listing import list_groups", ["app.groups.listing"]),
        ("ingest/front.py", "from app.api import bp", ["app.api"]),
        ("ingest/front.py", "def f():\n    from app.site import pages", ["app.site"]),
        ("core/urls.py", "from app.models import Hit", ["app.models"]),
        ("core/urls.py", "from app import db", ["app.db"]),
        ("schemas.py", "from app.access.accounts import create_user", ["app.access.accounts"]),
        ("stats/summary.py", "import app.groups.queries", ["app.groups.queries"]),
        ("api/groups.py", "from app.store.exceptions import upsert", []),
        ("cli/commands.py", "from app.api.projects import project_dict", []),
        ("models/traffic.py", "from app.store.rollups import rebuild", ["app.store.rollups"]),
        ("core/urls.py", "from app.models.base import Base", ["app.models.base"]),
    ],
)
def test_the_check_catches_back_edges(module, source, expected):
    assert back_edges(APP / module, source) == expected


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(APP)) for p in MODULES])
def test_modules_stay_readable(path):
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), "every module says what it is for"
    assert len(path.read_text().splitlines()) <= 400


# app/__init__.py is the factory, not a package of the data path.
PACKAGE_INITS = sorted(path for path in APP.rglob("__init__.py") if path.parent != APP)


@pytest.mark.parametrize("path", PACKAGE_INITS, ids=lambda p: str(p.relative_to(APP)))
def test_package_init_names_entry_points_only(path):
    body = ast.parse(path.read_text()).body[1:]
    kinds = {type(node) for node in body}
    assert kinds <= {ast.ImportFrom, ast.Import, ast.Assign}, "no code in a package's __init__"
    for node in body:
        if isinstance(node, ast.Assign):
            assert [target.id for target in node.targets] == ["__all__"]
