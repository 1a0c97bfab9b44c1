"""Access rules: CEL expressions over an ID token's claims that decide who may sign in, and
with which role.

CEL through `common-expression-language` (bindings to the Rust cel-interpreter) rather than
cel-python: it is compiled, maintained, and its syntax errors carry a line and column, which
`faultline config check` passes on. Deny by default: a rule that is not set, fails on the
claims it is given (a missing claim, a claim of another type) or yields anything but `true`
does not admit anyone.
"""

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import cel

# Tried in this order: the first rule a user passes gives their role.
RULE_ROLES = ("admin", "member", "viewer")
# cel-interpreter: "... ERROR: <input>:1:42: Syntax error: mismatched input ..."
_POSITION = re.compile(r"<input>:(\d+):(\d+): (.*)")


class RuleError(ValueError):
    """A rule does not compile; the message gives the line and column."""


@functools.cache
def compile_rule(expression: str) -> "cel.Program":
    """The compiled rule (compiled once per expression); RuleError naming the position."""
    if not expression.strip():
        raise RuleError("the rule is empty")
    # Imported here: the package imports its command-line tool (typer, prompt_toolkit), 0.2 s
    # of the 0.29 s that `faultline --help` took, paid by every process even without rules.
    import cel

    try:
        return cel.compile(expression)
    except ValueError as error:
        found = _POSITION.search(str(error))
        if found is None:
            raise RuleError(str(error).splitlines()[0]) from None
        line, column, message = found.groups()
        raise RuleError(f"line {line}, column {column}: {message.strip()}") from None


def passes(expression: str, claims: dict) -> bool:
    """Whether the claims satisfy a rule (an empty rule admits nobody)."""
    if not expression.strip():
        return False
    try:
        result = compile_rule(expression).execute({"claims": claims})
    # A missing claim raises KeyError and a claim of an unexpected type TypeError or
    # RuntimeError; whatever goes wrong while judging the claims, the answer is no.
    except Exception:
        return False
    return result is True


def role_for(rules: dict[str, str], claims: dict) -> str | None:
    """The role the first passing rule gives (admin, then member, then viewer), or None."""
    for role in RULE_ROLES:
        if passes(rules.get(role, ""), claims):
            return role
    return None
