"""A real OpenID provider for the sign-in tests: oidc-provider-mock in its own process (its
authlib calls warn of deprecations, which this test run turns into errors in-process)."""

import subprocess
import sys
import time

import httpx2
import pytest

from tests.served import free_port


@pytest.fixture(scope="session")
def mock_issuer():
    """The issuer URL of a running oidc-provider-mock (it names itself by its host URL)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(issuer + "/.well-known/openid-configuration").raise_for_status()
                break
            except httpx2.HTTPError:
                assert time.monotonic() < deadline, "oidc-provider-mock did not start"
                time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
