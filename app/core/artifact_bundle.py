"""sentry-cli's artifact bundles: a ZIP (behind an 8-byte `SYSB` header) whose `manifest.json`
lists each file's URL, type (`minified_source` or `source_map`) and headers (`debug-id`,
`sourcemap`: the script's own `sourceMappingURL`), read into the artifacts an upload stores."""

import io
import json
import posixpath
import zipfile
import zlib

from app.core.sourcemap import MapError, check_map, normalise_debug_id
from app.core.sourcemap_files import MINIFIED_SOURCE, SOURCE_MAP, Artifact
from app.core.urls import without_query

MAX_ENTRIES = 10_000
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
SCRIPT_TYPES = ("minified_source", "source")
# What sentry-cli writes (deflate) and what Python unzips; anything else is refused by name.
READABLE = frozenset(
    {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
)


class BundleError(ValueError):
    """Why an assembled bundle cannot be stored, naming the file when one is at fault."""


def read_bundle(data: bytes, limits: dict) -> tuple[list[Artifact], str | None]:
    """The artifacts of a sentry-cli bundle and the release its manifest names; BundleError
    when it is not one, is too big unzipped (`limits`: the `sourcemaps` config), or holds a
    broken map. Nothing is kept from a bundle that fails."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))  # zipfile skips the SYSB header itself
    except (zipfile.BadZipFile, ValueError):
        raise BundleError("not a ZIP archive") from None
    if len(archive.infolist()) > MAX_ENTRIES:
        raise BundleError(f"more than {MAX_ENTRIES} files")
    reader = _Reader(archive, limits["max_upload_bytes"], limits["max_file_bytes"])
    try:
        manifest = json.loads(reader.read("manifest.json", MAX_MANIFEST_BYTES))
    except (ValueError, UnicodeDecodeError):
        raise BundleError("manifest.json is not JSON") from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        raise BundleError("manifest.json lists no files")
    scripts, maps = {}, {}
    for path, info in files.items():
        if not isinstance(info, dict) or not isinstance(info.get("url"), str):
            continue
        headers = info.get("headers") if isinstance(info.get("headers"), dict) else {}
        headers = {str(k).lower(): v for k, v in headers.items() if isinstance(v, str)}
        if info.get("type") in SCRIPT_TYPES:
            scripts[info["url"]] = (headers, reader.read(path))
        elif info.get("type") == SOURCE_MAP:
            maps[info["url"]] = (headers, reader.read(path))
    release = manifest.get("release")
    return _pair(scripts, maps), release if isinstance(release, str) and release else None


class _Reader:
    """Reads a bundle's entries under one budget of unzipped bytes (zip bombs stop there)."""

    def __init__(self, archive: zipfile.ZipFile, total: int, each: int) -> None:
        self.archive, self.total, self.left, self.each = archive, total, total, each

    def read(self, path: str, limit: int | None = None) -> bytes:
        cap = min(self.left, limit or self.each)
        try:
            if self.archive.getinfo(path).compress_type not in READABLE:
                raise BundleError(f"{path} is compressed with a method Faultline cannot unzip")
            with self.archive.open(path) as entry:
                content = entry.read(cap + 1)
        except KeyError:
            raise BundleError(f"{path} is in the manifest, not in the archive") from None
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise BundleError(f"{path} cannot be unzipped: {exc}") from None
        if len(content) > self.left:
            raise BundleError(f"the files unzip to more than {self.total} bytes")
        if len(content) > cap:
            raise BundleError(f"{path} unzips to more than {limit or self.each} bytes")
        self.left -= len(content)
        return content


def _pair(scripts: dict, maps: dict) -> list[Artifact]:
    """Each map filed under the script it explains, then every script. A script's
    `sourcemap` header is its `sourceMappingURL` (relative to the script); failing that a
    map goes with the script of the same debug ID, else with `<its URL minus .map>`."""
    by_map, by_debug_id = {}, {}
    for url, (headers, _) in scripts.items():
        if headers.get("sourcemap"):
            by_map.setdefault(_resolve(url, headers["sourcemap"]), url)
        if _debug_id(headers):
            by_debug_id.setdefault(_debug_id(headers), url)
    artifacts, found_ids = [], {}
    for map_url, (headers, content) in sorted(maps.items()):
        try:
            facts = check_map(content)
        except MapError as exc:
            raise BundleError(f"{map_url}: {exc}") from None
        map_id = _debug_id(headers) or facts.debug_id
        script = by_map.get(map_url) or by_debug_id.get(map_id) or map_url.removesuffix(".map")
        debug_id = _debug_id(scripts.get(script, ({}, b""))[0]) or map_id
        artifacts.append(Artifact(SOURCE_MAP, _name(script), script, debug_id, content))
        found_ids[script] = debug_id
    for url, (headers, content) in sorted(scripts.items()):
        debug_id = _debug_id(headers) or found_ids.get(url)
        artifacts.append(Artifact(MINIFIED_SOURCE, _name(url), url, debug_id, content))
    return artifacts


def _resolve(script_url: str, reference: str) -> str:
    """The URL a `sourceMappingURL` names, read beside the script's URL."""
    reference = without_query(reference)
    if "://" in reference or reference.startswith(("~/", "/", "data:")):
        return reference
    parts = script_url.rpartition("/")[0].split("/")
    for piece in reference.split("/"):
        if piece == "..":
            if len(parts) > 1:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _debug_id(headers: dict) -> str | None:
    value = headers.get("debug-id")
    return normalise_debug_id(value) if value else None


def _name(url: str) -> str:
    return posixpath.basename(without_query(url))
