"""Each provider's signing keys (JWKS), cached, and refetched when a token names a new key.

Providers rotate keys by publishing a new `kid` before signing with it, so a token whose `kid`
is unknown is a reason to look again, once. Anyone can make up such tokens, though: the
refetch for unknown keys happens at most once a minute per provider, so forged tokens
cannot turn Faultline into a flood of requests to the provider.
"""

import threading
import time

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from app.access.oidc.providers import Provider, ProviderError, fetch_json

KEYS_TTL = 3600.0
UNKNOWN_KID_REFETCH_EVERY = 60.0


class KeyCache:
    """JWKS per provider: fetched on first use, kept for an hour, refetched for a new kid."""

    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        # provider name -> (fetched at, key set)
        self._sets: dict[str, tuple[float, KeySet]] = {}
        # provider name -> when an unknown kid last made us refetch
        self._last_unknown: dict[str, float] = {}

    def key_for(self, provider: Provider, jwks_uri: str, kid: str | None):
        """The provider's key with this kid (the only key when the token names none), or
        None when it has no such key; ProviderError when the key set cannot be had."""
        with self._lock:
            cached = self._sets.get(provider.name)
        if cached is None or self._clock() - cached[0] >= KEYS_TTL:
            cached = self._fetch(provider, jwks_uri)
        key = _pick(cached[1], kid)
        if key is not None:
            return key
        with self._lock:
            last = self._last_unknown.get(provider.name)
            if last is not None and self._clock() - last < UNKNOWN_KID_REFETCH_EVERY:
                return None
            self._last_unknown[provider.name] = self._clock()
        return _pick(self._fetch(provider, jwks_uri)[1], kid)

    def _fetch(self, provider: Provider, jwks_uri: str) -> tuple[float, KeySet]:
        document = fetch_json(jwks_uri)
        try:
            # Keys meant only for encryption never verify a signature.
            keys = [key for key in document.get("keys", []) if key.get("use") in (None, "sig")]
            key_set = KeySet.import_key_set({"keys": keys})
        except (JoseError, ValueError, TypeError, AttributeError) as error:
            raise ProviderError(f"the key set at {jwks_uri} cannot be read ({error})") from None
        fetched = (self._clock(), key_set)
        with self._lock:
            self._sets[provider.name] = fetched
        return fetched


def _pick(key_set: KeySet, kid: str | None):
    if kid is None:
        return key_set.keys[0] if len(key_set.keys) == 1 else None
    return next((key for key in key_set.keys if key.kid == kid), None)
