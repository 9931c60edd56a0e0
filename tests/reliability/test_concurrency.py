"""Many auditors at once: 50 users each send 10 call logs without waiting, to one shared group
and to their own chats (some logging into the group from private chat). Nothing is lost or
saved twice, nobody sees an error, and each user's messages are handled in the order sent."""

from __future__ import annotations

import random
import string
from collections import Counter, defaultdict
from pathlib import Path

from tests.reliability.support import RecordCollector
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess_harness import InProcessHarness

GROUP = -100_900
USERS = list(range(5_001, 5_051))  # 50 auditors
PER_USER = 10
#: The first users log into the group from their private chat (/workspace).
REMOTE = set(USERS[:10])


def names(rng: random.Random, count: int) -> list[str]:
    """Random letters: no two are near misses, so the bot never asks "did you mean …?"."""
    found: set[str] = set()
    while len(found) < count:
        found.add("".join(rng.choice(string.ascii_lowercase) for _ in range(10)).capitalize())
    return sorted(found)


async def test_fifty_users_at_once(
    tmp_path: Path, clock: FakeClock, errors_logged: RecordCollector
) -> None:
    rng = random.Random(50)
    emulator = BotApiEmulator()
    for user in USERS:
        emulator.add_user(user, f"Auditor {user}", language_code=rng.choice(["en", "ru", "bg"]))
    emulator.add_group(GROUP, "Audit", members=USERS, admins=USERS[:1])
    bot = InProcessHarness(emulator, tmp_path / "bot.sqlite3", clock)
    await bot.start()
    try:
        # Everyone is seen in the group; the remote ones choose it as their workspace.
        for user in USERS:
            bot.queue_text(user, "/help", chat_id=GROUP)
        await bot.drain()
        for user in sorted(REMOTE):
            menu = await bot.say(user, "/workspace")
            await bot.press(user, menu, "Audit")
        # Then everybody writes at once: 10 messages each, to the group or their own chat.
        pool = iter(names(rng, len(USERS) * PER_USER))
        plan: list[tuple[int, int, str]] = []  # (user, chat, company) in sending order
        for user in USERS:
            for _ in range(PER_USER):
                plan.append((user, rng.choice((user, GROUP)), next(pool)))
        rng.shuffle(plan)
        mark = {user: emulator.last_message_id(user) for user in USERS}
        mark[GROUP] = emulator.last_message_id(GROUP)
        for user, chat, company in plan:
            outcome = rng.choice(("no answer", "busy", "не берут трубку", "не вдигат"))
            bot.queue_text(user, f"{company} {outcome}", chat_id=None if chat == user else chat)
        await bot.drain(timeout=60)
        replies = [
            m.body
            for chat in [GROUP, *USERS]
            for m in emulator.bot_messages(chat)
            if m.message_id > mark[chat]
        ]
        # Then all of them log a call to the same new company at the same moment.
        for user in USERS:
            bot.queue_text(user, "Globex busy", chat_id=None if user in REMOTE else GROUP)
        await bot.drain(timeout=60)
        same = await bot.storage._fetchall(
            "SELECT c.chat_id, c.name, count(a.id) FROM companies c "
            "LEFT JOIN attempts a ON a.company_id = c.id WHERE c.name LIKE 'Globex%' "
            "GROUP BY c.id"
        )
        rows = await bot.storage._fetchall(
            "SELECT a.id, a.chat_id, a.logged_by, c.name FROM attempts a "
            "JOIN companies c ON c.id = a.company_id WHERE c.name != 'Globex' ORDER BY a.id"
        )
    finally:
        await bot.stop()

    # Nothing lost, nothing twice, each entry where it belongs and under its author.
    saved = Counter(str(r[3]) for r in rows)
    assert sorted(saved) == sorted(c for _, _, c in plan)
    assert set(saved.values()) == {1}, [n for n, k in saved.items() if k > 1]
    where = {str(r[3]): (int(r[1]), int(r[2])) for r in rows}
    for user, chat, company in plan:
        workspace = GROUP if chat == GROUP or user in REMOTE else user
        assert where[company] == (workspace, user), (company, user, chat)
    # Each user's messages in one chat saved in the order sent (ids follow commit order);
    # different chats are handled side by side.
    sent_from = {company: chat for _, chat, company in plan}
    order: dict[tuple[int, int], list[str]] = defaultdict(list)
    for _, _, user, company in rows:
        order[int(user), sent_from[str(company)]].append(str(company))
    for (user, chat), companies in order.items():
        assert companies == [c for u, ch, c in plan if (u, ch) == (user, chat)], (user, chat)
    assert [tuple(r) for r in same] == [(GROUP, "Globex", len(USERS))]
    # Every message got its own card, and nobody saw an error.
    assert len(replies) == len(plan)
    for company in saved:
        assert sum(company in body for body in replies) == 1, company
    assert not [b for b in replies if "went wrong" in b or "пошло не так" in b]
    assert not errors_logged.records, errors_logged.describe()
    emulator.assert_no_errors()
