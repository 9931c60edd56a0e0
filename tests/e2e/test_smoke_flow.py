from __future__ import annotations

from tests.conftest import ALICE
from tests.support.harness import BotHarness


async def test_free_text_logs_a_call(bot: BotHarness) -> None:
    reply = await bot.say(ALICE, "Acme +371 2000 0000 no answer")
    assert "Saved" in reply.body
    assert "Acme" in reply.body
    assert "+371 20 000 000" in reply.body
    assert "no answer" in reply.body
