"""ID token validation (OpenID Connect Core 3.1.3.7): signature by one of the provider's
published keys with an asymmetric algorithm it advertises, then issuer, audience, authorized
party, expiry, issue time and nonce."""

import hmac
from datetime import datetime

from joserfc import jws, jwt
from joserfc.errors import JoseError

from app.access.oidc.keys import KeyCache
from app.access.oidc.providers import Discovery, Provider

# Clocks of the provider and of this server may disagree by this much.
LEEWAY_SECONDS = 60


class TokenRejected(Exception):
    """The ID token is not acceptable; `check` names the check it failed."""

    def __init__(self, check: str, message: str):
        super().__init__(message)
        self.check = check


def validate_id_token(
    raw: str,
    provider: Provider,
    discovery: Discovery,
    keys: KeyCache,
    nonce: str,
    now: datetime,
) -> dict:
    """The claims of a valid ID token; TokenRejected otherwise (ProviderError when the
    provider's keys cannot be fetched)."""
    try:
        header = jws.extract_compact(raw.encode()).protected
    except (JoseError, ValueError, TypeError) as error:
        raise TokenRejected("format", f"the ID token cannot be read ({error})") from None
    alg = header.get("alg")
    if alg not in discovery.algorithms:
        raise TokenRejected(
            "algorithm", f"the ID token is signed with {str(alg)[:20]!r}, which is not accepted"
        )
    kid = header.get("kid")
    key = keys.key_for(provider, discovery.jwks_uri, kid if isinstance(kid, str) else None)
    if key is None:
        raise TokenRejected("key", "the ID token is signed with a key the provider does not list")
    try:
        claims = jwt.decode(raw, key, algorithms=[alg]).claims
    except (JoseError, ValueError, TypeError) as error:
        raise TokenRejected(
            "signature", f"the ID token's signature is not valid ({error})"
        ) from None
    check_claims(claims, provider, nonce, now)
    return claims


def check_claims(claims: dict, provider: Provider, nonce: str, now: datetime) -> None:
    """TokenRejected unless the claims are for us, from this provider, current and ours."""
    if claims.get("iss") != provider.issuer:
        raise TokenRejected("issuer", "the ID token comes from another issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or provider.client_id not in audiences:
        raise TokenRejected("audience", "the ID token is not meant for Faultline")
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != provider.client_id:
        raise TokenRejected("azp", "the ID token was issued to another party")
    timestamp = now.timestamp()
    expires, issued = claims.get("exp"), claims.get("iat")
    if not _number(expires) or expires <= timestamp - LEEWAY_SECONDS:
        raise TokenRejected("exp", "the ID token has expired")
    if not _number(issued) or issued > timestamp + LEEWAY_SECONDS:
        raise TokenRejected("iat", "the ID token is issued in the future")
    presented = claims.get("nonce")
    if not isinstance(presented, str) or not hmac.compare_digest(
        presented.encode(), nonce.encode()
    ):
        raise TokenRejected("nonce", "the ID token answers another sign-in (nonce)")
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise TokenRejected("sub", "the ID token has no usable subject")


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
