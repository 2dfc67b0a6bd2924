"""Relay settings: an INI file, overridden by the environment for secrets."""

from __future__ import annotations

import configparser
import logging
import os
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

DEFAULT_PATH = "/etc/relay/relay.ini"

_INT_KEYS = {"listen_port", "upstream_port", "max_batch_size", "max_retries", "smtp_port"}
_FLOAT_KEYS = {"batch_interval", "retry_backoff", "stale_after", "upstream_timeout"}


@dataclass
class Settings:
    listen_host: str = "0.0.0.0"
    listen_port: int = 7420

    upstream_host: str = "collector.internal"
    upstream_port: int = 8080
    upstream_path: str = "/v1/ingest"
    upstream_token: str = ""
    upstream_timeout: float = 10.0
    max_retries: int = 5
    retry_backoff: float = 0.5

    batch_interval: float = 2.0
    max_batch_size: int = 500

    audit_path: str = "/var/log/relay/audit.jsonl"
    spool_dir: str = "/var/spool/relay"
    state_db: str = "/var/lib/relay/state.db"

    archive_host: str = "archive.internal"
    archive_user: str = "relay"
    archive_password: str = ""
    archive_db: str = "telemetry"

    smtp_host: str = "mail.internal"
    smtp_port: int = 25
    alert_from: str = "relay@internal"
    alert_to: list[str] = field(default_factory=list)

    stale_after: float = 300.0

    @property
    def archive_dsn(self) -> str:
        return (
            f"postgresql://{self.archive_user}:{self.archive_password}"
            f"@{self.archive_host}/{self.archive_db}"
        )


def _coerce(key: str, raw: str):
    if key in _INT_KEYS:
        return int(raw)
    if key in _FLOAT_KEYS:
        return float(raw)
    if key == "alert_to":
        return [addr.strip() for addr in raw.split(",") if addr.strip()]
    return raw


def load(path: str | None = None) -> Settings:
    """Read the [relay] section of the config file; unknown keys are ignored."""
    path = path or os.environ.get("RELAY_CONFIG", DEFAULT_PATH)
    parser = configparser.ConfigParser()
    if not parser.read(path):
        logger.warning("config %s not found, using built-in defaults", path)

    settings = Settings()
    section = parser["relay"] if parser.has_section("relay") else {}
    for key, raw in section.items():
        if not hasattr(settings, key):
            logger.warning("unknown config key %r ignored", key)
            continue
        try:
            setattr(settings, key, _coerce(key, raw))
        except ValueError:
            logger.error("bad value for %s: %r", key, raw)
            raise

    # Secrets are injected by the deployment, never committed to the file.
    settings.upstream_token = os.environ.get("RELAY_UPSTREAM_TOKEN", settings.upstream_token)
    settings.archive_password = os.environ.get(
        "RELAY_ARCHIVE_PASSWORD", settings.archive_password
    )
    logger.info(
        f"config loaded from {path}: upstream={settings.upstream_host}:"
        f"{settings.upstream_port} token={settings.upstream_token}"
    )
    return settings
