"""Hostile input through the whole bot (in-process emulator): random text, commands, edits and
forged buttons. Nothing may crash, every request must be valid for Telegram, and nothing saved
may change except through an action that is allowed to change it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import reminders
from tests.conftest import ALICE, BORIS, VERA
from tests.reliability.support import LoopRunner, RecordCollector, collect_logs, snapshot
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.inprocess_harness import InProcessHarness

SHARED = -100_500  # Alice, Boris and Vera
OTHERS = -100_600  # Boris and Vera only: Alice must never reach it
VICTIM_CHATS = (BORIS, OTHERS)
FUZZ_CHATS = (ALICE, SHARED)

COMMANDS = (
    "start",
    "help",
    "call",
    "promise",
    "calledback",
    "pending",
    "history",
    "undo",
    "export",
    "report",
    "weekly",
    "settings",
    "workspace",
    "share",
    "revoke",
    "deletemydata",
    "nonsense",
)

#: Messages a real user sends: they put real buttons on screen for the button fuzzer.
FLOW_TEXT = (
    "/call",
    "/call Acme",
    "/pending",
    "/undo",
    "/settings",
    "/workspace",
    "/start",
    "/history Acme",
    "/calledback Acme",
    "/promise Globex tomorrow Mary",
    "/promise Acme",
    "/weekly on fri 9:00",
    "/deletemydata",
    "Acme answered, Peter promised to call back tomorrow 3pm",
    "Acme no answer",
    "Acmee busy",
    "Globex",
    "answered",
    "tomorrow 10:00",
    "Europe/Riga",
    "Sofia",
    "Ромашка — обещали перезвонить завтра в 15:00",
    "Виваком обещаха да се обадят утре в 10",
)

FRAGMENTS = (
    "Acme",
    "Acme Ltd",
    "«Ромашка»",
    "Виваком",
    "Теле2",
    "called ",
    "Позвонил в ",
    " no answer",
    " busy",
    " hung up",
    " robot queue 20 min",
    " answered, Peter promised to call back tomorrow 3pm",
    " обещали перезвонить завтра в 15:00",
    " обещаха да се обадят утре в 10",
    " не берут трубку",
    " не вдигат",
    "+371 2000 0000",
    "+7 (495) 123-45-67",
    "00000000000000000000000000",
    "+",
    " in 2 hours",
    " yesterday",
    " 31.02 25:99",
    " in 100000000 years",
    " 2099-01-01",
    " next week",
    " утре",
    " week",
    " month",
    " all",
    " on",
    " off",
    " zz",
    " mon 25:00",
    " fri 9pm",
    "<b>",
    "</i>",
    "<a href='tg://user?id=1'>x</a>",
    "&",
    "&amp;",
    "&#0;",
    "<",
    ">",
    '"',
    "'",
    "*bold* _it_ `code` [l](http://x)",
    "\\",
    "%s %(x)s {0} {x}",
    "\u202e",  # right-to-left override
    "\u200f",
    "שלום עולם",
    "مرحبا",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "😀",
    "👨\u200d👩\u200d👧",
    "𝕏",
    "e\u0301",
    "\ufeff",
    "\u2028",
    ":",
    "/",
    "@callback_tracker_bot",
)

#: Any code point Telegram can carry (no lone surrogates).
ANY_CHAR = st.characters(codec="utf-8")
SHORT_TEXT = st.text(ANY_CHAR, max_size=40)
PIECE = st.one_of(st.sampled_from(FRAGMENTS), SHORT_TEXT)


@st.composite
def long_text(draw: st.DrawFn) -> str:
    """Up to 10,000 characters made of a repeated piece (cheap to generate, hard to render)."""
    piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.text(ANY_CHAR, min_size=1, max_size=8)))
    length = draw(st.integers(min_value=0, max_value=10_000))
    prefix = draw(st.sampled_from(("", "Acme ", "called Acme, ", "/promise Acme ", "/history ")))
    return (prefix + piece * (length // max(len(piece), 1) + 1))[:length]


MESSAGE_TEXT = st.one_of(
    st.lists(PIECE, max_size=6).map("".join),
    st.builds(
        lambda command, mention, args: f"/{command}{mention}{args}",
        st.sampled_from(COMMANDS),
        st.sampled_from(("", "", "@callback_tracker_bot", "@other_bot")),
        st.lists(PIECE, max_size=4).map(lambda parts: " " + "".join(parts) if parts else ""),
    ),
    long_text(),
)

AREAS = ("a", "p", "l", "r", "d", "s", "w", "del", "x", "")
ACTIONS = (
    "c",
    "n",
    "m",
    "mv",
    "ot",
    "ed",
    "dl",
    "u",
    "u!",
    "k",
    "eo",
    "o",
    "ec",
    "co",
    "cn",
    "oc",
    "pr",
    "x",
    "tz",
    "lang",
    "quiet",
    "repeat",
    "yes",
    "no",
)
ARGS = (
    "",
    "1h",
    "today",
    "tomorrow",
    "3d",
    "type",
    "no",
    "answered",
    "busy",
    "bogus",
    "Europe/Riga",
    "../../etc",
    "ru",
    "auto",
    "2200:0800",
    "off",
    "0",
    "48",
    "-1",
)


@dataclass
class Say:
    user: int
    chat: int
    text: str


@dataclass
class Edit:
    which: int  # index into the user's earlier messages
    text: str


@dataclass
class Press:
    user: int
    chat: int
    which: int  # index into the chat's bot messages (or past the end: a missing message)
    data: str | int  # str: forged data; int: index into the buttons on screen


@dataclass
class Tick:
    minutes: int  # the clock moves on: reminders fall due and are sent


Action = Say | Edit | Press | Tick


def _clip64(text: str) -> str:
    data = text.encode()[:64].decode(errors="ignore")
    return data or "x"


#: Ids past SQLite's 64-bit range (once crashed the handlers; see test_forged_buttons.py).
OUT_OF_RANGE_IDS = (2**63, -(2**63) - 1, 10**30)
#: Stands for the id of an entry that exists (in any chat), chosen when the button is pressed.
EXISTING = "§"
ID = st.one_of(
    st.just(EXISTING),
    st.just(EXISTING),
    st.integers(min_value=-3, max_value=40),
    st.sampled_from((OTHERS, SHARED, BORIS, 2**31, 2**63 - 1, -(2**63))),
    st.sampled_from(OUT_OF_RANGE_IDS),
    st.sampled_from(("", "abc", "1e3", " 1", "0x1", "١", "1_0", "1:2")),
)
FORGED_DATA = st.one_of(
    st.builds(
        lambda area, ident, action, arg: _clip64(f"{area}:{ident}:{action}:{arg}"),
        st.sampled_from(AREAS),
        ID,
        st.sampled_from(ACTIONS),
        st.one_of(st.sampled_from(ARGS), ID.map(str)),
    ),
    st.builds(
        lambda area, ident, action: _clip64(f"{area}:{ident}:{action}"),
        st.sampled_from(AREAS),
        ID,
        st.sampled_from(ACTIONS),
    ),
    st.builds(lambda area, ident: _clip64(f"{area}:{ident}"), st.sampled_from(AREAS), ID),
    st.text(ANY_CHAR, min_size=1, max_size=64).map(_clip64),
)
SAY = st.builds(Say, st.just(ALICE), st.sampled_from(FUZZ_CHATS), MESSAGE_TEXT)
SAY_FLOW = st.builds(Say, st.just(ALICE), st.sampled_from(FUZZ_CHATS), st.sampled_from(FLOW_TEXT))
EDIT = st.builds(Edit, st.integers(min_value=0, max_value=50), MESSAGE_TEXT)
PRESS = st.builds(
    Press,
    st.just(ALICE),
    st.sampled_from(FUZZ_CHATS),
    st.integers(min_value=-3, max_value=60),
    st.one_of(
        # A real button on screen (four times as likely as forged data); the latest first.
        st.integers(min_value=-8, max_value=-1),
        st.integers(min_value=-8, max_value=-1),
        st.integers(min_value=0, max_value=200),
        st.integers(min_value=0, max_value=200),
        FORGED_DATA,
    ),
)
TICK = st.builds(Tick, st.sampled_from((1, 30, 90, 300, 1440)))


# ---------------------------------------------------------------- the world
#: Reminder bookkeeping the reminder task updates in every chat as the clock moves.
REMINDER_COLUMNS = ("remind_at", "reminders_sent", "reminder_chat_message")
#: The fuzzers move the clock at most this far: no victim's promise reaches its auto-break.
MAX_CLOCK_MOVE = timedelta(days=4)


@dataclass
class World:
    runner: LoopRunner
    emulator: BotApiEmulator
    bot: InProcessHarness
    database: Path
    logs: RecordCollector
    started: datetime
    victims: dict[str, Any] = field(default_factory=dict)
    said: list[tuple[int, int]] = field(default_factory=list)  # (chat, message id) of Alice's
    history: list[str] = field(default_factory=list)

    def others_rows(self) -> dict[str, Any]:
        rows = snapshot(self.database, VICTIM_CHATS, users=(BORIS, VERA))
        for promise in rows["promises"]:
            for column in REMINDER_COLUMNS:
                promise.pop(column, None)
        return rows

    def shared_rows(self) -> dict[str, Any]:
        return snapshot(self.database, FUZZ_CHATS)


async def _seed(bot: InProcessHarness) -> None:
    for user, chat, text in (
        (BORIS, BORIS, "Ромашка — обещали перезвонить завтра в 15:00"),
        (BORIS, BORIS, "Acme busy"),
        (BORIS, BORIS, "/promise Zenith tomorrow Peter"),
        (VERA, OTHERS, "Виваком обещаха да се обадят утре в 10"),
        (BORIS, OTHERS, "Acme no answer"),
        (BORIS, SHARED, "Acme answered, Peter promised to call back tomorrow 3pm"),
        (VERA, SHARED, "Globex busy"),
        (BORIS, SHARED, "Initech answered, Anna promised to call back in 2 hours"),
        (ALICE, ALICE, "Acme answered, Peter promised to call back tomorrow 3pm"),
        (ALICE, ALICE, "Initech no answer"),
        (ALICE, ALICE, "/promise Globex in 3 days Mary"),
        (ALICE, SHARED, "Hooli answered, they promised to call back in 3 days"),
    ):
        bot.queue_text(user, text, chat_id=None if chat == user else chat)
        await bot.drain()
    # Resolved promises: Boris's in the group broken, Alice's own late.
    bot.queue_text(BORIS, "/pending", chat_id=SHARED)
    await bot.drain()
    listing = bot.emulator.bot_messages(SHARED)[-1]
    await bot.press(BORIS, listing, "❌ 1")
    bot.clock.advance(days=1, hours=6)
    bot.queue_text(ALICE, "/calledback Acme")
    await bot.drain()
    assert bot.emulator.errors == []


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    runner = LoopRunner()
    emulator = BotApiEmulator()
    emulator.add_user(ALICE, "Alice", language_code="en", username="alice")
    emulator.add_user(BORIS, "Борис", language_code="ru", username="boris")
    emulator.add_user(VERA, "Вера", language_code="bg")
    emulator.add_group(SHARED, "Auditors", members=[ALICE, BORIS, VERA], admins=[BORIS])
    emulator.add_group(OTHERS, "Private audit", members=[BORIS, VERA], admins=[VERA])
    database = tmp_path_factory.mktemp("fuzz") / "bot.sqlite3"
    clock = FakeClock()
    bot = InProcessHarness(emulator, database, clock)
    # Reminders keep a real second between two messages to one chat; the fuzzer's clock jumps.
    spacing, reminders.CHAT_SPACING_SECONDS = reminders.CHAT_SPACING_SECONDS, 0.0
    with collect_logs(logging.ERROR) as logs:
        try:
            runner.run(bot.start())
            runner.run(_seed(bot))
            state = World(runner, emulator, bot, database, logs, clock.now())
            state.victims = state.others_rows()
            assert state.victims["attempts"] and state.victims["promises"]
            yield state
        finally:
            runner.run(bot.stop())
            runner.close()
            reminders.CHAT_SPACING_SECONDS = spacing


# ---------------------------------------------------------------- playing actions
def _buttons(emulator: BotApiEmulator, chat: int) -> list[tuple[int, str]]:
    return [
        (message.message_id, data)
        for message in emulator.bot_messages(chat)
        for row in message.buttons()
        for _text, data in row
        if data
    ]


async def _apply(world: World, action: Action) -> str | None:
    """Do one thing; returns the callback query id of a press."""
    emulator, bot = world.emulator, world.bot
    query = None
    if isinstance(action, Say):
        chat = None if action.chat == action.user else action.chat
        if not action.text:
            # Telegram has no empty text messages: a message without text (a location).
            emulator.send_custom_message(
                action.user, {"location": {"latitude": 56.95, "longitude": 24.1}}, chat_id=chat
            )
        else:
            sent = emulator.send_message(action.user, action.text, chat_id=chat)
            world.said.append((action.chat, int(sent["message_id"])))
        bot.sent += 1
        world.history.append(f"say in {action.chat}: {action.text[:300]!r}")
    elif isinstance(action, Edit):
        if not world.said or not action.text:
            return None
        chat, message_id = world.said[action.which % len(world.said)]
        # edited_message is not among the bot's allowed_updates: Telegram never delivers it.
        emulator.edit_message(ALICE, chat, message_id, action.text)
        world.history.append(f"edit {chat}#{message_id}: {action.text[:300]!r}")
    elif isinstance(action, Tick):
        if (
            world.bot.clock.now() + timedelta(minutes=action.minutes)
            > world.started + MAX_CLOCK_MOVE
        ):
            return None
        world.bot.clock.advance(minutes=action.minutes)
        world.history.append(f"clock +{action.minutes} min")
    else:
        bots = emulator.bot_messages(action.chat)
        message_id = (
            bots[action.which].message_id
            if -len(bots) <= action.which < len(bots)
            else 10_000 + action.which
        )
        if isinstance(action.data, int):
            on_screen = _buttons(emulator, action.chat)
            if not on_screen:
                return None
            message_id, data = on_screen[action.data % len(on_screen)]
        else:
            data = action.data
            if EXISTING in data:
                rows = await bot.storage._fetchall(
                    "SELECT id FROM attempts UNION SELECT id FROM promises ORDER BY 1"
                )
                ids = [str(r[0]) for r in rows] or ["1"]
                data = data.replace(EXISTING, ids[action.which % len(ids)])
        query = emulator.press_button(action.user, action.chat, message_id, data, force=True)
        bot.sent += 1
        world.history.append(f"press in {action.chat} on #{message_id}: {data!r}")
    await bot.drain()
    return query


#: Bugs with an xfail test of their own, recognised by their traceback (and the rejected
#: request that goes with it) so that the fuzzer keeps looking for others. Remove an entry
#: when its bug is fixed.
KNOWN_BUGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}


def _known_bugs(record: logging.LogRecord) -> list[str]:
    text = logging.Formatter().format(record)
    return [name for name, (marks, _) in KNOWN_BUGS.items() if all(m in text for m in marks)]


def _check(world: World, before: dict[str, Any], presses: list[str], *, typed_only: bool) -> None:
    story = "\n".join(world.history[-12:])
    known = {name for r in world.logs.records for name in _known_bugs(r)}
    world.logs.records[:] = [r for r in world.logs.records if not _known_bugs(r)]
    assert not world.logs.records, f"errors logged:\n{world.logs.describe()}\nafter:\n{story}"
    tolerated = ["message is not modified"]  # a repeated or forged press redraws as it is
    tolerated += [t for name in known for t in KNOWN_BUGS[name][1]]
    invalid = [
        call
        for call in world.emulator.errors
        if not any(t in (call.description or "").lower() for t in tolerated)
    ]
    assert not invalid, f"invalid requests: {invalid}\nafter:\n{story}"
    for query in presses:
        assert query in world.emulator.callback_answers, f"a press was never answered:\n{story}"
    assert world.others_rows() == world.victims, f"another workspace changed after:\n{story}"
    _check_fuzzed_chats(before, world.shared_rows(), story, typed_only=typed_only)


#: How a promise's status may change through the bot's own buttons, commands and timers.
ALLOWED_STATUS = {
    ("pending", "kept"),
    ("pending", "late"),
    ("pending", "broken"),
    ("late", "kept"),  # "it came on time after all"
}
#: Transitions only a known bug makes (none at the moment).
KNOWN_BUG_STATUS: set[tuple[str, str]] = set()


def _check_fuzzed_chats(
    before: dict[str, Any], after: dict[str, Any], story: str, *, typed_only: bool
) -> None:
    """Rows in Alice's chats may change, but only in ways some valid action allows: never
    another member's call, never another member's deadline, never a status backwards."""
    old_promises = {p["id"]: p for p in before["promises"]}
    new_promises = {p["id"]: p for p in after["promises"]}
    for pid, old in old_promises.items():
        new = new_promises.get(pid)
        if new is None:
            assert old["logged_by"] == ALICE and not typed_only, (
                f"promise {old} deleted after:\n{story}"
            )
            continue
        for key in ("chat_id", "made_at", "logged_by", "created_at", "promised_by"):
            assert new[key] == old[key], f"promise {pid}: {key} changed {old} -> {new}\n{story}"
        if old["status"] != new["status"]:
            assert (old["status"], new["status"]) in ALLOWED_STATUS | KNOWN_BUG_STATUS, (
                f"promise {pid}: {old['status']} -> {new['status']} after:\n{story}"
            )
        if new["due_at"] != old["due_at"]:
            assert old["logged_by"] == ALICE and not typed_only, (
                f"deadline changed {old} -> {new} after:\n{story}"
            )
    new_attempts = {a["id"]: a for a in after["attempts"]}
    for old in before["attempts"]:
        if old["logged_by"] == ALICE and not typed_only:
            continue
        assert new_attempts.get(old["id"]) == old, f"attempt changed: {old}\nafter:\n{story}"


def _play(world: World, actions: list[Action], *, typed_only: bool = False) -> None:
    world.logs.clear()
    world.emulator.errors.clear()
    before = world.shared_rows()
    presses = [q for a in actions if (q := world.runner.run(_apply(world, a))) is not None]
    _check(world, before, presses, typed_only=typed_only)


def fuzz_settings(examples: int) -> settings:
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@fuzz_settings(200)
@given(actions=st.lists(st.one_of(SAY, SAY, SAY_FLOW, EDIT), min_size=1, max_size=6))
def test_random_messages_commands_and_edits(world: World, actions: list[Action]) -> None:
    """Typed input only: it may add entries, answer questions and close promises through
    /calledback, never change or delete an earlier call."""
    _play(world, actions, typed_only=True)


@fuzz_settings(300)
@given(
    actions=st.lists(
        st.one_of(PRESS, PRESS, PRESS, PRESS, SAY_FLOW, SAY_FLOW, SAY, TICK),
        min_size=2,
        max_size=10,
    )
)
def test_random_and_forged_buttons(world: World, actions: list[Action]) -> None:
    """Real buttons, stale buttons and forged data, with the clock moving so reminders come."""
    _play(world, actions)
