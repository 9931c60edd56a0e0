"""``callback-tracker sandbox``: the real bot, a local Bot API emulator and a chat page.

One process, one event loop:

* the emulator (:mod:`bot.sandbox.emulator`) listens on a random 127.0.0.1 port;
* the real bot is built by :func:`bot.app.build_application` with ``TELEGRAM_BASE_URL`` pointing
  at the emulator, so it long-polls and calls the Bot API over HTTP exactly as in production;
  its database is ``data/sandbox.sqlite3`` and its clock a :class:`SandboxClock`;
* the chat page (``static/``) and its JSON API are served on http://127.0.0.1:8080.

The page plays the users: it queues their messages and button presses in the emulator and
long-polls ``/api/poll`` for what changed in their chats.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from aiohttp import web

from bot.config import ConfigError, Settings
from bot.sandbox.clock import SandboxClock
from bot.sandbox.demo import DemoSummary, load_demo
from bot.sandbox.emulator import BotApiEmulator, ChatMessage
from storage import Actor, Storage

if TYPE_CHECKING:
    from bot.app import BotApplication

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).with_name("static")
DEFAULT_PORT = 8080
#: Longest wait of one /api/poll request, seconds.
MAX_POLL_SECONDS = 25.0
#: How long a bot's chat action ("sending a photo…") shows without a new message.
ACTION_SECONDS = 5.0
#: Longest skip the page may ask for at once.
MAX_SKIP = timedelta(days=31)
#: Recorded emulator calls kept (the sandbox runs for hours; tests read them, people don't).
KEEP_RECORDS = 500

JSON = dict[str, Any]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    first_name: str
    username: str
    language_code: str
    about: str

    def actor(self) -> Actor:
        return Actor(self.id, self.first_name, self.username, self.language_code)


#: The people of the sandbox: Anna leads the audit team (the group's admin).
ANNA = Person(1001, "Anna", "anna_audit", "en", "audit lead · admin of Audit team")
BORIS = Person(1002, "Борис", "boris_k", "ru", "auditor · writes in Russian")
VERA = Person(1003, "Вера", "vera_p", "bg", "auditor · writes in Bulgarian")
PEOPLE = (ANNA, BORIS, VERA)
GROUP_ID = -4_100_200_300
GROUP_TITLE = "Audit team"


def _image_type(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    return None


class Sandbox:
    """The emulator, the bot and the page server, started and stopped together."""

    def __init__(
        self,
        data_dir: Path | str = "data",
        *,
        port: int = DEFAULT_PORT,
        host: str = "127.0.0.1",
        demo: bool = False,
        fresh: bool = False,
        env: Mapping[str, str] | None = None,
        clock_offset: timedelta | None = None,
    ) -> None:
        """``env`` replaces the process environment (and ``.env``) for the bot's settings;
        ``clock_offset`` starts the clock that far ahead instead of where the last run left
        it."""
        self.data_dir = Path(data_dir)
        self.database = self.data_dir / "sandbox.sqlite3"
        self.state_file = self.data_dir / "sandbox-state.json"
        self.host = host
        self.port = port
        self.demo_on_start = demo
        self.fresh = fresh
        self.env = env
        self.clock_offset = clock_offset
        self.emulator = BotApiEmulator(token="123456:sandbox-token")
        self.clock = SandboxClock()
        self.settings: Settings | None = None
        self.app: BotApplication | None = None
        self._runner: web.AppRunner | None = None
        self._bound_port: int | None = None
        self._housekeeping: asyncio.Task[None] | None = None
        self._demo_lock = asyncio.Lock()
        self.demo_loaded = False

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        if self._bound_port is None:
            raise RuntimeError("the sandbox is not running")
        return f"http://{self.host}:{self._bound_port}"

    async def start(self) -> None:
        """Start everything; with ``demo=True`` the demo history is loaded before returning."""
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        if self.fresh:
            for path in self.data_dir.glob("sandbox.sqlite3*"):
                path.unlink()
            self.state_file.unlink(missing_ok=True)
        known_people = self.database.exists()  # a restart: they have used the bot before
        self.clock = SandboxClock.restore(self.state_file)
        if self.clock_offset is not None:
            self.clock = SandboxClock(self.clock_offset, state_file=self.state_file)
        emu = self.emulator
        emu.advance_time(self.clock.offset.total_seconds())
        await emu.start()
        try:
            await self._start_world_bot_and_page(known_people)
        except BaseException:
            await self.stop()
            raise
        self._housekeeping = asyncio.create_task(self._trim_records())
        if self.demo_on_start:
            await self.load_demo()

    async def _start_world_bot_and_page(self, known_people: bool) -> None:
        from bot.app import build_application, start_in_loop

        emu = self.emulator
        for person in PEOPLE:
            emu.add_user(person.id, person.first_name, person.language_code, person.username)
            if known_people:
                # The emulator's world is new, the database is not: let reminders due while
                # the sandbox was stopped reach them, as they would in Telegram.
                emu.open_private_chat(person.id)
        # Telegram's updates for "Anna created the group and added the bot".
        emu.add_group(
            GROUP_ID,
            GROUP_TITLE,
            members=[p.id for p in PEOPLE],
            admins=[ANNA.id],
            announce=True,
        )
        self.settings = self._settings()
        await self._start_page()  # first: a busy port fails before the bot starts
        app = self.app = build_application(self.settings, clock=self.clock)
        await start_in_loop(app)

    def _settings(self) -> Settings:
        emu = self.emulator
        values = dict(os.environ if self.env is None else self.env)
        values.update(
            TELEGRAM_BOT_TOKEN=emu.token,
            TELEGRAM_BASE_URL=emu.base_url,
            TELEGRAM_BASE_FILE_URL=emu.base_file_url,
            DATABASE_PATH=str(self.database),
        )
        return Settings.from_env(values, env_file=".env" if self.env is None else None)

    async def _start_page(self) -> None:
        page = web.Application(middlewares=[self._guard])
        page.router.add_get("/", self._index)
        page.router.add_static("/static/", STATIC_DIR, append_version=False)
        page.router.add_get("/api/state", self._state)
        page.router.add_get("/api/poll", self._poll)
        page.router.add_post("/api/send", self._send)
        page.router.add_post("/api/press", self._press)
        page.router.add_get("/api/commands", self._commands)
        page.router.add_post("/api/clock", self._skip)
        page.router.add_post("/api/demo", self._demo)
        page.router.add_get("/api/file/{chat}/{message}", self._file)
        runner = web.AppRunner(
            page, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._bound_port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop the page, the bot (its services close the database) and the emulator."""
        if self._housekeeping is not None:
            self._housekeeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._housekeeping
            self._housekeeping = None
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()
        app, self.app = self.app, None
        if app is not None:
            from bot.app import stop_in_loop

            await stop_in_loop(app)
        await self.emulator.stop()
        self._bound_port = None

    async def _trim_records(self) -> None:
        emu = self.emulator
        while True:
            await asyncio.sleep(60)
            for records in (emu.requests, emu.errors, emu.faults_triggered, emu.chat_actions):
                del records[:-KEEP_RECORDS]

    # ------------------------------------------------------------------ actions

    async def load_demo(self) -> list[DemoSummary]:
        """Write the demo history into Anna's private chat and the audit team's group."""
        app = self.app
        if app is None or app.bot_data.storage is None:
            raise RuntimeError("the bot is not running")
        storage = app.bot_data.storage
        reminders = app.bot_data.reminders
        async with self._demo_lock:
            # The history has Anna using the bot for weeks: she has started it long ago.
            self.emulator.open_private_chat(ANNA.id)
            # Old promises are written pending and resolved a moment later: the reminder
            # loop must not see them in between (it would remind of a 5-day-old deadline).
            if reminders is not None:
                await reminders.stop()
            try:
                summaries = await self._write_demo(storage)
            finally:
                if reminders is not None:
                    reminders.start()
            for summary in summaries:
                # The bot keeps chat settings in memory; the demo may have set a time zone.
                app.bot_data.chat_cache.pop(summary.chat_id, None)
            self.demo_loaded = True
        logger.info("Demo history: %s", summaries)
        return summaries

    async def _write_demo(self, storage: Storage) -> list[DemoSummary]:
        now = self.clock.now()
        return [
            await load_demo(
                storage,
                chat_id=ANNA.id,
                kind="private",
                title=None,
                actors=[ANNA.actor()],
                now=now,
            ),
            await load_demo(
                storage,
                chat_id=GROUP_ID,
                kind="group",
                title=GROUP_TITLE,
                actors=[BORIS.actor(), VERA.actor(), ANNA.actor()],
                now=now,
            ),
        ]

    def skip(self, delta: timedelta) -> None:
        """Move the bot's clock and the emulator's message dates forward together."""
        if not timedelta(0) < delta <= MAX_SKIP:
            raise ValueError(f"skip between 1 second and {MAX_SKIP.days} days")
        self.clock.skip(delta)
        self.emulator.advance_time(delta.total_seconds())

    # ------------------------------------------------------------------ HTTP: plumbing

    @web.middleware
    async def _guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Only this machine's browser: a local host name (no DNS rebinding) and JSON bodies
        for changes (a cross-site form cannot send them without a CORS preflight)."""
        host = (request.host or "").rsplit(":", 1)[0].strip("[]").lower()
        if host not in ("127.0.0.1", "localhost", "::1"):
            return web.json_response({"error": "forbidden host"}, status=403)
        if request.method == "POST" and request.content_type != "application/json":
            return web.json_response({"error": "JSON bodies only"}, status=415)
        try:
            response = await handler(request)
        except _Refused as exc:
            return web.json_response({"error": str(exc)}, status=exc.status)
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

    async def _index(self, request: web.Request) -> web.StreamResponse:
        response = web.FileResponse(STATIC_DIR / "index.html")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
        )
        return response

    @staticmethod
    async def _body(request: web.Request) -> JSON:
        try:
            body = await request.json()
        except ValueError:
            raise _Refused("invalid JSON") from None
        if not isinstance(body, dict):
            raise _Refused("a JSON object is expected")
        return body

    @staticmethod
    def _int(value: Any, name: str) -> int:
        if isinstance(value, bool):
            raise _Refused(f"{name} must be a number")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise _Refused(f"{name} must be a number") from None

    def _person(self, value: Any) -> Person:
        user_id = self._int(value, "user")
        for person in PEOPLE:
            if person.id == user_id:
                return person
        raise _Refused("unknown user")

    def _chat_for(self, person: Person, value: Any) -> int:
        """A chat the person is in: their private chat with the bot, or the group."""
        chat_id = self._int(value, "chat")
        if chat_id not in (person.id, GROUP_ID):
            raise _Refused("not your chat", status=403)
        return chat_id

    def _clock_json(self) -> JSON:
        now = self.clock.now()
        return {
            "now": now.isoformat(),
            "epoch": now.timestamp(),
            "offset_seconds": self.clock.offset.total_seconds(),
        }

    # ------------------------------------------------------------------ HTTP: API

    async def _state(self, request: web.Request) -> web.StreamResponse:
        emu = self.emulator
        return web.json_response(
            {
                "bot": {
                    "id": emu.bot_id,
                    "name": "Callback Tracker",
                    "username": emu.bot_username,
                },
                "people": [
                    {
                        "id": p.id,
                        "name": p.first_name,
                        "username": p.username,
                        "language": p.language_code,
                        "about": p.about,
                        "admin": p is ANNA,
                    }
                    for p in PEOPLE
                ],
                "group": {
                    "id": GROUP_ID,
                    "title": GROUP_TITLE,
                    "members": [p.id for p in PEOPLE],
                    "admins": [ANNA.id],
                },
                "clock": self._clock_json(),
                "demo_loaded": self.demo_loaded,
                "seq": emu.change_seq,
            }
        )

    def _fresh_actions(self, chats: Sequence[int]) -> dict[str, str]:
        now = time.monotonic()
        actions = {}
        for chat_id in chats:
            found = self.emulator.last_chat_action.get(chat_id)
            if found is not None and now - found[1] <= ACTION_SECONDS:
                actions[str(chat_id)] = found[0]
        return actions

    async def _poll(self, request: web.Request) -> web.StreamResponse:
        """Changes in the user's chats after change ``since``; waits up to ``wait`` seconds
        for one. ``actions`` is what the page shows now ("chat:action,..."), so a new or
        expired "sending a photo…" ends the wait too."""
        person = self._person(request.query.get("user"))
        since = self._int(request.query.get("since", "0"), "since")
        try:
            wait = min(max(float(request.query.get("wait", "0")), 0.0), MAX_POLL_SECONDS)
        except ValueError:
            raise _Refused("wait must be a number") from None
        shown = dict(
            item.split(":", 1) for item in request.query.get("actions", "").split(",") if item
        )
        chats = (person.id, GROUP_ID)
        emu = self.emulator
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while True:
            seq = emu.change_seq
            changed = {
                str(c): [self._message_json(m) for m in emu.changed_messages(c, since)]
                for c in chats
            }
            actions = self._fresh_actions(chats)
            remaining = deadline - loop.time()
            if any(changed.values()) or actions != shown or remaining <= 0:
                break
            await emu.wait_for_change(min(remaining, 1.0))
        return web.json_response(
            {"seq": seq, "chats": changed, "actions": actions, "clock": self._clock_json()}
        )

    def _message_json(self, m: ChatMessage) -> JSON:
        emu = self.emulator
        if m.from_bot:
            sender = {"id": emu.bot_id, "name": "Callback Tracker", "bot": True}
        else:
            user = emu.user_info(m.sender_id)
            sender = {"id": m.sender_id, "name": user["first_name"], "bot": False}
        data: JSON = {
            "id": m.message_id,
            "chat": m.chat_id,
            "seq": m.seq,
            "sender": sender,
            "outgoing": not m.from_bot,
            "date": m.date,
            "edited": m.edited,
            "deleted": m.deleted,
            "text": m.text,
            "entities": m.entities,
            "caption": m.caption,
            "caption_entities": m.caption_entities,
            "album": m.media_group_id,
            "reply_to": m.reply_to_message_id,
            "buttons": [
                [
                    {k: b[k] for k in ("text", "callback_data", "url") if k in b}
                    for b in row
                    if isinstance(b, dict)
                ]
                for row in m.inline_keyboard
            ],
            "force_reply": bool(m.reply_markup and m.reply_markup.get("force_reply")),
            "placeholder": (m.reply_markup or {}).get("input_field_placeholder"),
        }
        if m.photo_sizes:
            biggest = m.photo_sizes[-1]
            data["photo"] = {
                "url": f"/api/file/{m.chat_id}/{m.message_id}",
                "width": biggest.get("width"),
                "height": biggest.get("height"),
            }
        if m.document_meta is not None:
            data["document"] = {
                "url": f"/api/file/{m.chat_id}/{m.message_id}",
                "name": m.document_name or "file",
                "size": len(m.document or b""),
                "mime": m.document_mime,
            }
        members = m.extra.get("new_chat_members")
        if members:
            names = ", ".join(str(u.get("first_name", "")) for u in members)
            data["service"] = f"{sender['name']} added {names}"
        return data

    async def _send(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        person = self._person(body.get("user"))
        chat_id = self._chat_for(person, body.get("chat"))
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise _Refused("empty message")
        if len(text) > 4096:
            raise _Refused("a message has at most 4096 characters")
        reply_to = body.get("reply_to")
        try:
            message = self.emulator.send_message(
                person.id,
                text.strip(),
                chat_id=None if chat_id == person.id else chat_id,
                reply_to_message_id=None if reply_to is None else self._int(reply_to, "reply_to"),
            )
        except ValueError as exc:
            raise _Refused(str(exc)) from None
        return web.json_response({"message_id": message["message_id"]})

    async def _press(self, request: web.Request) -> web.StreamResponse:
        """Press a callback button that the message shows now; answer with the bot's
        answerCallbackQuery (toast or alert text), waiting a few seconds for it."""
        body = await self._body(request)
        person = self._person(body.get("user"))
        chat_id = self._chat_for(person, body.get("chat"))
        message_id = self._int(body.get("message_id"), "message_id")
        data = body.get("data")
        emu = self.emulator
        try:
            message = emu.message(chat_id, message_id)
        except (KeyError, ValueError):
            raise _Refused("no such message", status=404) from None
        shown = [d for row in message.buttons() for _, d in row if d is not None]
        if message.deleted or data not in shown:
            raise _Refused("this button is no longer there", status=409)
        query_id = emu.press_button(person.id, chat_id, message_id, str(data))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 5.0
        while query_id not in emu.callback_answers and loop.time() < deadline:
            await emu.wait_for_change(deadline - loop.time())
        answer = emu.callback_answers.pop(query_id, None)
        return web.json_response({"answer": answer})

    async def _commands(self, request: web.Request) -> web.StreamResponse:
        person = self._person(request.query.get("user"))
        chat_id = self._chat_for(person, request.query.get("chat"))
        return web.json_response({"commands": self.emulator.commands_for(chat_id, person.id)})

    async def _skip(self, request: web.Request) -> web.StreamResponse:
        body = await self._body(request)
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise _Refused("seconds must be a number")
        try:
            self.skip(timedelta(seconds=seconds))
        except ValueError as exc:
            raise _Refused(str(exc)) from None
        return web.json_response({"clock": self._clock_json()})

    async def _demo(self, request: web.Request) -> web.StreamResponse:
        summaries = await self.load_demo()
        return web.json_response(
            {
                "loaded": any(s.loaded for s in summaries),
                "calls": sum(s.calls for s in summaries),
                "promises": sum(s.promises for s in summaries),
                "chats": [s.chat_id for s in summaries if s.loaded],
            }
        )

    async def _file(self, request: web.Request) -> web.StreamResponse:
        try:
            chat_id = int(request.match_info["chat"])
            message = self.emulator.message(chat_id, int(request.match_info["message"]))
        except (KeyError, ValueError):
            raise web.HTTPNotFound() from None
        if message.photo:
            kind = _image_type(message.photo)
            if kind is None:
                raise web.HTTPNotFound()
            return web.Response(body=message.photo, content_type=kind)
        if message.document is not None:
            name = message.document_name or "file"
            response = web.Response(body=message.document)
            response.content_type = "application/octet-stream"
            response.headers["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(name, safe='')}"
            )
            return response
        raise web.HTTPNotFound()


class _Refused(Exception):
    """A page request the sandbox will not do; the message goes back as JSON."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------- command line


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="callback-tracker sandbox",
        description="Try the bot without Telegram: a local chat page driving the real bot.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=int(os.environ.get("SANDBOX_PORT") or DEFAULT_PORT),
        help="port of the chat page on 127.0.0.1 (default 8080, or $SANDBOX_PORT)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        default=os.environ.get("DEMO_DATA", "").strip().lower() in ("1", "true", "yes"),
        help="load a realistic demo history at start (also DEMO_DATA=1)",
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="start from an empty sandbox database (deletes data/sandbox.sqlite3)",
    )
    parser.add_argument(
        "--data-dir", default="data", help="where the sandbox keeps its database (data/)"
    )
    return parser.parse_args(list(argv))


async def serve(args: argparse.Namespace) -> None:
    """Run the sandbox until SIGINT/SIGTERM."""
    sandbox = Sandbox(args.data_dir, port=args.port, demo=args.demo, fresh=args.fresh)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await sandbox.start()
    except OSError as exc:
        sys.stderr.write(
            f"callback-tracker sandbox: cannot listen on 127.0.0.1:{args.port} ({exc.strerror})."
            " Try --port 8081.\n"
        )
        raise SystemExit(1) from None
    demo = " with the demo history" if args.demo else ""
    print(
        f"\n  callback-tracker sandbox{demo}: open {sandbox.url}\n"
        f"  (the bot's database is {sandbox.database}; Ctrl-C stops everything)\n",
        flush=True,
    )
    try:
        await stop.wait()
    finally:
        print("Stopping the sandbox…", flush=True)
        await sandbox.stop()


def main(argv: Sequence[str] = ()) -> None:
    """Entry point of ``callback-tracker sandbox``."""
    args = parse_args(argv)
    from bot.main import configure_logging

    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    configure_logging(level if level in logging.getLevelNamesMapping() else "INFO", "")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(args))
    except ConfigError as exc:
        sys.stderr.write(f"callback-tracker sandbox: configuration error: {exc}\n")
        raise SystemExit(2) from None
