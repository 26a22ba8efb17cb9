"""The campaign config: one YAML file, validated into typed models.

Built once from a path and an injected environment mapping, then passed down;
no module reads os.environ itself. Tokens are resolved here, once, into each
channel's and the admin bot's `token` (outreach.secret.Secret, which prints as
Secret('**********')); nothing downstream sees the environment.

- fields.py: the base model and the rules every section shares (ids, URLs, texts per language);
- campaign.py: the campaign, its pages, feeds, announcements and share bars;
- channels.py: what every channel has (each network adds its own, outreach/networks/);
- settings.py: how the service runs (store, delivery, admin bot, web console);
- root.py: `Config`, the file as a whole;
- load.py: reading it: YAML, validation, cross-section checks, tokens;
- file_problems.py: what `check` finds that loading lets through (tokens, hidden characters);
  imported by `check` alone, not with the package.
"""

from .campaign import (
    AnnouncementConfig,
    CampaignInfo,
    FediverseServer,
    FeedConfig,
    Image,
    PageConfig,
    ShareBarSettings,
    ShareSettings,
    Utm,
)
from .channels import Channel, ChannelBase, QuietHours
from .fields import (
    Id,
    LocalText,
    Model,
    check_endpoint_url,
    check_http_url,
    local_text,
    no_items,
    pick,
)
from .load import (
    BUNDLED_CONFIG,
    CONFIG_ENV,
    STORE_ENV,
    config_from_doc,
    default_config_path,
    load_config,
    read_config_doc,
    with_secrets,
)
from .root import Config
from .settings import AdminConfig, DeliverySettings, StoreConfig, WebConfig

__all__ = [
    "BUNDLED_CONFIG",
    "CONFIG_ENV",
    "STORE_ENV",
    "AdminConfig",
    "AnnouncementConfig",
    "CampaignInfo",
    "Channel",
    "ChannelBase",
    "Config",
    "DeliverySettings",
    "FediverseServer",
    "FeedConfig",
    "Id",
    "Image",
    "LocalText",
    "Model",
    "PageConfig",
    "QuietHours",
    "ShareBarSettings",
    "ShareSettings",
    "StoreConfig",
    "Utm",
    "WebConfig",
    "check_endpoint_url",
    "check_http_url",
    "config_from_doc",
    "default_config_path",
    "load_config",
    "local_text",
    "no_items",
    "pick",
    "read_config_doc",
    "with_secrets",
]
