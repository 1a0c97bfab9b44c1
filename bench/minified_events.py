"""Minified events and maps for the grouping benchmark (volume, not a quality figure).

`mapped_events` turns positions the esbuild build of the real-browser corpus maps
(tests/fixtures/minified/builds/esbuild-esm) into 12-frame V8 stacks; `big_map` has esbuild
minify a generated 1 MB-map program, for a cold parse.
"""

import json
import random
import subprocess
import tempfile
from pathlib import Path

from symbolic.sourcemap import SourceMapView

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "tests" / "fixtures" / "minified" / "builds" / "esbuild-esm"
ESBUILD = ROOT / "tests" / "clients" / "node_modules" / ".bin" / "esbuild"
ORIGIN = "https://shop.example.com"
FRAMES = 12
# One property per bug: the message tells bugs apart where random positions share functions.
PROPERTIES = [
    "id",
    "price",
    "qty",
    "sku",
    "url",
    "title",
    "image",
    "alt",
    "name",
    "email",
    "total",
    "tax",
    "currency",
    "code",
    "label",
    "items",
    "length",
    "value",
    "slug",
    "rating",
    "author",
    "text",
    "count",
    "limit",
    "offset",
    "page",
    "next",
    "prev",
    "token",
    "locale",
    "zone",
    "street",
    "city",
    "country",
    "phone",
    "size",
    "color",
    "stock",
    "weight",
    "brand",
]


def build_files() -> tuple[str, bytes, bytes]:
    """(script URL, minified script, map) of the corpus's esbuild build."""
    manifest = json.loads((BUILD / "manifest.json").read_text("utf-8"))
    script = BUILD / manifest["bundle"]
    return f"{ORIGIN}/{manifest['bundle']}", script.read_bytes(), Path(f"{script}.map").read_bytes()


def mapped_events(count: int, seed: int = 7) -> list[dict]:
    """`count` tracker-shaped reports whose 12 frames all sit on mapped positions."""
    url, _script, source_map = build_files()
    view = SourceMapView.from_json_bytes(source_map)
    positions = [(t.dst_line + 1, t.dst_col + 1) for t in view if t.src is not None]
    rng = random.Random(seed)
    bugs = []
    for bug in range(40):
        picked = rng.sample(positions, FRAMES)
        lines = [
            f"    at {chr(97 + i % 26)} ({url}:{line}:{col})"
            for i, (line, col) in enumerate(picked)
        ]
        message = f"Cannot read properties of undefined (reading '{PROPERTIES[bug]}')"
        bugs.append(
            {"ty": "TypeError", "m": message, "s": f"TypeError: {message}\n" + "\n".join(lines)}
        )
    return [bugs[i % len(bugs)] for i in range(count)]


def big_map(target_bytes: int = 1_000_000) -> tuple[bytes, bytes]:
    """(minified script, map) of a generated program whose map is about `target_bytes`."""
    functions = []
    for i in range(target_bytes // 375):  # about 375 map bytes per function
        functions.append(
            f"export function handler{i}(order, items) {{\n"
            f"  const total{i} = items.reduce((sum, item) => sum + item.price * item.qty, 0);\n"
            f"  return {{ id: order.id, total: total{i} * {i % 7 + 1} }};\n}}\n"
        )
    with tempfile.TemporaryDirectory() as folder:
        entry = Path(folder) / "app.js"
        entry.write_text("".join(functions), "utf-8")
        out = Path(folder) / "out.js"
        subprocess.run(
            [str(ESBUILD), str(entry), "--bundle", "--minify", "--sourcemap", f"--outfile={out}"],
            check=True,
            capture_output=True,
        )
        return out.read_bytes(), Path(f"{out}.map").read_bytes()


def mapped_reports(count: int, agent: str) -> list[tuple[bytes, str]]:
    """The mapped events as tracker requests (body, User-Agent) from a page of the shop."""
    requests = []
    for index, event in enumerate(mapped_events(count)):
        body = {**event, "u": f"{ORIGIN}/cart", "h": False, "b": f"{index:016x}", "v": "1.0"}
        requests.append((json.dumps(body, separators=(",", ":")).encode(), agent))
    return requests
