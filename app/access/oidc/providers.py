"""Configured identity providers and their discovery documents (fetched, checked, cached)."""

import json
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2

from app.config import issuer_allowed

# Discovery documents change rarely (new endpoints, new algorithms); an hour keeps sign-in
# from depending on the provider's discovery endpoint for every visitor.
DISCOVERY_TTL = 3600.0
TIMEOUT = httpx2.Timeout(10.0)
# A discovery document or key set is a few kilobytes; anything far larger is not one.
MAX_DOCUMENT_BYTES = 512 * 1024
# Only signatures by a key the provider publishes: no "none", no HMAC (whose secret would
# be the client secret, or a public key passed off as one).
ASYMMETRIC_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)


class ProviderError(Exception):
    """The provider cannot be used right now (unreachable, or a broken answer)."""


@dataclass(frozen=True)
class Provider:
    """One `auth.oidc.providers` entry."""

    name: str
    label: str
    issuer: str
    client_id: str
    client_secret: str
    scopes: tuple[str, ...]

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the issuer."""
        parts = urlsplit(self.issuer)
        return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class Discovery:
    """The parts of a provider's discovery document that sign-in uses."""

    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]
    token_auth_method: str
    end_session_endpoint: str | None


def providers_of(config: dict) -> dict[str, Provider]:
    """The configured providers by name, in the configured order."""
    return {
        entry["name"]: Provider(
            name=entry["name"],
            label=entry["label"],
            issuer=entry["issuer"],
            client_id=entry["client_id"],
            client_secret=entry["client_secret"],
            scopes=tuple(entry["scopes"]),
        )
        for entry in config["auth"]["oidc"]["providers"]
    }


def fetch_json(url: str) -> dict:
    """A JSON object from a provider; ProviderError when it cannot be had."""
    try:
        with httpx2.stream("GET", url, timeout=TIMEOUT) as response:
            body = b""
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_DOCUMENT_BYTES:
                    raise ProviderError(f"{url} answered with more than {MAX_DOCUMENT_BYTES} B")
        if response.status_code != 200:
            raise ProviderError(f"{url} answered {response.status_code}")
        document = json.loads(body)
    except httpx2.HTTPError as error:
        raise ProviderError(f"{url} could not be reached ({type(error).__name__})") from None
    except ValueError:
        raise ProviderError(f"{url} did not answer with JSON") from None
    if not isinstance(document, dict):
        raise ProviderError(f"{url} did not answer with a JSON object")
    return document


def parse_discovery(provider: Provider, document: dict) -> Discovery:
    """The checked discovery document; ProviderError when it cannot be trusted or used."""
    if document.get("issuer") != provider.issuer:
        raise ProviderError(
            f"the discovery document names issuer {str(document.get('issuer'))[:200]!r}, "
            f"not the configured {provider.issuer!r}"
        )
    endpoints = {}
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(key)
        if not isinstance(value, str) or not issuer_allowed(value):
            raise ProviderError(f"the discovery document has no usable {key}")
        endpoints[key] = value
    advertised = document.get("id_token_signing_alg_values_supported") or []
    algorithms = tuple(alg for alg in ASYMMETRIC_ALGORITHMS if alg in advertised)
    if not algorithms:
        raise ProviderError("the provider signs ID tokens with no asymmetric algorithm")
    end_session = document.get("end_session_endpoint")
    return Discovery(
        **endpoints,
        algorithms=algorithms,
        token_auth_method=_token_auth_method(provider, document),
        end_session_endpoint=(
            end_session if isinstance(end_session, str) and issuer_allowed(end_session) else None
        ),
    )


def _token_auth_method(provider: Provider, document: dict) -> str:
    if not provider.client_secret:
        return "none"
    # The OpenID Connect Discovery default when the provider lists none.
    supported = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" in supported or "client_secret_post" not in supported:
        return "client_secret_basic"
    return "client_secret_post"


class DiscoveryCache:
    """Each provider's discovery document, fetched on first use and kept for an hour."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._documents: dict[str, tuple[float, Discovery]] = {}

    def get(self, provider: Provider) -> Discovery:
        """The provider's discovery (fetched when missing or stale); ProviderError."""
        with self._lock:
            cached = self._documents.get(provider.name)
        if cached is not None and self._clock() - cached[0] < DISCOVERY_TTL:
            return cached[1]
        url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
        discovery = parse_discovery(provider, fetch_json(url))
        with self._lock:
            self._documents[provider.name] = (self._clock(), discovery)
        return discovery
