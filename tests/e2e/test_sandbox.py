"""The sandbox (``callback-tracker sandbox``) through its HTTP API, as the chat page uses it:
the real bot over real HTTP against the emulator, the sandbox clock, demo data, the CLI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.sandbox.clock import SandboxClock
from bot.sandbox.server import ANNA, BORIS, GROUP_ID, Sandbox, parse_args

ROOT = Path(__file__).resolve().parents[2]


def offset_to_local_hour(hour: int, zone: str = "Europe/Riga") -> timedelta:
    """How far ahead the sandbox clock must start so that it reads ``hour``:00 in ``zone``:
    reminders in these tests then never fall into quiet hours (22:00-08:00), whatever the
    real time of day."""
    local = datetime.now(UTC).astimezone(ZoneInfo(zone))
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target += timedelta(days=1)
    return target - local


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    box = Sandbox(
        tmp_path / "data",
        port=0,
        env={"CHART_PROCESSES": "0"},
        clock_offset=offset_to_local_hour(12),
    )
    await box.start()
    yield box
    await box.stop()
    box.emulator.assert_no_errors()  # every call the bot made was valid for Telegram


class Page:
    """What the chat page does, for one person: send, press, long-poll the changes."""

    def __init__(self, session: aiohttp.ClientSession, user: int) -> None:
        self.session = session
        self.user = user
        self.seq = 0
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}

    async def poll(self, wait: float = 0.0) -> dict[str, Any]:
        params = {"user": str(self.user), "since": str(self.seq), "wait": str(wait)}
        async with self.session.get("/api/poll", params=params) as response:
            assert response.status == 200, await response.text()
            data: dict[str, Any] = await response.json()
        for chat, messages in data["chats"].items():
            for message in messages:
                self.messages[(int(chat), message["id"])] = message
        self.seq = data["seq"]
        return data

    def chat(self, chat_id: int) -> list[dict[str, Any]]:
        return [m for (c, _), m in sorted(self.messages.items()) if c == chat_id]

    async def until(
        self, found: Callable[[], Any], seconds: float = 10.0, what: str = "condition"
    ) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            result = found()
            if result:
                return result
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"{what} not seen within {seconds}s: {self.messages}"
            await self.poll(wait=min(remaining, 2.0))

    async def bot_message(
        self, chat: int, after: int, test: Callable[[dict[str, Any]], bool] = lambda m: True
    ) -> dict[str, Any]:
        """The first bot message in ``chat`` after message ``after`` that passes ``test``."""

        def find() -> dict[str, Any] | None:
            for m in self.chat(chat):
                if m["id"] > after and not m["outgoing"] and test(m):
                    return m
            return None

        result: dict[str, Any] = await self.until(find, what=f"bot message in {chat}")
        return result

    async def say(self, text: str, chat: int | None = None) -> int:
        body = {"user": self.user, "chat": self.user if chat is None else chat, "text": text}
        async with self.session.post("/api/send", json=body) as response:
            assert response.status == 200, await response.text()
            message_id: int = (await response.json())["message_id"]
            return message_id

    async def press(self, message: dict[str, Any], label: str) -> dict[str, Any]:
        data = next(
            b["callback_data"]
            for row in message["buttons"]
            for b in row
            if label in b["text"] and "callback_data" in b
        )
        body = {"user": self.user, "chat": message["chat"], "message_id": message["id"]}
        async with self.session.post("/api/press", json={**body, "data": data}) as response:
            assert response.status == 200, await response.text()
            result: dict[str, Any] = await response.json()
            return result


@pytest.fixture
async def session(sandbox: Sandbox) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=sandbox.url) as client:
        yield client


def text_of(message: dict[str, Any]) -> str:
    return str(message.get("text") or message.get("caption") or "")


# ---------------------------------------------------------------------- the clock


async def test_skip_wakes_a_sleeper_at_once_and_wake_events_still_work(tmp_path: Path) -> None:
    clock = SandboxClock(state_file=tmp_path / "state.json")
    wake = asyncio.Event()
    sleeper = asyncio.create_task(clock.sleep_until(clock.now() + timedelta(hours=1), wake))
    await asyncio.sleep(0.05)
    assert not sleeper.done()
    clock.skip(timedelta(minutes=30))  # not far enough: keeps sleeping
    await asyncio.sleep(0.05)
    assert not sleeper.done()
    started = time.monotonic()
    clock.skip(timedelta(minutes=31))
    await asyncio.wait_for(sleeper, timeout=1)
    assert time.monotonic() - started < 0.5
    # A write that wakes the reminder loop ends the sleep too, also for "never" (None).
    forever = asyncio.create_task(clock.sleep_until(None, wake))
    await asyncio.sleep(0.05)
    wake.set()
    await asyncio.wait_for(forever, timeout=1)
    # The offset survives a restart; time never goes backwards.
    restored = SandboxClock.restore(tmp_path / "state.json")
    assert restored.offset == timedelta(minutes=61)
    with pytest.raises(ValueError, match="forward"):
        restored.skip(timedelta(seconds=-1))
    (tmp_path / "state.json").write_text("not json", "utf-8")
    assert SandboxClock.restore(tmp_path / "state.json").offset == timedelta(0)


# ---------------------------------------------------------------------- the page and its API


async def test_page_state_and_static_files(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    async with session.get("/") as response:
        assert response.status == 200
        page = await response.text()
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "/static/sandbox.js" in page and "/static/sandbox.css" in page
    for path in ("/static/sandbox.js", "/static/sandbox.css"):
        async with session.get(path) as response:
            assert response.status == 200, path
    async with session.get("/api/state") as response:
        state = await response.json()
    assert [p["name"] for p in state["people"]] == ["Anna", "Борис", "Вера"]
    assert [p["admin"] for p in state["people"]] == [True, False, False]
    assert state["group"] == {
        "id": GROUP_ID,
        "title": "Audit team",
        "members": [1001, 1002, 1003],
        "admins": [1001],
    }
    assert state["bot"]["username"] == "callback_tracker_bot"
    assert state["clock"]["offset_seconds"] > 0
    assert sandbox.database.name == "sandbox.sqlite3" and sandbox.database.exists()


async def test_a_call_log_gets_a_card_and_a_button_edits_it(
    session: aiohttp.ClientSession,
) -> None:
    anna = Page(session, ANNA.id)
    sent = await anna.say("Acme answered, Peter promised to call back in 2 hours")
    card = await anna.bot_message(ANNA.id, sent, lambda m: "Saved" in text_of(m))
    assert "Acme" in card["text"] and "Peter" in card["text"]
    # Formatting arrives as entities over the plain text (the page never parses HTML).
    bold = [e for e in card["entities"] if e["type"] == "bold"]
    assert any(card["text"][e["offset"] : e["offset"] + e["length"]] == "Acme" for e in bold)
    labels = [b["text"] for row in card["buttons"] for b in row]
    assert "⏰ Deadline" in labels and "↩️ Undo" in labels
    answer = await anna.press(card, "Deadline")
    assert "answer" in answer

    def edited() -> dict[str, Any] | None:
        now = anna.messages[(ANNA.id, card["id"])]
        return now if now["edited"] and now["seq"] > card["seq"] else None

    after = await anna.until(edited, what="edited card")
    assert "Choose the new deadline" in after["text"]
    assert after["buttons"][0][0]["text"] == "In 1 hour"  # the rest depends on the hour
    # The old keyboard is gone: pressing one of its buttons is refused.
    body = {"user": ANNA.id, "chat": ANNA.id, "message_id": card["id"], "data": "a:1:u"}
    async with session.post("/api/press", json=body) as response:
        assert response.status == 409


async def test_skipping_ahead_delivers_the_reminder(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    anna = Page(session, ANNA.id)
    sent = await anna.say("/promise Acme in 2 hours")
    await anna.bot_message(ANNA.id, sent)
    mark = max(m["id"] for m in anna.chat(ANNA.id))
    before = sandbox.clock.now()
    async with session.post("/api/clock", json={"seconds": 3600}) as response:
        clock = (await response.json())["clock"]
    assert clock["offset_seconds"] >= 3600
    await anna.poll(wait=0.5)
    assert [m for m in anna.chat(ANNA.id) if m["id"] > mark] == []  # not due yet
    async with session.post("/api/clock", json={"seconds": 86400}) as response:
        assert response.status == 200
    reminder = await anna.bot_message(ANNA.id, mark, lambda m: "Acme" in text_of(m))
    assert "has not called back" in reminder["text"]
    assert [b["text"] for b in reminder["buttons"][0]] == [
        "They called ✅",
        "Still nothing ❌",
        "New deadline ⏰",
    ]
    assert sandbox.clock.now() - before >= timedelta(hours=25)
    # Message dates follow the sandbox clock.
    assert reminder["date"] >= int(before.timestamp()) + 25 * 3600
    answered = await anna.press(reminder, "Still nothing")
    assert answered["answer"] is not None


async def test_demo_report_album_and_csv_export(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    async with session.post("/api/demo", json={}) as response:
        demo = await response.json()
    assert demo["loaded"] is True and demo["chats"] == [ANNA.id, GROUP_ID]
    assert demo["calls"] >= 40 and demo["promises"] >= 10
    async with session.post("/api/demo", json={}) as response:
        assert (await response.json())["loaded"] is False  # once only
    assert sandbox.app is not None
    storage = sandbox.app.bot_data.storage
    assert storage is not None
    pending = await storage.pending_promises(ANNA.id)
    assert [p.company for p in pending] == ["Baltic Net"]
    assert await storage.deadline_moves(ANNA.id, pending[0].id) == 3

    anna = Page(session, ANNA.id)
    sent = await anna.say("/report")
    summary = await anna.bot_message(ANNA.id, sent, lambda m: "Report" in text_of(m))
    assert "Baltic Net" in summary["text"]
    photos = [m for m in anna.chat(ANNA.id) if m.get("photo")]
    assert len(photos) == 4 and len({m["album"] for m in photos}) == 1
    for message in photos:
        async with session.get(message["photo"]["url"]) as response:
            assert response.status == 200
            assert response.content_type == "image/png"
            assert (await response.read()).startswith(b"\x89PNG")

    sent = await anna.say("/export")

    def documents() -> list[dict[str, Any]]:
        found = [m for m in anna.chat(ANNA.id) if m["id"] > sent and m.get("document")]
        return found if len(found) >= 2 else []

    files = await anna.until(documents, what="two CSV files")
    names = sorted(m["document"]["name"] for m in files)
    assert names == ["attempts.csv", "promises.csv"]
    async with session.get(files[0]["document"]["url"]) as response:
        assert response.status == 200
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert (await response.read()).startswith("\ufeff".encode())  # UTF-8 BOM


async def test_group_members_see_each_other_and_the_menu_follows_language(
    session: aiohttp.ClientSession,
) -> None:
    boris = Page(session, BORIS.id)
    anna = Page(session, ANNA.id)
    await anna.poll()
    service = [m for m in anna.chat(GROUP_ID) if m.get("service")]
    assert service and service[0]["service"] == "Anna added Callback Tracker"
    sent = await boris.say("Ромашка — не отвечают", chat=GROUP_ID)
    reply = await anna.bot_message(GROUP_ID, sent)
    assert "Ромашка" in text_of(reply)
    mine = anna.messages[(GROUP_ID, sent)]
    assert mine["sender"] == {"id": BORIS.id, "name": "Борис", "bot": False}
    async with session.get("/api/commands", params={"user": "1002", "chat": "1002"}) as r:
        russian = {c["command"]: c["description"] for c in (await r.json())["commands"]}
    async with session.get("/api/commands", params={"user": "1001", "chat": "1001"}) as r:
        english = {c["command"]: c["description"] for c in (await r.json())["commands"]}
    assert "report" in english and english.keys() == russian.keys()
    assert english["report"] != russian["report"]


async def test_the_api_refuses_what_the_page_would_never_send(
    session: aiohttp.ClientSession,
) -> None:
    async def post(path: str, body: Any, **kwargs: Any) -> int:
        async with session.post(path, json=body, **kwargs) as response:
            status: int = response.status
            return status

    assert await post("/api/send", {"user": 1002, "chat": 1001, "text": "hi"}) == 403
    assert await post("/api/send", {"user": 9, "chat": 9, "text": "hi"}) == 400
    assert await post("/api/send", {"user": 1001, "chat": 1001, "text": "  "}) == 400
    assert await post("/api/clock", {"seconds": -5}) == 400
    assert await post("/api/clock", {"seconds": 400 * 86400}) == 400
    assert await post("/api/clock", {"seconds": True}) == 400
    body = {"user": 1001, "chat": 1001, "message_id": 999, "data": "x"}
    assert await post("/api/press", body) == 404
    # Only JSON bodies (a cross-site form cannot post them) and only local host names.
    async with session.post("/api/clock", data="seconds=60") as response:
        assert response.status == 415
    async with session.get("/api/state", headers={"Host": "evil.example:80"}) as response:
        assert response.status == 403
    async with session.get("/api/file/1001/999") as response:
        assert response.status == 404


async def test_a_restart_keeps_the_data_and_the_clock(tmp_path: Path) -> None:
    first = Sandbox(
        tmp_path, port=0, env={"CHART_PROCESSES": "0"}, clock_offset=offset_to_local_hour(12)
    )
    await first.start()
    try:
        async with aiohttp.ClientSession(base_url=first.url) as client:
            anna = Page(client, ANNA.id)
            sent = await anna.say("/promise Acme in 1 hour")
            await anna.bot_message(ANNA.id, sent, lambda m: "Acme" in text_of(m))
        first.skip(timedelta(minutes=10))
        offset = first.clock.offset
    finally:
        await first.stop()
    # While it was stopped, the sandbox clock moved past the deadline.
    state = tmp_path / "sandbox-state.json"
    state.write_text(json.dumps({"clock_offset_seconds": offset.total_seconds() + 7200}))
    second = Sandbox(tmp_path, port=0, env={"CHART_PROCESSES": "0"})
    await second.start()
    try:
        assert second.clock.offset >= offset + timedelta(hours=2)
        async with aiohttp.ClientSession(base_url=second.url) as client:
            anna = Page(client, ANNA.id)
            note = await anna.bot_message(ANNA.id, 0, lambda m: "Acme" in text_of(m))
        assert "offline" in note["text"] or "has not called back" in note["text"]
    finally:
        await second.stop()
    second.emulator.assert_no_errors()


# ---------------------------------------------------------------------- command line


def test_arguments_and_their_environment_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DEMO_DATA", raising=False)
    monkeypatch.delenv("SANDBOX_PORT", raising=False)
    args = parse_args([])
    assert (args.port, args.demo, args.fresh, args.data_dir) == (8080, False, False, "data")
    monkeypatch.setenv("DEMO_DATA", "1")
    monkeypatch.setenv("SANDBOX_PORT", "9001")
    args = parse_args([])
    assert (args.port, args.demo) == (9001, True)
    assert parse_args(["--port", "0", "--fresh"]).port == 0


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(PYTHONPATH=str(ROOT), CHART_PROCESSES="0")
    return env


async def test_the_command_prints_the_address_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        "0",
        "--demo",
        cwd=tmp_path,
        env=_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = ""
        while "open http://" not in line:
            raw = await asyncio.wait_for(process.stdout.readline(), timeout=60)
            assert raw, "the sandbox exited before printing its address"
            line = raw.decode()
        url = line.split("open ", 1)[1].split()[0]
        assert url.startswith("http://127.0.0.1:")
        async with aiohttp.ClientSession() as client, client.get(f"{url}/api/state") as r:
            assert (await r.json())["demo_loaded"] is True
        assert (tmp_path / "data" / "sandbox.sqlite3").exists()
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0, err.decode()[-2000:]
    assert "Traceback" not in err.decode() + out.decode()


async def test_run_without_a_token_points_to_the_sandbox(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=tmp_path,
        env=_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "make sandbox" in err.decode()
