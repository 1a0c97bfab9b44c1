"""The app's identity providers with their discovery and key caches, built once per app."""

from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit, urlunsplit

from flask import Flask, current_app

from app.access.oidc.keys import KeyCache
from app.access.oidc.providers import DiscoveryCache, Provider, ProviderError, providers_of

EXTENSION = "faultline.oidc"


@dataclass
class Registry:
    """Providers by name, the access rules, and what was fetched from the providers."""

    providers: dict[str, Provider]
    rules: dict[str, str]
    discovery: DiscoveryCache = field(default_factory=DiscoveryCache)
    keys: KeyCache = field(default_factory=KeyCache)


def init_registry(app: Flask) -> None:
    """Build the app's registry from its config."""
    config = app.config["FAULTLINE"]
    app.extensions[EXTENSION] = Registry(
        providers=providers_of(config), rules=dict(config["auth"]["rules"])
    )


def registry() -> Registry:
    """The current app's registry."""
    return current_app.extensions[EXTENSION]


def form_origins() -> tuple[str, ...]:
    """Origins a sign-out form may end up at: the providers' (see end_session_url)."""
    return tuple(dict.fromkeys(p.origin for p in registry().providers.values()))


def end_session_url(provider_name: str | None, base_url: str) -> str | None:
    """Where to send a browser signing out of a session this provider started, or None.

    Only an endpoint on the provider's own origin: the sign-out form's Content-Security-Policy
    (form-action) lets the browser follow a redirect there and nowhere else."""
    provider = registry().providers.get(provider_name or "")
    if provider is None:
        return None
    try:
        endpoint = registry().discovery.get(provider).end_session_endpoint
    except ProviderError:
        return None  # signed out here all the same; the provider's session stays
    if endpoint is None or not endpoint.startswith(provider.origin + "/"):
        return None
    parts = urlsplit(endpoint)
    query = urlencode(
        {"client_id": provider.client_id, "post_logout_redirect_uri": base_url + "/login"}
    )
    return urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))
