"""Configuration: YAML file + `${{ env.NAME }}` placeholders, checked against DEFAULTS.

No Flask import: the CLI and the tests load and check a config without building an app.
"""

import copy
import os
import re
from pathlib import Path

import yaml

from app.core.access_rules import RULE_ROLES, RuleError, compile_rule
from app.core.scrub import invalid_patterns

ENV_PLACEHOLDER = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MODES = ("development", "production", "test")
# Secrets that are public knowledge (docs, examples) are refused in production like a blank one.
KNOWN_WEAK_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development", "faultline"}
MIN_SECRET_LENGTH = 32
# A year: longer-lived browser sessions are a liability, not a convenience.
MAX_SESSION_DAYS = 366
PROVIDERS_KEY = "auth.oidc.providers"
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
PROVIDER_KEYS = {"name", "issuer", "client_id", "client_secret", "scopes", "label"}
DEFAULT_SCOPES = ["openid", "email", "profile"]
# Plain HTTP is for a provider on this machine (development, tests), never across a network.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
SMTP_SECURITY = ("starttls", "tls", "none")

DEFAULTS: dict = {
    "mode": "development",
    "secret_key": "",
    "web": {
        "host": "127.0.0.1",
        "port": 8080,
        "base_url": "http://127.0.0.1:8080",
        "trust_proxy": False,
        "workers": 1,
        "threads": 4,
    },
    "database": {"url": "sqlite:///data/faultline.db"},
    "ingest": {
        "allowed_hosts": [],
        "auto_register_cap": 100,
        "honour_dnt": True,
        "max_body_bytes": 16384,
        "caps": {
            "beacon": 256,
            "session": 256,
            "event_name": 256,
            "utm": 256,
            "path": 1024,
            "metadata_entries": 32,
            "metadata_key": 256,
            "metadata_value": 1024,
            "exception_type": 1000,
            "exception_message": 1000,
            "stack": 16000,
            "release": 120,
        },
    },
    "ratelimit": {
        "tracking_per_minute": 600,
        "tracking_burst": 60,
        "unauthenticated_per_minute": 30,
        "login_failures_per_minute": 10,
        "login_failures_per_account_per_hour": 20,
        "storage_url": "memory://",
    },
    "auth": {
        "session_days": 14,
        "local_accounts": True,
        "oidc": {"providers": []},
        "rules": {"admin": "", "member": "", "viewer": ""},
    },
    "retention": {"days": 90},
    "sourcemaps": {"max_file_bytes": 50 * 1024 * 1024, "max_upload_bytes": 200 * 1024 * 1024},
    "alerts": {
        "smtp": {
            "host": "",
            "port": 587,
            "security": "starttls",
            "user": "",
            "password": "",
            "from": "faultline@localhost",
        },
        "digest_seconds": 60,
        "max_attempts": 8,
        "retry_base_seconds": 30,
        "claim_seconds": 120,
        "poll_seconds": 5,
        "worker": True,
        "rate_check_seconds": 60,
    },
    "privacy": {"scrub_patterns": []},
}


class ConfigError(ValueError):
    """The configuration cannot be used; the message says which key and why."""


def load_config(path: str | os.PathLike | None = None, environ: dict | None = None) -> dict:
    """Read, substitute, merge over DEFAULTS and validate; `path=None` means defaults."""
    environ = os.environ if environ is None else environ
    raw: dict = {}
    if path is not None:
        file = Path(path)
        if not file.exists():
            raise ConfigError(f"config file not found: {file}")
        try:
            loaded = yaml.safe_load(file.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigError(f"config file {file} is not valid YAML: {exc}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"config file {file} must hold a mapping at the top level")
        raw = loaded or {}
    config = _merge(copy.deepcopy(DEFAULTS), _substitute(raw, environ, ""), "")
    # The one environment override: scripts (migrate, CI) point a stock config elsewhere.
    if environ.get("FAULTLINE_DATABASE_URL"):
        config["database"]["url"] = environ["FAULTLINE_DATABASE_URL"]
    _validate(config)
    return config


def config_path_from_env(environ: dict | None = None) -> str | None:
    """The config file named by FAULTLINE_CONFIG, if any."""
    environ = os.environ if environ is None else environ
    return environ.get("FAULTLINE_CONFIG") or None


def _substitute(value, environ: dict, where: str):
    if isinstance(value, dict):
        return {k: _substitute(v, environ, _join(where, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, environ, f"{where}[{i}]") for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        return environ[name]

    substituted = ENV_PLACEHOLDER.sub(replace, value)
    # A whole-value placeholder may stand for a number or a boolean (e.g. a port).
    if substituted != value and ENV_PLACEHOLDER.fullmatch(value.strip()):
        return yaml.safe_load(substituted) if substituted.strip() else ""
    return substituted


def _merge(base: dict, override: dict, where: str) -> dict:
    for key, value in override.items():
        dotted = _join(where, str(key))
        if key not in base:
            raise ConfigError(f"unknown config key: {dotted}")
        default = base[key]
        if dotted == PROVIDERS_KEY:
            # The one list of mappings: checked entry by entry, not by _coerce.
            base[key] = _providers(value)
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"{dotted} must be a mapping")
            base[key] = _merge(default, value, dotted)
        else:
            base[key] = _coerce(default, value, dotted)
    return base


def _coerce(default, value, dotted: str):
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{dotted} must be true or false")
    elif isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{dotted} must be an integer")
    elif isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{dotted} must be a list of strings")
    elif isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{dotted} must be a string")
    return value


def _validate(config: dict) -> None:
    if config["mode"] not in MODES:
        raise ConfigError(f"mode must be one of {', '.join(MODES)}")
    if config["mode"] != "development":
        secret = config["secret_key"]
        if secret.strip().lower() in KNOWN_WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"secret_key must be a random string of at least {MIN_SECRET_LENGTH} characters "
                "outside development mode (for example from `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)"
            )
    for dotted, value in _numbers(config):
        if value < 0:
            raise ConfigError(f"{dotted} must not be negative")
    for dotted in (
        "auth.session_days",
        "ratelimit.login_failures_per_minute",
        "ratelimit.login_failures_per_account_per_hour",
    ):
        group, key = dotted.split(".")
        if config[group][key] < 1:
            raise ConfigError(f"{dotted} must be at least 1")
    if config["auth"]["session_days"] > MAX_SESSION_DAYS:
        raise ConfigError(f"auth.session_days must be at most {MAX_SESSION_DAYS}")
    bad = invalid_patterns(tuple(config["privacy"]["scrub_patterns"]))
    if bad:
        raise ConfigError(f"privacy.scrub_patterns: not a valid regular expression: {bad[0]}")
    storage = config["ratelimit"]["storage_url"]
    if not storage.startswith(("memory://", "redis://", "rediss://")):
        raise ConfigError("ratelimit.storage_url must be memory:// or redis://...")
    if storage.startswith(("redis://", "rediss://")) and not config["secret_key"]:
        # Limit keys are keyed hashes of addresses (never the address itself): without one
        # secret shared by every process, each would count on keys of its own.
        raise ConfigError(
            "ratelimit.storage_url: a shared limit store needs secret_key set (the same in "
            "every process)"
        )
    _validate_auth(config["auth"])
    _validate_alerts(config["alerts"])


def _validate_alerts(alerts: dict) -> None:
    if alerts["smtp"]["security"] not in SMTP_SECURITY:
        raise ConfigError(f"alerts.smtp.security must be one of {', '.join(SMTP_SECURITY)}")
    for key in ("max_attempts", "claim_seconds", "poll_seconds", "rate_check_seconds"):
        if alerts[key] < 1:
            raise ConfigError(f"alerts.{key} must be at least 1")


def _validate_auth(auth: dict) -> None:
    for role in RULE_ROLES:
        expression = auth["rules"][role]
        if expression.strip():
            try:
                compile_rule(expression)
            except RuleError as error:
                raise ConfigError(f"auth.rules.{role}: {error}") from None
    providers = auth["oidc"]["providers"]
    if providers and not any(auth["rules"][role].strip() for role in RULE_ROLES):
        # Deny by default: with no rule at all, nobody could sign in through a provider.
        raise ConfigError(
            f"{PROVIDERS_KEY} are configured but no auth.rules (admin, member or viewer) is "
            "set: nobody could sign in through them"
        )
    if not providers and not auth["local_accounts"]:
        raise ConfigError(
            f"auth.local_accounts is false and no {PROVIDERS_KEY} are configured: "
            "nobody could sign in"
        )


def _providers(value) -> list[dict]:
    if not isinstance(value, list):
        raise ConfigError(f"{PROVIDERS_KEY} must be a list of mappings")
    checked, names = [], set()
    for index, entry in enumerate(value):
        where = f"{PROVIDERS_KEY}[{index}]"
        provider = _provider(entry, where)
        if provider["name"] in names:
            raise ConfigError(f"{where}.name: {provider['name']!r} is used twice")
        names.add(provider["name"])
        checked.append(provider)
    return checked


def _provider(entry, where: str) -> dict:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where} must be a mapping")
    unknown = sorted(set(entry) - PROVIDER_KEYS)
    if unknown:
        raise ConfigError(f"unknown config key: {where}.{unknown[0]}")
    for key in ("name", "issuer", "client_id", "client_secret"):
        if not isinstance(entry.get(key), str):
            raise ConfigError(f"{where}.{key} must be a string")
    name = entry["name"]
    if not PROVIDER_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}.name must be a slug: lower-case letters, digits and '-', at most 32"
        )
    issuer = entry["issuer"]
    if not issuer_allowed(issuer):
        raise ConfigError(
            f"{where}.issuer: must be an https:// URL (http:// only for 127.0.0.1 or localhost)"
        )
    if not entry["client_id"].strip():
        raise ConfigError(f"{where}.client_id must not be empty")
    scopes = entry.get("scopes", DEFAULT_SCOPES)
    if not isinstance(scopes, list) or not all(isinstance(s, str) and s for s in scopes):
        raise ConfigError(f"{where}.scopes must be a list of strings")
    if "openid" not in scopes:
        raise ConfigError(f"{where}.scopes must include openid")
    label = entry.get("label", name)
    if not isinstance(label, str) or not label.strip():
        raise ConfigError(f"{where}.label must be a non-empty string")
    return {**entry, "scopes": list(scopes), "label": label}


def issuer_allowed(url: str) -> bool:
    """Whether an identity provider URL may be used: https, or http on this machine."""
    if re.fullmatch(r"https://[^/?#\s]+(/[^?#\s]*)?", url):
        return True
    found = re.fullmatch(r"http://([^/:?#\s]+|\[::1\])(:\d+)?(/[^?#\s]*)?", url)
    return found is not None and found.group(1) in LOOPBACK_HOSTS


def _numbers(config: dict, where: str = ""):
    for key, value in config.items():
        dotted = _join(where, key)
        if isinstance(value, dict):
            yield from _numbers(value, dotted)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield dotted, value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
