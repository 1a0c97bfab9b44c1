"""The captured corpus (tests/fixtures/sentry/, made by scripts/capture_sentry.py) and how to
replay one of its requests at a served Faultline as the SDK sent it."""

import json
import re
from pathlib import Path

from tests.sentry.clients import ROOT, decode_body, event_of
from tests.sentry.harness import post

CORPUS = ROOT / "tests" / "fixtures" / "sentry"
FILES = sorted(CORPUS.glob("envelopes/*/*.bin"))
LABELS: dict[str, str] = json.loads((CORPUS / "labels.json").read_text())
KEY = re.compile(r"sentry_key=[0-9a-fA-F]+")


def name_of(path: Path) -> str:
    """A corpus file's name as labels.json has it: <sdk>/<scenario>-<n>.bin."""
    return f"{path.parent.name}/{path.name}"


def sidecar(path: Path) -> dict:
    """What the capture kept about the request beside its body."""
    return json.loads(path.with_suffix(".json").read_text())


def captured_event(path: Path) -> dict | None:
    """The event a corpus file carries, or None."""
    facts = sidecar(path)
    raw = decode_body(path.read_bytes(), facts["content_encoding"])
    return event_of(raw, store=facts["path"].endswith("/store/"))


def replay(base: str, project: dict, path: Path):
    """Send one captured request to `project` on `base`: the exact body bytes, with the
    SDK's own headers, encoding and query; only the key and project id are this test's."""
    facts = sidecar(path)
    key = f"sentry_key={project['public_key']}"
    headers = {
        header: facts[field]
        for header, field in (
            ("Content-Type", "content_type"),
            ("Content-Encoding", "content_encoding"),
            ("User-Agent", "user_agent"),
            ("Origin", "origin"),
        )
        if facts[field]
    }
    if facts["x_sentry_auth"]:
        headers["X-Sentry-Auth"] = KEY.sub(key, facts["x_sentry_auth"])
    kind = facts["path"].rstrip("/").rsplit("/", 1)[-1]
    target = f"/api/{project['id']}/{kind}/"
    if facts["query"]:
        target += "?" + KEY.sub(key, facts["query"])
    chunked = (facts["transfer_encoding"] or "").lower() == "chunked"
    return post(base, target, path.read_bytes(), headers, chunked=chunked)
