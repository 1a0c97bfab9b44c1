"""Configuration: YAML file + `${{ env.NAME }}` placeholders, checked against DEFAULTS.

No Flask import: the CLI and the tests load and check a config without building an app.
"""

import copy
import os
import re
from pathlib import Path

import yaml

from app.core.scrub import invalid_patterns

ENV_PLACEHOLDER = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MODES = ("development", "production", "test")
# Secrets that are public knowledge (docs, examples) are refused in production like a blank one.
KNOWN_WEAK_SECRETS = {"", "change-me", "changeme", "secret", "dev", "development", "faultline"}
MIN_SECRET_LENGTH = 32
# A year: longer-lived browser sessions are a liability, not a convenience.
MAX_SESSION_DAYS = 366

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
    "auth": {"session_days": 14},
    "retention": {"days": 90},
    "sourcemaps": {"max_file_bytes": 50 * 1024 * 1024, "max_upload_bytes": 200 * 1024 * 1024},
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
        if isinstance(default, dict):
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


def _numbers(config: dict, where: str = ""):
    for key, value in config.items():
        dotted = _join(where, key)
        if isinstance(value, dict):
            yield from _numbers(value, dotted)
        elif isinstance(value, int) and not isinstance(value, bool):
            yield dotted, value


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key
