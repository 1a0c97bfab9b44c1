"""Which script each uploaded map explains (`collect`): the `.js` naming its map by a relative
path, in a subfolder or inline; `//# debugId=`; a lone map by its file name or `file` field;
the URL prefix; and a broken map named in the error."""

import base64
import json

import pytest

from app.core.sourcemap import MapError
from app.core.sourcemap_files import MINIFIED_SOURCE, SOURCE_MAP, collect
from tests.sourcemaps.shop import build_files

DEBUG_ID = "85314830-023f-4cf1-a267-535f4e37bb17"
MAP = json.dumps(
    {
        "version": 3,
        "sources": ["../src/app.js"],
        "sourcesContent": ["export const a = 1;\n"],
        "names": [],
        "mappings": "AAAA",
    }
).encode()


def script(comment: str) -> bytes:
    return b"var a=1;\n" + comment.encode() + b"\n"


def facts(artifacts) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, script name, URL, debug ID) of each artifact."""
    return [(a.kind, a.name, a.url, a.debug_id) for a in artifacts]


@pytest.mark.parametrize(
    ("files", "url"),
    [
        pytest.param(
            [("app.js", script("//# sourceMappingURL=app.js.map")), ("app.js.map", MAP)],
            "~/app.js",
            id="beside",
        ),
        pytest.param(
            [("app.js", script("//# sourceMappingURL=maps/app.map")), ("maps/app.map", MAP)],
            "~/app.js",
            id="in-a-subfolder",
        ),
        pytest.param(
            [
                ("js/app.js", script("//# sourceMappingURL=../maps/app.map")),
                ("maps/app.map", MAP),
            ],
            "~/js/app.js",
            id="in-a-sibling-folder",
        ),
        pytest.param(
            [("app.js", script("//# sourceMappingURL=app.js.map?v=3#x")), ("app.js.map", MAP)],
            "~/app.js",
            id="with-a-query",
        ),
        pytest.param(
            [("app.js", script("//@ sourceMappingURL=old.map")), ("old.map", MAP)],
            "~/app.js",
            id="old-at-comment",
        ),
        pytest.param(
            [
                ("app.js", script("//# sourceMappingURL=https://cdn.example.com/app.js.map")),
                ("app.js.map", MAP),
            ],
            "~/app.js",
            id="absolute-url-falls-back-to-the-map-beside",
        ),
        pytest.param([("app.js", script("")), ("app.js.map", MAP)], "~/app.js", id="no-comment"),
    ],
)
def test_a_script_names_its_map(files, url):
    artifacts = collect(files)
    # One map and its script, for one URL: the map is not also taken as a lone map.
    assert facts(artifacts) == [
        (SOURCE_MAP, "app.js", url, None),
        (MINIFIED_SOURCE, "app.js", url, None),
    ]
    assert artifacts[0].content == MAP


def test_an_inline_map():
    inline = "data:application/json;charset=utf-8;base64," + base64.b64encode(MAP).decode()
    artifacts = collect([("app.js", script(f"//# sourceMappingURL={inline}"))])
    assert facts(artifacts) == [
        (SOURCE_MAP, "app.js", "~/app.js", None),
        (MINIFIED_SOURCE, "app.js", "~/app.js", None),
    ]
    assert artifacts[0].content == MAP  # stored decoded


@pytest.mark.parametrize(
    ("comment", "says"),
    [
        ("data:application/json;base64,!!!not-base64", "app.js: the inline source map is not"),
        (
            "data:application/json;base64," + base64.b64encode(b'{"version": 2}').decode(),
            "app.js (inline map): version must be 3",
        ),
    ],
)
def test_a_broken_inline_map_names_its_script(comment, says):
    with pytest.raises(MapError) as refused:
        collect([("app.js", script(f"//# sourceMappingURL={comment}"))])
    assert says in str(refused.value)


@pytest.mark.parametrize(
    "written",
    [DEBUG_ID, DEBUG_ID.upper(), DEBUG_ID.replace("-", "")],
    ids=["dashed", "upper", "hex"],
)
def test_a_debug_id_comment_names_both_files(written):
    files = [
        ("app.js", script(f"//# debugId={written}\n//# sourceMappingURL=app.js.map")),
        ("app.js.map", MAP),
    ]
    assert [a.debug_id for a in collect(files)] == [DEBUG_ID, DEBUG_ID]


def test_a_debug_id_only_in_the_map_names_the_script_too():
    mapped = json.dumps({**json.loads(MAP), "debugId": DEBUG_ID}).encode()
    artifacts = collect(
        [("app.js", script("//# sourceMappingURL=app.js.map")), ("app.js.map", mapped)]
    )
    assert [a.debug_id for a in artifacts] == [DEBUG_ID, DEBUG_ID]


def test_a_lone_map_explains_its_name_minus_map():
    assert facts(collect([("assets/app-3f9a.js.map", MAP)])) == [
        (SOURCE_MAP, "app-3f9a.js", "~/assets/app-3f9a.js", None)
    ]


def test_a_lone_map_explains_the_script_its_file_field_names():
    named = json.dumps({**json.loads(MAP), "file": "dist/app-3f9a.js"}).encode()
    assert facts(collect([("maps/bundle.map", named)])) == [
        (SOURCE_MAP, "app-3f9a.js", "~/maps/app-3f9a.js", None)
    ]


def test_a_real_build_uploaded_as_its_folder():
    (script_name, script_bytes), (map_name, map_bytes) = build_files("rollup-terser-iife")
    artifacts = collect([(map_name, map_bytes), (script_name, script_bytes)], "~/assets")
    url = f"~/assets/{script_name}"
    assert facts(artifacts) == [
        (SOURCE_MAP, script_name, url, None),
        (MINIFIED_SOURCE, script_name, url, None),
    ]


@pytest.mark.parametrize(
    ("prefix", "url"),
    [
        (None, "~/js/app.js"),
        ("~/", "~/js/app.js"),
        ("~/assets", "~/assets/js/app.js"),
        ("~/assets/", "~/assets/js/app.js"),
        ("https://cdn.example.com/static", "https://cdn.example.com/static/js/app.js"),
    ],
)
def test_the_url_prefix(prefix, url):
    files = [("js/app.js", script("//# sourceMappingURL=app.js.map")), ("js/app.js.map", MAP)]
    assert {a.url for a in collect(files, prefix)} == {url}


def test_windows_paths_and_other_files():
    files = [("js\\app.js.map", MAP), ("README.md", b"# notes"), ("app.css", b"a{}")]
    assert facts(collect(files)) == [(SOURCE_MAP, "app.js", "~/js/app.js", None)]


def test_a_script_without_a_map_is_kept_alone():
    assert facts(collect([("vendor.js", b"var v;")])) == [
        (MINIFIED_SOURCE, "vendor.js", "~/vendor.js", None)
    ]


def test_a_broken_map_among_good_files_names_the_file():
    files = [
        ("assets/good.js", script("//# sourceMappingURL=good.js.map")),
        ("assets/good.js.map", MAP),
        ("assets/broken.js.map", b'{"version": 3, "sources": ["a.js"], "mappings": 1}'),
    ]
    with pytest.raises(MapError) as refused:
        collect(files, "~/assets")
    assert str(refused.value) == "assets/broken.js.map: `mappings` must be a string"
