"""Real headless Chromium, driven by the capture script, still writes the stacks we keep as
fixtures, and the parser still reads them the same way (function and file per frame)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("capture_stacks", ROOT / "scripts/capture_stacks.py")
capture_stacks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(capture_stacks)


@pytest.fixture(scope="module")
def live_reports():
    """Every scenario of the capture page, thrown by the Chromium on this machine."""
    _label, reports = capture_stacks.capture("chromium")
    return {report["scenario"]: report for report in reports}


def test_every_committed_chromium_scenario_still_throws_the_same_way(live_reports):
    committed = sorted(capture_stacks.STACKS.glob("chromium_*.txt"))
    assert len(committed) >= 12
    for path in committed:
        scenario = path.stem.removeprefix("chromium_")
        live = live_reports[scenario]["stack"]
        kept = path.read_text(encoding="utf-8")
        assert capture_stacks.shape(live) == capture_stacks.shape(kept), scenario
