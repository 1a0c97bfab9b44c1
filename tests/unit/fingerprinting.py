"""Stacks for the grouping tests: the stored ones by name, and frames written by hand."""

from pathlib import Path

from app.core.frames import Frame
from app.core.stacktrace import parse_stack

STACKS = Path(__file__).parent.parent / "fixtures" / "stacks"


def stack(name: str) -> list[Frame]:
    """The frames of a stored stack, tests/fixtures/stacks/{name}.txt."""
    return parse_stack((STACKS / f"{name}.txt").read_text())


def frame(function, filename, lineno=1, colno=1, in_app=True) -> Frame:
    """A frame; in the application's code unless told otherwise."""
    return Frame(function, filename, lineno, colno, in_app)
