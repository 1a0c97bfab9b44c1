"""A provider that issues whatever ID token a test asks for: discovery, JWKS, an authorize
endpoint that redirects straight back with a code, and a token endpoint answering with the
token the test set, signed with joserfc (or forged by hand). No real provider issues such
tokens, which is the point."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(header: dict, claims: dict, signature: bytes = b"") -> str:
    """A compact JWS put together by hand (for algorithms no library will sign with)."""
    head = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    return head + "." + b64(signature)


def hs256_with(secret: bytes, header: dict, claims: dict) -> str:
    """An HS256 token whose HMAC key is `secret` (e.g. the provider's public key)."""
    head = unsigned(header, claims).rsplit(".", 1)[0]
    return head + "." + b64(hmac.new(secret, head.encode(), hashlib.sha256).digest())


class RogueProvider:
    """The provider's state: its published keys, the token it issues next, what it saw."""

    def __init__(self):
        self.issuer = ""
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.published = [self.key]
        self.jwks_requests = 0
        self.nonce = ""
        # (claims a well-behaved provider would issue) -> the compact ID token to answer with
        self.issue: Callable[[dict], str] = self.signed

    def claims(self, **changes) -> dict:
        """The claims a correct token for the last sign-in carries, with some changed."""
        now = int(time.time())
        base = {
            "iss": self.issuer,
            "sub": "rogue-user",
            "aud": "faultline-tests",
            "exp": now + 300,
            "iat": now,
            "nonce": self.nonce,
            "email": "rogue@example.org",
            "email_verified": True,
        }
        return {**base, **changes}

    def signed(self, claims: dict, key: RSAKey | None = None, alg: str = "RS256") -> str:
        """A token signed properly with one of the provider's keys."""
        key = key or self.key
        return jwt.encode({"alg": alg, "kid": key.kid}, claims, key, algorithms=[alg])

    def app(self) -> Flask:
        app = Flask("rogue")

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=self.issuer + "/authorize",
                token_endpoint=self.issuer + "/token",
                jwks_uri=self.issuer + "/jwks",
                # Advertised, and still never accepted: Faultline takes asymmetric ones only.
                id_token_signing_alg_values_supported=["RS256", "HS256", "none"],
            )

        @app.get("/jwks")
        def jwks():
            self.jwks_requests += 1
            return jsonify(keys=[key.as_dict(private=False) for key in self.published])

        @app.get("/authorize")
        def authorize():
            self.nonce = request.args["nonce"]
            query = urlencode({"code": "rogue-code", "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token():
            return jsonify(
                access_token="rogue-access",
                token_type="Bearer",
                expires_in=300,
                id_token=self.issue(self.claims()),
            )

        return app


@contextmanager
def rogue_provider():
    """A RogueProvider serving on 127.0.0.1 in a thread."""
    provider = RogueProvider()
    server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
