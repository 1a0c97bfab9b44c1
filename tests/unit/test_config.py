"""Configuration loading: placeholders, unknown keys, defaults, production secrets."""

from pathlib import Path

import pytest

from app.config import DEFAULTS, ConfigError, load_config

EXAMPLE = Path(__file__).parents[2] / "config.yaml"
STRONG = "s" * 48


def write(tmp_path, text: str) -> Path:
    """A config file with this text."""
    path = tmp_path / "faultline.yaml"
    path.write_text(text)
    return path


def test_missing_file_argument_means_defaults():
    assert load_config(None, environ={}) == DEFAULTS


def test_documented_example_is_valid_and_equals_the_defaults():
    assert load_config(EXAMPLE, environ={}) == DEFAULTS


def test_env_placeholders(tmp_path):
    path = write(
        tmp_path,
        "secret_key: ${{ env.FL_SECRET }}\nweb:\n  port: ${{env.FL_PORT}}\n"
        "database:\n  url: postgresql+psycopg://u:${{ env.FL_PW }}@db/f\n",
    )
    config = load_config(path, environ={"FL_SECRET": STRONG, "FL_PORT": "9000", "FL_PW": "p"})
    assert config["secret_key"] == STRONG
    assert config["web"]["port"] == 9000
    assert config["database"]["url"] == "postgresql+psycopg://u:p@db/f"


def test_unset_placeholder_names_the_variable(tmp_path):
    path = write(tmp_path, "secret_key: ${{ env.FL_NOT_SET }}\n")
    with pytest.raises(ConfigError, match="FL_NOT_SET"):
        load_config(path, environ={})


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("colour: red\n", "colour"),
        ("web:\n  hostname: x\n", "web.hostname"),
        ("ingest:\n  caps:\n    stacks: 1\n", "ingest.caps.stacks"),
    ],
)
def test_unknown_keys_are_rejected_by_name(tmp_path, text, named):
    with pytest.raises(ConfigError, match=f"unknown config key: {named}"):
        load_config(write(tmp_path, text), environ={})


@pytest.mark.parametrize(
    "text",
    [
        "web:\n  port: eighty\n",
        "web: 3\n",
        "web:\n  trust_proxy: 1\n",
        "mode: staging\n",
        "ratelimit:\n  storage_url: mysql://x\n",
        # Shared limits without a shared secret: each process would hash keys of its own.
        "ratelimit:\n  storage_url: redis://127.0.0.1:6379/0\n",
        "retention:\n  days: -1\n",
        "- a list\n",
        "web: [unclosed\n",
        "privacy:\n  scrub_patterns: ['(unclosed']\n",
        "auth:\n  session_days: 0\n",
        "auth:\n  session_days: 367\n",
        "ratelimit:\n  login_failures_per_minute: 0\n",
        "ratelimit:\n  login_failures_per_account_per_hour: 0\n",
    ],
)
def test_wrong_values_are_rejected(tmp_path, text):
    with pytest.raises(ConfigError):
        load_config(write(tmp_path, text), environ={})


@pytest.mark.parametrize("secret", ["", "change-me", "secret", "short-but-not-default"])
@pytest.mark.parametrize("mode", ["production", "test"])
def test_outside_development_a_weak_or_default_secret_is_refused(tmp_path, secret, mode):
    path = write(tmp_path, f"mode: {mode}\nsecret_key: '{secret}'\n")
    with pytest.raises(ConfigError, match="secret_key"):
        load_config(path, environ={})


def test_production_accepts_a_real_secret(tmp_path):
    path = write(tmp_path, f"mode: production\nsecret_key: {STRONG}\n")
    assert load_config(path, environ={})["mode"] == "production"


def test_database_url_override_from_environment():
    config = load_config(None, environ={"FAULTLINE_DATABASE_URL": "sqlite:////tmp/x.db"})
    assert config["database"]["url"] == "sqlite:////tmp/x.db"


PROVIDER = (
    "auth:\n  rules:\n    member: 'claims.email_verified'\n  oidc:\n    providers:\n"
    "      - name: company\n        issuer: https://sso.example.org/realms/staff\n"
    "        client_id: faultline\n        client_secret: s3cret\n"
)


def test_a_provider_gets_default_scopes_and_label(tmp_path):
    [provider] = load_config(write(tmp_path, PROVIDER), environ={})["auth"]["oidc"]["providers"]
    assert provider["scopes"] == ["openid", "email", "profile"]
    assert provider["label"] == "company"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("issuer: https://sso.example.org/realms/staff", "issuer: http://sso.example.org"),
            r"auth\.oidc\.providers\[0\]\.issuer: must be an https:// URL",
        ),
        (("issuer: https://sso.example.org/realms/staff", "issuer: http://localhost:9000"), None),
        (("issuer: https://sso.example.org/realms/staff", "issuer: http://127.0.0.1:9000"), None),
        (("name: company", "name: Company SSO"), r"providers\[0\]\.name must be a slug"),
        (("client_id: faultline", "client_id: 12"), r"providers\[0\]\.client_id must be a string"),
        (("        client_secret: s3cret\n", ""), r"providers\[0\]\.client_secret must be a str"),
        (
            ("client_secret: s3cret", "client_secret: s3cret\n        scopes: [email]"),
            r"providers\[0\]\.scopes must include openid",
        ),
        (
            ("client_secret: s3cret", "client_secret: s3cret\n        colour: red"),
            r"unknown config key: auth\.oidc\.providers\[0\]\.colour",
        ),
        (
            ("    providers:\n      - name", "    providers:\n      - 3\n      - name"),
            r"providers\[0\] must be a mapping",
        ),
        (
            ("member: 'claims.email_verified'", "member: ''"),
            r"no auth\.rules \(admin, member or viewer\) is set",
        ),
        (
            ("member: 'claims.email_verified'", "member: 'claims.email_verified &&'"),
            r"auth\.rules\.member: line 1, column 25",
        ),
    ],
)
def test_provider_entries_are_checked_by_name(tmp_path, change, message):
    text = PROVIDER.replace(*change)
    if message is None:
        load_config(write(tmp_path, text), environ={})
        return
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text), environ={})


def test_the_same_provider_name_twice_is_refused(tmp_path):
    twice = PROVIDER + PROVIDER.split("providers:\n")[1]
    with pytest.raises(ConfigError, match=r"providers\[1\]\.name: 'company' is used twice"):
        load_config(write(tmp_path, twice), environ={})


def test_a_rule_that_does_not_compile_names_itself_without_providers(tmp_path):
    with pytest.raises(ConfigError, match=r"auth\.rules\.admin: line 1, column 4: Syntax error"):
        load_config(write(tmp_path, "auth:\n  rules:\n    admin: '1 +'\n"), environ={})


def test_turning_local_accounts_off_needs_a_provider(tmp_path):
    with pytest.raises(ConfigError, match="nobody could sign in"):
        load_config(write(tmp_path, "auth:\n  local_accounts: false\n"), environ={})
    text = PROVIDER.replace("auth:\n", "auth:\n  local_accounts: false\n")
    assert load_config(write(tmp_path, text), environ={})["auth"]["local_accounts"] is False
