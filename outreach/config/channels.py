"""A channel as the campaign file names it: the fields every network shares; each network's
module (outreach/networks/<name>.py) adds its own and validates the rest."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, PlainValidator, SerializeAsAny, field_validator

from ..secret import Secret
from .fields import Model, check_id, no_plain_token


class QuietHours(Model):
    start: dt.time
    end: dt.time


class ChannelBase(Model):
    """What every channel has; each network's module adds its own fields (networks/<name>.py)."""

    id: str
    kind: str
    """The network's name: which module in outreach/networks/ declares the rest."""
    language: str = "en"
    token_env: str | None = None
    token_file: str | None = None
    quiet_hours: QuietHours | None = None
    token: Secret | None = Field(default=None, exclude=True)
    """Not from YAML: resolved from token_env / token_file when the config is loaded."""

    _id = field_validator("id")(check_id)
    _token = field_validator("token", mode="before")(no_plain_token)


def _channel_by_kind(value: Any) -> ChannelBase:
    """A channel validated by the model its network declares (`kind: mastodon` -> networks.mastodon)."""
    from ..networks import all_networks, find_network  # the networks import this module

    if isinstance(value, ChannelBase):
        return value
    if not isinstance(value, dict):
        raise ValueError("a channel is a mapping with at least 'id' and 'kind'")
    known = ", ".join(n.name for n in all_networks())
    kind = value.get("kind")
    if kind is None:
        raise ValueError(f"the channel has no kind: give one of {known}")
    network = find_network(kind) if isinstance(kind, str) else None
    if network is None:
        from ..validation_words import named, nearest  # difflib: only for a file with errors

        near = nearest(kind, [n.name for n in all_networks()])
        said = f"kind {named(kind)} is not a network outreach knows"
        raise ValueError(
            f"{said}; did you mean {near!r}?" if near else f"{said}: use one of {known}"
        )
    return network.channel_model.model_validate(value)


# SerializeAsAny: a channel dumps with its network's fields, not only the base's.
Channel = Annotated[SerializeAsAny[ChannelBase], PlainValidator(_channel_by_kind)]
"""A channel of any registered network, validated by that network's own model."""
