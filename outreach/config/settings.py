"""How the service runs: its store, delivery retries and timeouts, the admin bot, the web console."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ..secret import Secret
from .fields import Model, check_endpoint_url, no_items, no_plain_token


class StoreConfig(Model):
    url: str = "sqlite:///outreach.sqlite3"
    lease_seconds: Annotated[float, Field(gt=0)] = 10.0
    """PostgreSQL, several instances: a dead instance's channels pass on after this (outreach/instances.py)."""
    renew_seconds: Annotated[float, Field(gt=0)] = 2.0
    """How often an instance renews its leases; under lease_seconds / 4."""

    @model_validator(mode="after")
    def _renewed_in_time(self) -> StoreConfig:
        # outreach/instances.py: three beats fit well inside a lease, and the last fifth
        # of it is kept as a margin for an instance that lost the database to stop in
        if not 3 * self.renew_seconds < 0.8 * self.lease_seconds:
            raise ValueError(
                f"renew_seconds ({self.renew_seconds:g}) must be under a quarter of "
                f"lease_seconds ({self.lease_seconds:g}), e.g. 2 and 10"
            )
        return self

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        from sqlalchemy.engine import make_url  # only when a config is loaded, not for --help

        # Our own words: SQLAlchemy's would repeat the URL, and it may hold a password.
        try:
            url = make_url(v)
            if url.port is not None and not 0 < url.port < 65536:
                raise ValueError("port out of range")
        except Exception:
            raise ValueError(
                "not a database URL: use sqlite:///path/to/file.sqlite3 or "
                "postgresql://user@host:5432/dbname"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(
                f"the store must be SQLite or PostgreSQL, not {url.get_backend_name()!r}"
            )
        return v


class DeliverySettings(Model):
    # Upper bounds too: a number typed with a few zeros too many would overflow a
    # timedelta deep in the delivery loop instead of being named here.
    retry_budget: Annotated[int, Field(ge=0, le=100)] = 5
    backoff_base_seconds: Annotated[float, Field(gt=0, le=86_400)] = 2.0
    backoff_max_seconds: Annotated[float, Field(gt=0, le=7 * 86_400)] = 300.0
    misfire_grace_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60
    timeout_seconds: Annotated[float, Field(gt=0, le=3_600)] = 20.0


class AdminConfig(Model):
    token_env: str | None = None
    token_file: str | None = None
    allowed_users: list[int] = Field(default_factory=no_items)
    alert_chat: str | int | None = None
    api_base_url: str | None = None
    token: Secret | None = Field(default=None, exclude=True)
    """Not from YAML: resolved from token_env / token_file when the config is loaded."""

    _token = field_validator("token", mode="before")(no_plain_token)
    _api = field_validator("api_base_url")(check_endpoint_url)


class WebConfig(Model):
    """The organisers' web console (`outreach web`)."""

    base_url: str = "http://127.0.0.1:8080"
    """Where organisers reach it (the reverse proxy's https:// address): sign-in links point here."""
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12.0
    link_minutes: Annotated[float, Field(gt=0, le=60)] = 10.0
    """How long a sign-in link from the admin bot's /web works (once)."""
    telegram_role: Literal["viewer", "organiser", "admin"] = "organiser"
    """The role of an admin.allowed_users member without an account of their own."""

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        if not re.match(r"https?://[^/\s]+", v):
            raise ValueError("give the console's address, e.g. https://outreach.example.org")
        return v.rstrip("/")
