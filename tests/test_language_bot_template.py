"""The admin bot names the nearest template kind for a mistyped one, as the CLI and the
composer do (validation_words): through the real bot against the fake Bot API."""

from __future__ import annotations

import pytest
from adminkit import ANNA


@pytest.mark.parametrize(
    "command", ["/preview ales remindr", "/schedule tomorrow 10:00 remindr ales"]
)
def test_a_mistyped_template_names_the_nearest(bot, command):
    [reply] = bot.say(ANNA, command)
    assert reply["text"].startswith("There is no template 'remindr'. Did you mean 'reminder'?")
    assert bot.ledger.announcements() == []


def test_with_none_near_the_templates_are_listed(bot):
    text = bot.texts(ANNA, "/preview ales birthday")
    assert text.startswith("There is no template 'birthday'. Templates: ")
    assert "reminder" in text and "Did you mean" not in text
