"""The bot token never reaches a log line, a traceback or a message, even when the Bot API
fails in ways that put URLs (which contain the token) into exceptions and logs."""

from __future__ import annotations

import asyncio
import io
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.main import RedactingFilter
from tests.conftest import ALICE
from tests.reliability.support import start_bot_process
from tests.support.clock import FakeClock
from tests.support.emulator import BotApiEmulator
from tests.support.harness import BotHarness

#: Loggers that log URLs or exceptions; all of them are opened up to DEBUG for these tests.
NOISY = ("httpx", "httpcore", "telegram", "aiosqlite", "asyncio", "bot", "storage", "tests")


def secrets_of(token: str) -> list[str]:
    """The token and its secret half (the part after the bot id)."""
    return [token, token.split(":", 1)[1]]


class TextAtEmit(logging.Handler):
    """Formats each record when it is emitted (before later handlers' filters change it)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))
        record.exc_text = None  # let the next handler format the exception itself


@pytest.fixture
def production_logging(emulator: BotApiEmulator) -> Iterator[tuple[io.StringIO, TextAtEmit]]:
    """A handler set up like bot.main.configure_logging's (RedactingFilter on the handler),
    every logger at DEBUG, plus an unfiltered view of the same records."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(emulator.token))
    raw = TextAtEmit()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in NOISY}
    old_root = root.level
    root.addHandler(raw)  # first: sees each record before the filter redacts it
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream, raw
    finally:
        root.removeHandler(handler)
        root.removeHandler(raw)
        root.setLevel(old_root)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_token_redacted_from_every_logger_and_traceback(
    emulator: BotApiEmulator,
    clock: FakeClock,
    tmp_path: Path,
    production_logging: tuple[io.StringIO, TextAtEmit],
) -> None:
    stream, raw = production_logging
    bot = BotHarness(emulator, tmp_path / "bot.sqlite3", clock)
    await bot.start(rate_limiter=True)
    try:
        card = await bot.say(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
        for method, fault in (
            ("getUpdates", {"status": 500}),
            ("getUpdates", {"drop_connection": True}),
            ("sendMessage", {"status": 502}),
            ("sendMessage", {"drop_connection": True}),
            ("sendMessage", {"status": 429, "retry_after": 1}),
            ("editMessageText", {"status": 500}),
            ("sendMessage", {"status": 400}),  # the reply fails for good: a handler traceback
        ):
            emulator.inject_fault(method, **fault)
            await bot.say(ALICE, "Globex no answer")
        await bot.press(ALICE, card, "Undo")
        await bot.press_raw(ALICE, ALICE, card.message_id, f"a:{2**63}:u!")
    finally:
        await bot.stop()
    text = stream.getvalue()
    unfiltered = "\n".join(raw.lines)
    assert "Traceback" in text and "Unhandled error" in text  # exceptions were logged
    assert emulator.token in unfiltered  # httpx logs URLs with the token: something to redact
    for secret in secrets_of(emulator.token):
        assert secret not in text
    for message in emulator.messages(ALICE):
        assert all(secret not in message.body for secret in secrets_of(emulator.token))


@pytest.mark.parametrize(
    "logger_name", ["httpx", "telegram.ext.Updater", "asyncio", "bot.handlers.errors", "other"]
)
def test_redacting_filter_covers_messages_args_and_exception_chains(logger_name: str) -> None:
    """Whatever carries the URL: the message, its arguments, the exception, its cause, a note."""
    token = "987654:SECRET-part_xyz"
    url = f"https://api.telegram.org/bot{token}/getUpdates"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter(token))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        logger.info("HTTP Request: POST %s %r", url, {"url": url})
        logger.debug(f"f-string {url}")  # noqa: G004 - code that does this exists too
        try:
            try:
                raise ConnectionError(f"cannot reach {url}")
            except ConnectionError as inner:
                outer = RuntimeError("request failed")
                outer.add_note(f"while calling {url}")
                raise outer from inner
        except RuntimeError:
            logger.exception("Exception happened while polling for updates.")
            logger.error("again, formatted twice", exc_info=True)  # noqa: G201
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate
    text = stream.getvalue()
    assert text.count("<token>") >= 6, text
    for secret in secrets_of(token):
        assert secret not in text


async def _answered(emulator: BotApiEmulator, text: str) -> None:
    """Alice writes; wait for the bot's answer (a card or an apology)."""
    after = emulator.last_message_id(ALICE)
    emulator.send_message(ALICE, text)
    await emulator.wait_until(lambda: emulator.last_message_id(ALICE) > after + 1, timeout=30)


async def test_token_never_in_the_processs_output_at_debug(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    database = tmp_path / "bot.sqlite3"
    emulator.inject_fault("getUpdates", status=500)
    emulator.send_message(ALICE, "Acme answered, Peter promised to call back tomorrow 3pm")
    # A file, not a pipe: nobody reads a pipe while the bot runs, and DEBUG output fills it.
    output = tmp_path / "stderr.log"
    with output.open("wb") as stderr:
        process = await start_bot_process(
            emulator.base_url,
            emulator.base_file_url,
            emulator.token,
            database,
            stderr=stderr.fileno(),
            LOG_LEVEL="DEBUG",
        )
    try:
        card = await emulator.wait_for_bot_message(ALICE, timeout=60)
        for method, fault in (
            ("getUpdates", {"drop_connection": True}),
            ("sendMessage", {"status": 502}),
            ("sendMessage", {"drop_connection": True}),
            ("editMessageText", {"status": 500}),
            ("sendMessage", {"status": 400}),  # the reply fails for good: a handler traceback
        ):
            emulator.inject_fault(method, **fault)
            await _answered(emulator, "Globex no answer")
        emulator.press_button(ALICE, ALICE, card.message_id, f"a:{2**63}:u!", force=True)
        await emulator.wait_idle(timeout=30, quiet=0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
    log = output.read_text(errors="replace")
    assert "Traceback" in log and "Unhandled error" in log, log[-2000:]
    for secret in secrets_of(emulator.token):
        assert secret not in log


async def test_rejected_token_is_not_printed(emulator: BotApiEmulator, tmp_path: Path) -> None:
    emulator.inject_fault("getMe", status=401, times=10)
    process = await start_bot_process(
        emulator.base_url,
        emulator.base_file_url,
        emulator.token,
        tmp_path / "bot.sqlite3",
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    log = err.decode()
    assert process.returncode != 0
    for secret in secrets_of(emulator.token):
        assert secret not in log, log[-1500:]
