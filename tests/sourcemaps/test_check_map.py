"""What an uploaded source map must be, and what a lookup in one gives: a bad file never passes
and its error says what is wrong; a valid map's facts; positions a map does not cover, maps
without code and maps pointing past their source; the enclosing function read from the
original code (jsscope) and which calls are in tail position."""

import json

import pytest

from app.core.jsscope import SourceScopes
from app.core.sourcemap import (
    NO_SOURCES_CONTENT,
    NOT_COVERED,
    REASONS,
    LoadedMap,
    MapError,
    Original,
    check_map,
)
from app.core.stacktrace import parse_stack
from app.core.symbolicate import BY_FILE_NAME, MapRef, frame_view, is_tail_call, symbolicate
from tests.sourcemaps.shop import build_files, bundle_name, open_shop, report, token_for, upload

DEBUG_ID = "85314830-023f-4cf1-a267-535f4e37bb17"


def source_map(**changes) -> bytes:
    """A small valid map of one line from a.js, with some fields changed (None drops one)."""
    doc = {"version": 3, "sources": ["a.js"], "names": [], "mappings": "AAAA"}
    doc.update(changes)
    return json.dumps({k: v for k, v in doc.items() if v is not None}).encode()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        pytest.param(b"", "not JSON", id="empty-file"),
        pytest.param(b'{"version": 3, "sources": [', "not JSON", id="not-json"),
        pytest.param(b"\xff\xfe\x00\x01", "not JSON", id="binary"),
        pytest.param(b'["a.js"]', "the JSON is not an object", id="a-list"),
        pytest.param(b'"mappings"', "the JSON is not an object", id="a-string"),
        pytest.param(source_map(version=2), "version must be 3, not 2", id="version-2"),
        pytest.param(source_map(version=None), "version must be 3, not None", id="no-version"),
        pytest.param(source_map(version="3"), "version must be 3, not '3'", id="version-text"),
        pytest.param(
            source_map(sections=[{"offset": {"line": 0, "column": 0}, "map": {}}]),
            "index maps (with sections) are not supported",
            id="index-map",
        ),
        pytest.param(source_map(sources="a.js"), "`sources` must be a list", id="sources-text"),
        pytest.param(source_map(sources=[1]), "`sources` must be a list of strings", id="src-int"),
        pytest.param(source_map(mappings=5), "`mappings` must be a string", id="mappings-number"),
        pytest.param(source_map(mappings=None), "`mappings` must be a string", id="no-mappings"),
        pytest.param(
            source_map(sourcesContent="x"), "`sourcesContent` must be a list", id="content-text"
        ),
        pytest.param(source_map(mappings="!!!!"), "invalid mappings", id="invalid-vlq"),
        pytest.param(source_map(mappings="AAAAAAAAAA"), "invalid mappings", id="ten-fields"),
        pytest.param(source_map(mappings="AAAA,ACAA"), "source", id="source-past-the-list"),
        pytest.param(source_map(mappings="AAAA;ACAA"), "source", id="source-past-on-line-2"),
        pytest.param(source_map(sources=[], mappings="AAAA"), "source", id="no-sources-at-all"),
        pytest.param(source_map(mappings="AAAAC"), "name", id="name-past-the-list"),
    ],
)
def test_a_bad_map_is_refused_saying_what_is_wrong(data, says):
    with pytest.raises(MapError) as refused:
        check_map(data)
    assert says in str(refused.value)


@pytest.mark.parametrize("key", ["debugId", "debug_id"])
def test_a_valid_maps_facts(key):
    upper = DEBUG_ID.upper()
    facts = check_map(source_map(file="app.js", sourcesContent=["let a;\n"], **{key: upper}))
    assert facts.file == "app.js"
    assert facts.debug_id == DEBUG_ID  # lower case, whichever key the bundler wrote
    assert facts.sources == 1
    assert facts.has_sources_content is True


def test_a_map_without_code_or_file_or_debug_id():
    facts = check_map(source_map(sourcesContent=[None]))
    assert (facts.file, facts.debug_id, facts.has_sources_content) == (None, None, False)


def test_a_debug_id_that_is_no_uuid_is_refused_by_name():
    with pytest.raises(MapError) as refused:
        check_map(source_map(debugId="not-a-uuid"))
    assert "debugid" in str(refused.value).lower()


@pytest.mark.parametrize("build", ["esbuild-esm", "rollup-terser-iife"])
def test_the_real_builds_maps_pass_with_their_facts(build):
    _, map_bytes = build_files(build)[1]
    facts = check_map(map_bytes)
    assert facts.has_sources_content and facts.sources >= 15
    # rollup writes `file`, esbuild does not.
    assert facts.file == (bundle_name(build) if build.startswith("rollup") else None)


@pytest.mark.parametrize(
    "mappings",
    [
        pytest.param("AAAA,E", id="one-field-segment-after-a-mapped-one"),
        pytest.param("A,CAAA", id="line-starting-with-generated-code"),
        pytest.param(";;AAAA", id="empty-generated-lines"),
        pytest.param("", id="no-mappings-at-all"),
    ],
)
def test_valid_mappings_pass(mappings):
    # The spec allows a one-field segment: generated code that comes from no source (a
    # bundler's runtime, a helper it injected). Such maps are common and must be accepted.
    facts = check_map(source_map(mappings=mappings, sourcesContent=["let a = 1;\n"]))
    assert facts.sources == 1


@pytest.mark.parametrize("with_script", [True, False], ids=["map-and-script", "map-alone"])
def test_generated_code_from_no_source_is_not_covered(with_script):
    data = source_map(mappings="AAAA,IAAI,E", sourcesContent=["let a = 1;\n"])
    loaded = LoadedMap(data, b"var a=1;var b=2;\n" if with_script else None)
    assert loaded.lookup(1, 5).line == 1
    assert loaded.lookup(1, 9) == NOT_COVERED  # the one-field segment at column 7 onwards


def frames_through(loaded: LoadedMap, stack: str) -> list[dict]:
    """The stack's frames as ingest stores them and the API shows them, with every script
    explained by `loaded`."""

    def locate(filename, _debug_id):
        return loaded, MapRef(7, 3, filename.rsplit("/", 1)[-1], BY_FILE_NAME)

    stored, _ = symbolicate(parse_stack(stack), locate)
    return [frame_view(frame) for frame in stored]


BUILD = "esbuild-esm"
THUMBNAIL = report(BUILD, "cart-thumbnail-url")


@pytest.mark.parametrize("with_script", [True, False], ids=["map-and-script", "map-alone"])
def test_a_position_past_the_maps_last_line_is_not_covered(with_script):
    (_, script), (_, map_bytes) = build_files(BUILD)
    loaded = LoadedMap(map_bytes, script if with_script else None)
    assert loaded.lines == 1  # esbuild writes the bundle on one line
    assert loaded.lookup(2, 1) == NOT_COVERED
    assert loaded.lookup(4000, 12) == NOT_COVERED
    assert loaded.lookup(0, 12) == NOT_COVERED
    below = THUMBNAIL["stack"].replace(".js:1:", ".js:3:")
    top = frames_through(loaded, below)[0]
    assert top["mapped"] is False
    assert top["unmapped_reason"] == "position_not_covered"
    assert top["unmapped_detail"] == REASONS[NOT_COVERED]


@pytest.mark.parametrize("with_script", [True, False], ids=["map-and-script", "map-alone"])
def test_a_map_without_sources_content_maps_but_shows_no_code(with_script):
    (_, script), (_, map_bytes) = build_files(BUILD)
    doc = json.loads(map_bytes)
    del doc["sourcesContent"]
    stripped = json.dumps(doc).encode()
    assert check_map(stripped).has_sources_content is False
    top = frames_through(LoadedMap(stripped, script if with_script else None), THUMBNAIL["stack"])
    assert top[0]["mapped"] is True
    assert top[0]["original"]["file"] == "../../../src/cart.js"
    assert top[0]["original"]["line"] == 7
    assert "context" not in top[0]
    assert top[0]["map_note"] == NO_SOURCES_CONTENT
    assert top[0]["map"] == {"file_id": 7, "bundle_id": 3, "name": bundle_name(BUILD)} | {
        "matched_by": BY_FILE_NAME
    }


def test_a_map_with_sources_content_shows_the_code_and_no_note():
    (_, script), (_, map_bytes) = build_files(BUILD)
    top = frames_through(LoadedMap(map_bytes, script), THUMBNAIL["stack"])[0]
    assert top["original"]["function"] == "renderThumbnail"
    assert top["context"]["line"].startswith("  return `<img src=")
    assert top["context"]["pre"][-1] == "  const image = line.product.image;"
    assert len(top["context"]["pre"]) == 5 and len(top["context"]["post"]) == 5
    assert "map_note" not in top


@pytest.mark.parametrize("with_script", [True, False], ids=["map-and-script", "map-alone"])
def test_a_mapping_past_the_end_of_its_source_maps_without_code(with_script):
    # Line 11 of a.js, which has one line: the map is stale, not the lookup's fault.
    data = source_map(mappings="AAUA", sourcesContent=["let a = 1;\n"])
    loaded = LoadedMap(data, b"var a=1;\n" if with_script else None)
    found = loaded.lookup(1, 1)
    assert isinstance(found, Original)
    assert (found.file, found.line) == ("a.js", 11)
    assert found.context_line is None and found.pre_context == () and found.post_context == ()
    top = frames_through(loaded, "Error: x\n    at f (https://shop.example.com/a.min.js:1:1)")
    assert top[0]["mapped"] is True and "context" not in top[0]


def enclosing(source: str) -> str | None:
    """The function jsscope finds around the `HERE` marker of a snippet."""
    offset = source.index("HERE")
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return SourceScopes(source).enclosing(line, column)


@pytest.mark.parametrize(
    ("source", "name"),
    [
        pytest.param("function total(items) {\n  return HERE;\n}", "total", id="declaration"),
        pytest.param("async function load() {\n  await HERE;\n}", "load", id="async"),
        pytest.param("function* ids() {\n  yield HERE;\n}", "ids", id="generator"),
        pytest.param("function f(a = HERE()) {\n  return a;\n}", "f", id="in-its-parameters"),
        pytest.param("function f({ a, b }) {\n  HERE;\n}", "f", id="destructured-params"),
        pytest.param(
            "function outer() {\n  function inner() {}\n  HERE;\n}", "outer", id="after-inner"
        ),
        pytest.param(
            "function outer() {\n  if (a) {\n    for (;;) { HERE; }\n  }\n}", "outer", id="blocks"
        ),
        pytest.param(
            "function outer() {\n  try { a(); } catch (e) { HERE; }\n}", "outer", id="catch"
        ),
        pytest.param(
            "function outer() {\n  switch (x) {\n    case 1: { HERE; }\n  }\n}", "outer", id="case"
        ),
        pytest.param(
            "class Cart {\n  total(items) {\n    return HERE;\n  }\n}", "total", id="class-method"
        ),
        pytest.param(
            "class Cart {\n  constructor(x) {\n    this.x = HERE;\n  }\n}", "Cart", id="constructor"
        ),
        pytest.param(
            "class PaymentError extends Error {\n  constructor(m) {\n    super(m); HERE;\n  }\n}",
            "PaymentError",
            id="subclass-constructor",
        ),
        pytest.param(
            "class Cart {\n  constructor() {}\n  total() { HERE }\n}", "total", id="after-ctor"
        ),
        pytest.param("class A {\n  get total() {\n    return HERE;\n  }\n}", "total", id="getter"),
        pytest.param(
            "class A {\n  onClick = () => {\n    HERE;\n  };\n}", "onClick", id="class-field-arrow"
        ),
        pytest.param(
            "const api = {\n  load(id) {\n    return HERE;\n  },\n};", "load", id="object-method"
        ),
        pytest.param(
            "const api = {\n  load: function (id) {\n    return HERE;\n  },\n};",
            "load",
            id="object-function-property",
        ),
        pytest.param("const render = (cart) => {\n  return HERE;\n};", "render", id="const-arrow"),
        pytest.param(
            "const render = async (cart) => {\n  return HERE;\n};", "render", id="async-arrow"
        ),
        pytest.param(
            "const render = cart => {\n  return HERE;\n};", "render", id="arrow-bare-param"
        ),
        pytest.param(
            "let handler;\nhandler = function () {\n  HERE;\n};", "handler", id="assigned-function"
        ),
        pytest.param(
            "function outer(xs) {\n  return xs.map((x) => x.HERE);\n}",
            "outer",
            id="expression-arrow-is-the-outer-function",
        ),
        pytest.param(
            "function outer() {\n  const o = () => ({ a: 1 });\n  HERE;\n}",
            "outer",
            id="arrow-returning-an-object",
        ),
        pytest.param(
            "function outer(xs) {\n  xs.forEach(function (x) {\n    HERE;\n  });\n}",
            None,
            id="anonymous-callback",
        ),
        pytest.param(
            'function outer() {\n  const s = "}{";\n  const t = "\\"}";\n  HERE;\n}',
            "outer",
            id="braces-in-strings",
        ),
        pytest.param(
            "function outer() {\n  const t = `${'}'} {`;\n  const u = `a ${f({ b: '}' })} {`;\n"
            "  HERE;\n}",
            "outer",
            id="braces-in-template-literals",
        ),
        pytest.param(
            "function outer() {\n  const r = /[}{]/g;\n  const s = /[/}]/;\n  HERE;\n}",
            "outer",
            id="braces-in-regexes",
        ),
        pytest.param(
            "function outer(a, b) {\n  const half = (a + b) / 2 / 1;\n  HERE;\n}",
            "outer",
            id="division-is-not-a-regex",
        ),
        pytest.param(
            "function outer() {\n  // a } closes nothing\n  /* nor { this */\n  HERE;\n}",
            "outer",
            id="braces-in-comments",
        ),
        pytest.param(
            "const re = x.split(/}/);\nconst s = '{';\nfunction after() {\n  HERE;\n}",
            "after",
            id="a-later-function-after-tricky-text",
        ),
        pytest.param("if (x) {\n  HERE;\n}", None, id="top-level-block"),
        pytest.param("function a() {}\nHERE;", None, id="top-level"),
        pytest.param("const double = (x) => x * HERE;", None, id="top-level-expression-arrow"),
    ],
)
def test_the_enclosing_function_in_original_code(source, name):
    assert enclosing(source) == name


def test_positions_outside_the_source_have_no_function():
    scopes = SourceScopes("function f() {\n  return 1;\n}\n")
    assert scopes.enclosing(2, 3) == "f"
    assert scopes.enclosing(0, 1) is None
    assert scopes.enclosing(99, 1) is None


@pytest.mark.parametrize(
    ("line", "call", "tail"),
    [
        pytest.param("  return total(items);", "total", True, id="return-call"),
        pytest.param("  return this.cart.total(items);", "total", True, id="return-method-call"),
        pytest.param("  return cart?.total(items);", "total", True, id="optional-chain"),
        pytest.param("  return total(items);", "return", False, id="column-not-at-a-call"),
        pytest.param("const f = () => total(items);", "total", True, id="arrow-body"),
        pytest.param("xs.map((x) => x.price.toFixed(2));", "toFixed", True, id="arrow-method"),
        pytest.param("  const t = total(items);", "total", False, id="assigned"),
        pytest.param("  total(items);", "total", False, id="statement"),
        pytest.param("  return new Cart(items);", "new", False, id="return-new"),
        pytest.param("  returned(items);", "returned", False, id="name-starting-with-return"),
        pytest.param("  return await load(id);", "load", False, id="awaited"),
        pytest.param("  return total(items) + 1;", "total", False, id="result-used-after"),
        pytest.param("  return f(x).toFixed(2);", "f", False, id="result-called-on"),
        pytest.param(None, None, False, id="no-line"),
    ],
)
def test_tail_calls(line, call, tail):
    column = line.index(call) + 1 if line else 1
    assert is_tail_call(line, column) is tail


LIMIT = 64 * 1024


def map_of_size(size: int) -> bytes:
    """A valid map of exactly `size` bytes, nearly all of it `mappings` (empty lines)."""
    base = source_map(mappings="AAAA")
    data = source_map(mappings="AAAA" + ";" * (size - len(base)))
    assert len(data) == size
    return data


@pytest.fixture
def limited(make_app):
    """An app whose uploads take files of up to LIMIT bytes, its shop and a token."""
    app = make_app(sourcemaps__max_file_bytes=LIMIT)
    client = app.test_client()
    with app.extensions["faultline.sessionmaker"]() as session:
        project_id = open_shop(client, session)
    return client, token_for(app), project_id


def test_a_huge_mappings_string_just_over_the_limit_is_413(limited):
    client, headers, project_id = limited
    answer = upload(client, headers, project_id, [("app.js.map", map_of_size(LIMIT + 1))])
    assert answer.status_code == 413
    error = answer.get_json()["error"]
    assert error["code"] == "too_large"
    assert error["message"] == f"app.js.map: {LIMIT + 1} bytes, more than the {LIMIT} allowed"
    listed = client.get(f"/api/v1/projects/{project_id}/sourcemaps", headers=headers)
    assert listed.get_json() == {"bundles": []}
    # At the limit it is taken.
    answer = upload(client, headers, project_id, [("app.js.map", map_of_size(LIMIT))])
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["bundle"]["files"][0]["size"] == LIMIT
