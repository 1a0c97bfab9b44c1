"""The stack frame: the unit that parsing produces and fingerprinting consumes."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Frame:
    """One parsed stack frame; `filename` is the URL or path as reported (query cut), `module`
    the module name an SDK reports for server code (`shop.billing`), which grouping prefers."""

    function: str | None
    filename: str | None
    lineno: int | None
    colno: int | None
    in_app: bool
    module: str | None = None
    # Set when a source map gave this frame its original file and function, and when the
    # original code shows its call in tail position (`return f(x)`, `() => f(x)`), which
    # Safari leaves out of the stack.
    mapped: bool = False
    tail_call: bool = False

    def to_dict(self) -> dict:
        """Plain dict for JSON storage (by hand: dataclasses.asdict deep-copies, 10x slower)."""
        data = {
            "function": self.function,
            "filename": self.filename,
            "lineno": self.lineno,
            "colno": self.colno,
            "in_app": self.in_app,
        }
        if self.module is not None:
            data["module"] = self.module
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Frame":
        """The frame grouping sees in a stored dict: its original position when a source map
        explained it (see app/core/symbolicate.py), else the frame as reported."""
        original = data.get("original")
        if original:
            return cls(
                function=original.get("function"),
                filename=original.get("file"),
                lineno=original.get("line"),
                colno=original.get("column"),
                in_app=bool(data.get("in_app", True)),
                mapped=True,
                tail_call=bool(data.get("tail_call")),
            )
        return cls(
            function=data.get("function"),
            filename=data.get("filename"),
            lineno=data.get("lineno"),
            colno=data.get("colno"),
            in_app=bool(data.get("in_app", True)),
            module=data.get("module"),
        )
