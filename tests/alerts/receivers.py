"""Real receivers for alert tests: an HTTP server in a thread that keeps what it is sent
(and can answer an error, hold a request, or stop), and an aiosmtpd SMTP server."""

import email
import email.policy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.served import free_port


class WebhookReceiver:
    """Keeps every POST (headers and raw body); answers `status`; with `hold_first`, the first
    request waits (unanswered) until `release` is set."""

    def __init__(self, status: int = 200, hold_first: bool = False) -> None:
        self.status = status
        self.requests: list[tuple[dict, bytes]] = []
        self.arrived = threading.Event()
        self.release = threading.Event()
        self._hold = hold_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                receiver.arrived.set()
                if receiver._hold:
                    receiver._hold = False
                    receiver.release.wait(30)
                    return  # never answered: the sender times out or dies waiting
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}/hook?token=abc"

    def bodies(self) -> list[dict]:
        """Every body received, parsed."""
        return [json.loads(body) for _, body in self.requests]

    def stop(self) -> None:
        """Stop answering: later sends find the port closed."""
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


class _Keep:
    def __init__(self) -> None:
        self.mails: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, _server, _session, envelope):
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.mails.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


class MailReceiver:
    """A real SMTP server on a free loopback port; `mails` holds (recipients, parsed mail)."""

    def __init__(self, port: int | None = None) -> None:
        self.handler = _Keep()
        self.port = port or free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def mails(self):
        """What arrived so far."""
        return self.handler.mails

    def stop(self) -> None:
        """Shut the server down."""
        self.controller.stop()
