"""Short words for why a send failed, kept in an attempt: never a response body, a server's
free text or an address, only what kind of failure it was."""

import socket
import ssl


def describe(error: BaseException) -> str:
    """ "connection refused", "timed out", "TLS error"... for a network or protocol error."""
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        return describe(reason)
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, socket.gaierror):
        return "host not found"
    if isinstance(error, ConnectionError):
        return "connection lost"
    return type(error).__name__
