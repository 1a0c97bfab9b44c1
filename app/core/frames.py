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
        """Inverse of `to_dict`; tolerates missing keys."""
        return cls(
            function=data.get("function"),
            filename=data.get("filename"),
            lineno=data.get("lineno"),
            colno=data.get("colno"),
            in_app=bool(data.get("in_app", True)),
            module=data.get("module"),
        )
