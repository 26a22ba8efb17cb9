"""The campaign file as a whole: `Config`, what every command is given."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from .campaign import AnnouncementConfig, CampaignInfo, FeedConfig, PageConfig, ShareSettings
from .channels import Channel, ChannelBase
from .fields import Model, no_items
from .settings import AdminConfig, DeliverySettings, StoreConfig, WebConfig


class Config(Model):
    campaign: CampaignInfo
    share: ShareSettings = Field(default_factory=ShareSettings)
    pages: list[PageConfig] = Field(default_factory=no_items)
    feeds: list[FeedConfig] = Field(default_factory=no_items)
    channels: list[Channel] = Field(default_factory=no_items)
    announcements: list[AnnouncementConfig] = Field(default_factory=no_items)
    store: StoreConfig = Field(default_factory=StoreConfig)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    messages_dir: str | None = None
    """An organiser's own template folder, layered over the bundled `messages/`."""

    # Not from YAML: where the file was, for relative paths and error messages.
    source: Path = Field(default=Path("."), exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def resolve_path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def page(self, page_id: str) -> PageConfig | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def channel(self, channel_id: str) -> ChannelBase | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channels_for(self, selector: list[str]) -> list[ChannelBase]:
        if "*" in selector:
            return list(self.channels)
        return [c for c in self.channels if c.id in selector]
