"""ID tokens no real provider issues, each refused: the user sees a refusal, no session
cookie is set and a signin.failure entry names the check that failed. Also the key cache:
a rotated key is picked up after one refetch, and made-up key ids do not flood the provider."""

import time

import httpx2
import pytest
from joserfc.jwk import RSAKey

from tests.oidc.flow import audit_rows, local_path, oidc_app, provider_entry, start
from tests.oidc.rogue_provider import hs256_with, rogue_provider, unsigned
from tests.signin import session_cookie


@pytest.fixture
def rogue():
    """A running rogue provider."""
    with rogue_provider() as provider:
        yield provider


@pytest.fixture
def app(make_app, rogue):
    """An app whose only provider is the rogue one; everyone at example.org is a member."""
    return oidc_app(make_app, provider_entry(rogue.issuer, name="mock"))


def sign_in(app):
    """The whole flow; Faultline's answer and the browser that went through it."""
    client = app.test_client()
    callback = httpx2.get(start(client)).headers["Location"]
    return client.get(local_path(callback)), client


def public_pem(rogue) -> bytes:
    return rogue.key.as_pem(private=False)


STRANGER = RSAKey.generate_key(2048, parameters={"kid": "ghost"})
NOW = int(time.time())

FORGED = {
    "alg none": ("algorithm", lambda r, c: unsigned({"alg": "none", "kid": "k1"}, c)),
    "HS256 signed with the public key": (
        "algorithm",
        lambda r, c: hs256_with(public_pem(r), {"alg": "HS256", "kid": "k1"}, c),
    ),
    "wrong audience": ("audience", lambda r, c: r.signed({**c, "aud": "someone-else"})),
    "several audiences without azp": (
        "azp",
        lambda r, c: r.signed({**c, "aud": ["faultline-tests", "someone-else"]}),
    ),
    "azp of another party": ("azp", lambda r, c: r.signed({**c, "azp": "someone-else"})),
    "expired": ("exp", lambda r, c: r.signed({**c, "exp": NOW - 120, "iat": NOW - 600})),
    "issued in the future": ("iat", lambda r, c: r.signed({**c, "iat": NOW + 600})),
    "another issuer": ("issuer", lambda r, c: r.signed({**c, "iss": "https://evil.example"})),
    "wrong nonce": ("nonce", lambda r, c: r.signed({**c, "nonce": "another-sign-in"})),
    "unknown kid": ("key", lambda r, c: r.signed(c, key=STRANGER)),
    "signature by another key under a known kid": (
        "signature",
        lambda r, c: r.signed(c, key=RSAKey.generate_key(2048, parameters={"kid": "k1"})),
    ),
    "not a JWT": ("format", lambda r, c: "not.a-token"),
}


def test_a_correct_token_signs_in(app, rogue):
    response, client = sign_in(app)
    assert response.status_code == 303
    assert session_cookie(client) is not None


@pytest.mark.parametrize("case", list(FORGED))
def test_forged_tokens_are_refused(app, rogue, case):
    check, forge = FORGED[case]
    rogue.issue = lambda claims: forge(rogue, claims)
    response, client = sign_in(app)
    assert response.status_code == 401
    assert "The sign-in was refused" in response.text
    assert session_cookie(client) is None
    [failure] = audit_rows(app, "signin.failure")
    assert failure.detail == {"method": "oidc:mock", "reason": "token", "check": check}
    assert audit_rows(app, "signin.success") == []


def test_a_rotated_key_is_fetched_once_and_accepted(app, rogue):
    assert sign_in(app)[0].status_code == 303
    assert rogue.jwks_requests == 1
    new_key = RSAKey.generate_key(2048, parameters={"kid": "k2"})
    rogue.published = [rogue.key, new_key]
    rogue.issue = lambda claims: rogue.signed(claims, key=new_key)
    assert sign_in(app)[0].status_code == 303
    assert sign_in(app)[0].status_code == 303
    assert rogue.jwks_requests == 2


def test_unknown_kids_refetch_at_most_once_a_minute(app, rogue):
    rogue.issue = lambda claims: rogue.signed(claims, key=STRANGER)
    for _ in range(3):
        assert sign_in(app)[0].status_code == 401
    # The first fetch, and one more for the first unknown kid; not one per forged token.
    assert rogue.jwks_requests == 2


def test_a_discovery_document_naming_another_issuer_is_refused(make_app, rogue):
    app = oidc_app(make_app, provider_entry(rogue.issuer.replace("127.0.0.1", "localhost")))
    response = app.test_client().get("/auth/oidc/mock/start")
    assert response.status_code == 502
    assert "names issuer" in response.text


def test_an_unreachable_provider_is_a_clear_page(make_app):
    from tests.served import free_port

    app = oidc_app(make_app, provider_entry(f"http://127.0.0.1:{free_port()}"))
    response = app.test_client().get("/auth/oidc/mock/start")
    assert response.status_code == 502
    assert "cannot be used right now" in response.text


def test_an_unknown_provider_is_not_found(app):
    assert app.test_client().get("/auth/oidc/nobody/start").status_code == 404
