"""The stack frame: the unit that parsing produces and fingerprinting consumes."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Frame:
    """One parsed stack frame; `filename` is the URL or path as reported (query cut)."""

    function: str | None
    filename: str | None
    lineno: int | None
    colno: int | None
    in_app: bool

    def to_dict(self) -> dict:
        """Plain dict for JSON storage (by hand: dataclasses.asdict deep-copies, 10x slower)."""
        return {
            "function": self.function,
            "filename": self.filename,
            "lineno": self.lineno,
            "colno": self.colno,
            "in_app": self.in_app,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Frame":
        """Inverse of `to_dict`; tolerates missing keys."""
        return cls(
            function=data.get("function"),
            filename=data.get("filename"),
            lineno=data.get("lineno"),
            colno=data.get("colno"),
            in_app=bool(data.get("in_app", True)),
        )
