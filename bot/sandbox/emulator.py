"""A local Telegram Bot API server: the end-to-end tests' and the sandbox's (``make sandbox``).

The real python-telegram-bot ``Application`` talks to it over HTTP
(``ApplicationBuilder().base_url(emu.base_url).base_file_url(emu.base_file_url)``) or, through
:class:`tests.support.inprocess.InProcessRequest`, by calling :meth:`BotApiEmulator.dispatch`
directly. Both paths run the same decoding and validation.

The emulator keeps a small world (users, groups, chats with their message history), turns user
actions into updates for ``getUpdates`` and answers bot calls the way Telegram does, including
Telegram's error descriptions, so the bot's error handling is exercised for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import re
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp import web

from bot.sandbox.html_check import (
    EntityParseError,
    ParsedText,
    parse_html,
    plain_text,
    utf16_len,
)

logger = logging.getLogger(__name__)

T = TypeVar("T")
JSON = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
CALLBACK_QUERY_TTL = 15.0
MAX_PHOTO_BYTES = 10 * 1024 * 1024

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is "
    "running"
)
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)

# How PTB encodes parameters: strings raw, everything else JSON. The emulator decodes by name so
# that free text such as "123" or "true" stays a string.
_JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "media",
        "commands",
        "scope",
        "allowed_updates",
        "menu_button",
        "link_preview_options",
        "reply_parameters",
        "permissions",
        "rights",
        "results",
        "options",
        "message_ids",
        "input_message_content",
        "reaction",
    }
)
_INT_FIELDS = frozenset(
    {
        "message_id",
        "offset",
        "limit",
        "timeout",
        "user_id",
        "reply_to_message_id",
        "cache_time",
        "message_thread_id",
        "from_chat_id",
        "until_date",
        "duration",
        "width",
        "height",
    }
)
_BOOL_FIELDS = frozenset(
    {
        "show_alert",
        "disable_notification",
        "protect_content",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "disable_content_type_detection",
        "revoke_messages",
        "has_spoiler",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "is_anonymous",
        "only_if_banned",
        "supports_streaming",
    }
)
_INT_RE = re.compile(r"-?\d+")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_INLINE_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
)


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad(description: str, parameters: JSON | None = None) -> ApiError:
    return ApiError(400, f"Bad Request: {description}", parameters)


def _forbidden(description: str) -> ApiError:
    return ApiError(403, f"Forbidden: {description}")


class ConnectionDropped(Exception):
    """Raised by :meth:`BotApiEmulator.dispatch` when a fault says to drop the connection."""


@dataclass
class UploadedFile:
    """One multipart file part as the bot uploaded it."""

    filename: str | None
    content: bytes
    mime_type: str | None = None


@dataclass
class ApiCall:
    """One bot request and the emulator's answer."""

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    status: int = 0
    response: JSON | None = None
    injected: bool = False  # answered by inject_fault()
    started: float = 0.0
    finished: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return None if self.response is None else self.response.get("description")

    @property
    def result(self) -> Any:
        return None if self.response is None else self.response.get("result")

    def __repr__(self) -> str:
        shown = {k: v for k, v in self.params.items() if k != "reply_markup"}
        tail = f" {self.description!r}" if self.description else ""
        return f"<ApiCall {self.method} {self.status}{tail} {shown}>"


@dataclass
class ChatMessage:
    """A message in a chat's history, as the emulator holds it (snapshots are handed out)."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    date: int
    text: str | None = None  # as the user sees it: tags stripped, entities decoded
    html: str | None = None  # the raw text the bot sent when parse_mode was given
    entities: list[JSON] = field(default_factory=list)
    caption: str | None = None
    caption_html: str | None = None
    caption_entities: list[JSON] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: JSON | None = None  # as sent (inline or reply keyboard)
    reply_to_message_id: int | None = None
    photo: bytes | None = None
    photo_sizes: list[JSON] = field(default_factory=list)
    document: bytes | None = None
    document_name: str | None = None
    document_mime: str | None = None
    document_meta: JSON | None = None
    media_group_id: str | None = None
    edited: bool = False
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False
    extra: JSON = field(default_factory=dict)  # other Message fields (contact, location, ...)
    seq: int = 0  # emulator change counter at the last change of this message

    @property
    def body(self) -> str:
        """Text or caption, whichever the message has ("" for neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def inline_keyboard(self) -> list[list[JSON]]:
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard")
        return rows if isinstance(rows, list) else []

    def buttons(self) -> list[list[tuple[str, str | None]]]:
        """Inline keyboard as rows of (text, callback_data); url buttons have None as data."""
        return [
            [(str(b.get("text", "")), b.get("callback_data")) for b in row]
            for row in self.inline_keyboard
        ]

    def button_data(self, text_substring: str) -> str:
        """callback_data of the first callback button whose text contains ``text_substring``."""
        for row in self.buttons():
            for text, data in row:
                if text_substring in text and data is not None:
                    return data
        raise LookupError(
            f"no callback button containing {text_substring!r} in message {self.message_id}; "
            f"buttons: {self.buttons()}"
        )


@dataclass
class _User:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    started: bool = False
    blocked: bool = False

    def as_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        if self.language_code is not None:
            data["language_code"] = self.language_code
        return data


@dataclass
class _Chat:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    user_id: int | None = None  # private chats
    members: set[int] = field(default_factory=set)
    admins: list[int] = field(default_factory=list)
    creator: int | None = None
    bot_status: str = "member"  # member | administrator | left | kicked
    migrated_to: int | None = None
    next_message_id: int = 1
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    menu_button: JSON | None = None


@dataclass
class _StoredFile:
    file_id: str
    unique_id: str
    content: bytes
    filename: str | None
    mime_type: str | None
    path: str
    width: int = 0
    height: int = 0


@dataclass
class _CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    created: float
    answered: bool = False


@dataclass
class _Fault:
    method: str  # lower-case method name or "*"
    status: int
    retry_after: int | None
    times: int
    delay: float
    drop_connection: bool


def _decode_params(raw: Mapping[str, Any]) -> JSON:
    """Decode form fields the way PTB encoded them (see _JSON_FIELDS); values already decoded
    (direct dispatch() calls) pass through unchanged."""
    params: JSON = {}
    for name, value in raw.items():
        if not isinstance(value, str):
            params[name] = value
        elif name in _JSON_FIELDS:
            try:
                params[name] = json.loads(value)
            except ValueError:
                what = "reply keyboard markup" if name == "reply_markup" else name
                raise _bad(f"can't parse {what} JSON object") from None
        elif name in _INT_FIELDS or name == "chat_id":
            params[name] = int(value) if _INT_RE.fullmatch(value) else value
        elif name in _BOOL_FIELDS:
            params[name] = value.lower() in ("true", "1")
        else:
            params[name] = value
    return params


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, JPEG, GIF or WebP image, None if it is not one."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data.startswith(b"GIF8") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return width, height
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return 512, 512  # good enough: the size is only reported back
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                return None
            marker = data[i + 1]
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return None


class BotApiEmulator:
    """Local Bot API: a world of users and chats, updates for getUpdates, validated bot calls."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        bot_username: str = "callback_tracker_bot",
        bot_id: int = 123456,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = bot_id
        self.bot_user: JSON = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Callback Tracker",
            "username": bot_username,
        }
        # behaviour switches
        self.group_privacy = False  # True: groups deliver only commands, replies and mentions
        self.strict_html_ampersand = True  # reject a bare "&" (Telegram keeps it literally)
        # observation
        self.requests: list[ApiCall] = []
        self.errors: list[ApiCall] = []
        self.faults_triggered: list[ApiCall] = []
        self.callback_answers: dict[str, JSON] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.chat_actions: list[tuple[int, str]] = []
        #: chat -> (action, monotonic time) of the bot's last chat action there, cleared when
        #: the bot sends a message to the chat (as Telegram clients show it)
        self.last_chat_action: dict[int, tuple[str, float]] = {}
        self.bot_profile: dict[tuple[str, str], str] = {}
        # world
        self._users: dict[int, _User] = {}
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._queries: dict[str, _CallbackQuery] = {}
        self._faults: list[_Fault] = []
        # updates
        self._pending: list[JSON] = []
        self._next_update_id = 100_000
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_waiter: asyncio.Future[str] | None = None
        # bookkeeping
        self._seq = 0
        self._last_edit_seq = 0
        self._counter = 0
        self._time_offset = 0.0
        self._inflight = 0
        self._last_activity = time.monotonic()
        self._quiet_until = 0.0
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._handlers: dict[str, tuple[str, Callable[[JSON, dict[str, UploadedFile]], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getUpdates": self._true,  # placeholder: dispatch() awaits _get_updates
                "getMe": self._get_me,
                "logOut": self._true,
                "close": self._true,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "setMyDescription": self._set_profile("description"),
                "setMyShortDescription": self._set_profile("short_description"),
                "setMyName": self._set_profile("name"),
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "getChatAdministrators": self._get_chat_administrators,
                "getChatMemberCount": self._get_chat_member_count,
                "leaveChat": self._leave_chat,
                "getFile": self._get_file,
            }.items()
        }

    # ------------------------------------------------------------------ server lifecycle

    async def start(self) -> None:
        """Serve on 127.0.0.1 on a random port; calling it again is a no-op."""
        if self._runner is not None:
            return
        self._closing = False
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle_http)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        logger.debug("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Release pending long polls and close the server."""
        self._closing = True
        self._wake_poll("closing")
        runner, self._runner = self._runner, None
        try:
            if runner is not None:
                await runner.cleanup()
        finally:
            # Only polls pending during shutdown return early; an in-process bot that keeps
            # polling afterwards long-polls as usual instead of spinning.
            self._closing = False

    async def __aenter__(self) -> BotApiEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if self._port is None:
            raise RuntimeError("BotApiEmulator.start() has not been called")
        return self._port

    # ------------------------------------------------------------------ world

    def add_user(
        self,
        user_id: int,
        first_name: str,
        language_code: str | None = "en",
        username: str | None = None,
        last_name: str | None = None,
    ) -> JSON:
        """Create (or re-profile) a user; returns the User dict updates will carry."""
        if user_id <= 0:
            raise ValueError("user ids are positive")
        old = self._users.get(user_id)
        user = _User(user_id, first_name, last_name, username, language_code)
        if old is not None:
            user.started, user.blocked = old.started, old.blocked
        self._users[user_id] = user
        return user.as_dict()

    def add_group(
        self,
        chat_id: int,
        title: str,
        members: list[int],
        admins: list[int],
        supergroup: bool = False,
        *,
        bot_admin: bool = False,
        announce: bool = False,
    ) -> JSON:
        """Create a group with the bot in it. admins[0] is the creator; admins are members.

        ``announce=True`` also queues what Telegram sends when the bot is added: a
        my_chat_member update and a message with new_chat_members.
        """
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        for user_id in [*members, *admins]:
            self._user(user_id)
        chat = _Chat(
            id=chat_id,
            type="supergroup" if supergroup else "group",
            title=title,
            members=set(members) | set(admins),
            admins=list(admins),
            creator=admins[0] if admins else None,
            bot_status="administrator" if bot_admin else "member",
        )
        self._chats[chat_id] = chat
        if announce:
            adder = admins[0] if admins else next(iter(sorted(chat.members)), None)
            if adder is None:
                raise ValueError("announce=True needs at least one member to add the bot")
            self._queue_my_chat_member(chat, adder, "left", chat.bot_status)
            message = self._new_message(
                chat, from_bot=False, sender_id=adder, extra={"new_chat_members": [self.bot_user]}
            )
            self._queue_update("message", self._message_dict(message))
        return self._chat_dict(chat)

    def open_private_chat(self, user_id: int) -> None:
        """The user has started the bot earlier (no update is queued): the bot may write."""
        self._private_chat(user_id, create=True)
        user = self._user(user_id)
        user.started = True
        user.blocked = False

    def block_bot(self, user_id: int) -> None:
        """The user blocks the bot: sends now fail with 403; queues my_chat_member (kicked)."""
        user = self._user(user_id)
        user.blocked = True
        chat = self._private_chat(user_id, create=True)
        self._queue_my_chat_member(chat, user_id, "member", "kicked")

    def kick_bot(self, chat_id: int, by_user_id: int | None = None) -> None:
        """Remove the bot from a group: sends now fail with 403; queues my_chat_member."""
        chat = self._group(chat_id)
        old = chat.bot_status
        chat.bot_status = "kicked"
        actor = by_user_id or chat.creator or next(iter(sorted(chat.members)))
        self._queue_my_chat_member(chat, actor, old, "kicked")

    def migrate_group(self, chat_id: int, new_chat_id: int) -> JSON:
        """Upgrade a group to a supergroup as Telegram does: service messages in both chats,
        and later sends to the old id fail with migrate_to_chat_id."""
        old = self._group(chat_id)
        if old.type != "group":
            raise ValueError("only basic groups migrate")
        new = _Chat(
            id=new_chat_id,
            type="supergroup",
            title=old.title,
            members=set(old.members),
            admins=list(old.admins),
            creator=old.creator,
            bot_status=old.bot_status,
        )
        self._chats[new_chat_id] = new
        actor = old.creator or next(iter(sorted(old.members)))
        first = self._new_message(
            old, from_bot=False, sender_id=actor, extra={"migrate_to_chat_id": new_chat_id}
        )
        second = self._new_message(
            new, from_bot=False, sender_id=actor, extra={"migrate_from_chat_id": chat_id}
        )
        old.migrated_to = new_chat_id
        self._queue_update("message", self._message_dict(first))
        self._queue_update("message", self._message_dict(second))
        return self._chat_dict(new)

    def advance_time(self, seconds: float) -> None:
        """Move the emulator clock (message dates, callback query expiry) forward."""
        self._time_offset += seconds

    # ------------------------------------------------------------------ user actions

    def send_message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user writes ``text`` (to the bot in private when chat_id is None)."""
        entities: list[JSON] = []
        command = _COMMAND_RE.match(text)
        if command is not None and (len(text) == command.end() or text[command.end()].isspace()):
            entities.append({"type": "bot_command", "offset": 0, "length": command.end()})
        return self.send_custom_message(
            user_id,
            {"text": text, **({"entities": entities} if entities else {})},
            chat_id=chat_id,
            reply_to_message_id=reply_to_message_id,
        )

    def send_custom_message(
        self,
        user_id: int,
        fields: JSON,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSON:
        """The user sends a message with arbitrary Message fields (contact, location, ...)."""
        user = self._user(user_id)
        if chat_id is None or chat_id == user_id:
            chat = self._private_chat(user_id, create=True)
            user.started = True
            user.blocked = False
        else:
            chat = self._group(chat_id)
            if user_id not in chat.members:
                raise ValueError(f"user {user_id} is not a member of chat {chat_id}")
            if chat.migrated_to is not None:
                raise ValueError(f"chat {chat_id} was migrated to {chat.migrated_to}")
        if reply_to_message_id is not None and reply_to_message_id not in chat.messages:
            raise ValueError(f"no message {reply_to_message_id} in chat {chat.id}")
        fields = dict(fields)
        text = fields.pop("text", None)
        entities = fields.pop("entities", [])
        message = self._new_message(
            chat,
            from_bot=False,
            sender_id=user_id,
            text=text,
            entities=entities,
            reply_to_message_id=reply_to_message_id,
            extra=fields,
        )
        data = self._message_dict(message)
        if self._bot_sees(chat, message):
            self._queue_update("message", data)
        return data

    def edit_message(self, user_id: int, chat_id: int, message_id: int, new_text: str) -> JSON:
        """The user edits their own message: an edited_message update."""
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted or message.from_bot or message.sender_id != user_id:
            raise ValueError(f"user {user_id} has no message {message_id} in chat {chat_id}")
        message.text = new_text
        command = _COMMAND_RE.match(new_text)
        message.entities = (
            [{"type": "bot_command", "offset": 0, "length": command.end()}] if command else []
        )
        self._mark_edited(message)
        data = self._message_dict(message)
        if self._bot_sees(chat, message):
            self._queue_update("edited_message", data)
        return data

    def press_button(
        self, user_id: int, chat_id: int, message_id: int, data: str, *, force: bool = False
    ) -> str:
        """The user presses an inline button carrying ``data`` (not checked against the
        keyboard, so tests can forge it); returns the callback query id."""
        user = self._user(user_id)
        chat = self._chat(chat_id)
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            if not force:
                raise ValueError(f"no message {message_id} in chat {chat_id}")
            shown: JSON = {"chat": self._chat_dict(chat), "message_id": message_id, "date": 0}
        else:
            shown = self._message_dict(message)
        self._counter += 1
        query_id = str(4_000_000_000_000_000_000 + self._counter)
        self._queries[query_id] = _CallbackQuery(
            query_id, user_id, chat_id, message_id, self._monotonic()
        )
        self._queue_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.as_dict(),
                "message": shown,
                "chat_instance": str(abs(chat_id) * 7 + 13),
                "data": data,
            },
        )
        return query_id

    def add_raw_update(self, update: JSON) -> None:
        """Queue a hand-made update; an update_id is assigned when missing."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._take_update_id()
        else:
            self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._push_update(update)

    # ------------------------------------------------------------------ observation

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """The chat's history (user and bot messages) with edits applied, oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [
            copy.copy(m)
            for _, m in sorted(chat.messages.items())
            if include_deleted or not m.deleted
        ]

    def bot_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        return [m for m in self.messages(chat_id, include_deleted=include_deleted) if m.from_bot]

    def message(self, chat_id: int, message_id: int) -> ChatMessage:
        return copy.copy(self._chat(chat_id).messages[message_id])

    def last_message_id(self, chat_id: int) -> int:
        """Highest message id in the chat so far (0 if none): pass it as ``after=``."""
        chat = self._chats.get(chat_id)
        return chat.next_message_id - 1 if chat else 0

    def calls(self, method: str) -> list[ApiCall]:
        """Recorded calls of one method (case-insensitive)."""
        wanted = method.lower()
        return [c for c in self.requests if c.method.lower() == wanted]

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot."""
        return len(self._pending)

    def assert_no_errors(self) -> None:
        """Fail with a readable list if the bot made any call the emulator rejected."""
        if self.errors:
            lines = "\n".join(f"  {call!r}" for call in self.errors)
            raise AssertionError(f"{len(self.errors)} rejected bot call(s):\n{lines}")

    def clear_records(self) -> None:
        """Forget recorded requests, errors, faults, answers and chat actions."""
        self.requests.clear()
        self.errors.clear()
        self.faults_triggered.clear()
        self.callback_answers.clear()
        self.chat_actions.clear()

    async def wait_for_bot_message(
        self,
        chat_id: int,
        *,
        after: int = 0,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed API
        predicate: Callable[[ChatMessage], bool] | None = None,
    ) -> ChatMessage:
        """First bot message in the chat with message_id > ``after``, or edited after this call,
        that matches ``predicate``."""
        seq0 = self._seq

        def find() -> ChatMessage | None:
            chat = self._chats.get(chat_id)
            if chat is None:
                return None
            candidates = set(range(after + 1, chat.next_message_id))
            if self._last_edit_seq > seq0:
                candidates.update(
                    m.message_id for m in chat.messages.values() if m.edited and m.seq > seq0
                )
            for message_id in sorted(candidates):
                message = chat.messages.get(message_id)
                if message is None or not message.from_bot or message.deleted:
                    continue
                if message.message_id > after or message.seq > seq0:
                    snapshot = copy.copy(message)
                    if predicate is None or predicate(snapshot):
                        return snapshot
            return None

        def describe() -> str:
            shown = "\n".join(
                f"  #{m.message_id} {'bot' if m.from_bot else 'user'}"
                f"{' (edited)' if m.edited else ''}: {m.body[:120]!r}"
                for m in self.messages(chat_id)[-10:]
            )
            return (
                f"no matching bot message in chat {chat_id} after #{after} within {timeout}s; "
                f"last messages:\n{shown}\nerrors: {self.errors}"
            )

        return await self._wait_for(find, timeout, describe)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed API
    ) -> None:
        """Wait until ``predicate()`` is true (re-checked on every emulator change and every
        few ms, so it may also look at state outside the emulator)."""
        await self._wait_for(
            lambda: True if predicate() else None,
            timeout,
            lambda: f"condition not met within {timeout}s; errors: {self.errors}",
        )

    async def wait_idle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the agreed API
        *,
        quiet: float = 0.05,
    ) -> None:
        """Wait until every queued update was fetched and confirmed, no bot call is in flight
        and nothing happened for ``quiet`` seconds (longer after a 429: the bot is waiting to
        retry). Work the bot does without calling the API for longer than ``quiet`` is
        invisible here; wait for its visible effect instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = time.monotonic()
            if not self._pending and self._inflight == 0:
                idle_at = max(self._last_activity + quiet, self._quiet_until)
                if now >= idle_at:
                    return
                wait = idle_at - now
            else:
                wait = 0.05
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"emulator not idle after {timeout}s: {len(self._pending)} update(s) "
                    f"unconfirmed, {self._inflight} call(s) in flight; errors: {self.errors}"
                )
            await self._wait_change(min(wait, remaining))

    # ------------------------------------------------------------------ live view (sandbox)

    @property
    def change_seq(self) -> int:
        """A counter that grows with every change: new, edited or deleted messages, queued
        updates, answered calls. Pass it back to :meth:`changed_messages`."""
        return self._seq

    def changed_messages(self, chat_id: int, since: int) -> list[ChatMessage]:
        """Messages of the chat created, edited or deleted after change ``since`` (deleted
        ones included, so a viewer can remove them), oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [copy.copy(m) for _, m in sorted(chat.messages.items()) if m.seq > since]

    async def wait_for_change(self, timeout: float) -> None:  # noqa: ASYNC109
        """Return after the next change, or after ``timeout`` seconds."""
        await self._wait_change(timeout)

    def user_info(self, user_id: int) -> JSON:
        """The User dict of a known user (as updates carry it)."""
        return self._user(user_id).as_dict()

    def commands_for(self, chat_id: int, user_id: int) -> list[JSON]:
        """The command menu a user sees in a chat, resolved through the scopes and languages
        the way Telegram documents it (most specific scope first, the user's language before
        no language)."""
        chat = self._chats.get(chat_id)
        user = self._users.get(user_id)
        language = (user.language_code or "") if user else ""
        scopes: list[JSON] = []
        if chat is None or chat.type == "private":
            scopes += [{"type": "chat", "chat_id": chat_id}, {"type": "all_private_chats"}]
        else:
            admin = user_id == chat.creator or user_id in chat.admins
            scopes.append({"type": "chat_member", "chat_id": chat_id, "user_id": user_id})
            if admin:
                scopes.append({"type": "chat_administrators", "chat_id": chat_id})
            scopes.append({"type": "chat", "chat_id": chat_id})
            if admin:
                scopes.append({"type": "all_chat_administrators"})
            scopes.append({"type": "all_group_chats"})
        scopes.append({"type": "default"})
        for scope in scopes:
            key = json.dumps(scope, sort_keys=True)
            for lang in dict.fromkeys((language, "")):
                commands = self.commands.get((key, lang))
                if commands is not None:
                    return [dict(c) for c in commands]
        return []

    # ------------------------------------------------------------------ fault injection

    def inject_fault(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        times: int = 1,
        delay: float = 0.0,
        drop_connection: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` ("*" = any but getUpdates) fail.

        429 answers carry ``parameters.retry_after`` (PTB raises RetryAfter); status 200 with
        a delay only slows the call down; ``drop_connection`` closes the socket without an
        answer (PTB raises NetworkError). Injected answers go to ``faults_triggered``, not
        ``errors``.
        """
        self._faults.append(
            _Fault(method.lower(), status, retry_after, times, delay, drop_connection)
        )

    def _take_fault(self, method: str) -> _Fault | None:
        lowered = method.lower()
        for fault in self._faults:
            if fault.method == lowered or (fault.method == "*" and lowered != "getupdates"):
                fault.times -= 1
                if fault.times <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    # ------------------------------------------------------------------ dispatch

    async def dispatch(
        self,
        method: str,
        params: Mapping[str, Any] | None = None,
        files: Mapping[str, UploadedFile] | None = None,
        *,
        is_alive: Callable[[], bool] | None = None,
    ) -> tuple[int, JSON]:
        """Handle one Bot API call; returns (HTTP status, JSON body).

        ``params`` may be form strings (decoded here like PTB encoded them) or Python values.
        Raises :class:`ConnectionDropped` when a fault says so.
        """
        entry = self._handlers.get(method.lower())
        name = entry[0] if entry else method
        call = ApiCall(name, {}, dict(files or {}), started=time.monotonic())
        polling = name == "getUpdates"
        if not polling:
            self._inflight += 1
            self._touch()
        try:
            decode_error: ApiError | None = None
            try:
                call.params = _decode_params(params or {})
            except ApiError as exc:
                decode_error = exc
            fault = self._take_fault(name)
            if fault is not None:
                injected = await self._apply_fault(fault, call)
                if injected is not None:
                    return injected
            try:
                if decode_error is not None:
                    raise decode_error
                if entry is None:
                    raise ApiError(501, f"Not Implemented: the emulator has no method {method}")
                if polling:
                    result = await self._get_updates(call.params, is_alive)
                else:
                    result = entry[1](call.params, call.files)
                status, body = 200, {"ok": True, "result": result}
            except _SilentRelease:
                status, body = 200, {"ok": True, "result": []}
            except ApiError as exc:
                status, body = exc.status, exc.body()
            self._record(call, status, body)
            return status, body
        finally:
            if not polling:
                self._inflight -= 1
                self._touch()

    async def _apply_fault(self, fault: _Fault, call: ApiCall) -> tuple[int, JSON] | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        call.injected = True
        if fault.drop_connection:
            self._record(call, 0, None)
            raise ConnectionDropped(call.method)
        if fault.status == 200:
            call.injected = False
            return None
        parameters: JSON | None = None
        if fault.status == 429:
            description = f"Too Many Requests: retry after {fault.retry_after or 0}"
            if fault.retry_after:
                parameters = {"retry_after": fault.retry_after}
                self._quiet_until = max(
                    self._quiet_until, time.monotonic() + fault.retry_after + 0.2
                )
        else:
            phrases = {400: "Bad Request", 403: "Forbidden", 409: "Conflict", 500: "Internal"}
            description = f"{phrases.get(fault.status, 'Error')}: injected fault"
        body = ApiError(fault.status, description, parameters).body()
        self._record(call, fault.status, body)
        return fault.status, body

    def _record(self, call: ApiCall, status: int, body: JSON | None) -> None:
        call.status = status
        call.response = body
        call.finished = time.monotonic()
        self.requests.append(call)
        if call.injected:
            self.faults_triggered.append(call)
        elif status >= 400:
            self.errors.append(call)
            logger.info("emulator rejected %s: %s", call.method, call.description)
        self._notify()

    async def handle_path(
        self,
        http_method: str,
        path: str,
        params: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        *,
        is_alive: Callable[[], bool] | None = None,
    ) -> tuple[int, bytes, str]:
        """Route ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` (shared by the HTTP
        server and InProcessRequest); returns (status, body, content type)."""
        if path.startswith("/file/bot"):
            token, _, file_path = path.removeprefix("/file/bot").partition("/")
            stored = self._files_by_path.get(file_path)
            if token != self.token or stored is None:
                return (
                    404,
                    _dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
                    ("application/json"),
                )
            return 200, stored.content, stored.mime_type or "application/octet-stream"
        if not path.startswith("/bot"):
            return (
                404,
                _dumps({"ok": False, "error_code": 404, "description": "Not Found"}),
                ("application/json"),
            )
        token, _, method = path.removeprefix("/bot").partition("/")
        if token != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return 401, _dumps(body), "application/json"
        if not method or "/" in method:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            return 404, _dumps(body), "application/json"
        status, answer = await self.dispatch(method, params, files, is_alive=is_alive)
        return status, _dumps(answer), "application/json"

    async def _handle_http(self, request: web.Request) -> web.StreamResponse:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.body_exists:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        with value.file:
                            content = value.file.read()
                        files[key] = UploadedFile(value.filename, content, value.content_type)
                    else:
                        params[key] = value

        def is_alive() -> bool:
            transport = request.transport
            return transport is not None and not transport.is_closing()

        try:
            status, body, content_type = await self.handle_path(
                request.method, request.path, params, files, is_alive=is_alive
            )
        except ConnectionDropped:
            if request.transport is not None:
                request.transport.abort()
            raise asyncio.CancelledError from None
        return web.Response(status=status, body=body, content_type=content_type)

    # ------------------------------------------------------------------ updates

    def _take_update_id(self) -> int:
        update_id = self._next_update_id
        self._next_update_id += 1
        return update_id

    def _queue_update(self, kind: str, payload: JSON) -> None:
        self._push_update({"update_id": self._take_update_id(), kind: payload})

    def _push_update(self, update: JSON) -> None:
        self._pending.append(update)
        self._touch()
        self._wake_poll("update")
        self._notify()

    def _wake_poll(self, reason: str) -> None:
        waiter = self._poll_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(reason)

    def _deliverable(self, limit: int) -> list[JSON]:
        allowed = self._allowed_updates
        kept = [u for u in self._pending if any(k in allowed for k in u if k != "update_id")]
        if len(kept) != len(self._pending):
            self._pending = kept  # Telegram never produces updates the bot did not ask for
        return kept[:limit]

    async def _get_updates(self, params: JSON, is_alive: Callable[[], bool] | None) -> list[JSON]:
        offset = params.get("offset")
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        if isinstance(offset, int) and offset:
            before = len(self._pending)
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            else:
                self._pending = self._pending[offset:]
            if len(self._pending) != before:
                self._touch()
                self._notify()
        self._wake_poll("conflict")
        ready = self._deliverable(limit)
        if ready or timeout <= 0 or self._closing:
            return ready
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[str] = loop.create_future()
        self._poll_waiter = waiter
        try:
            done, _ = await asyncio.wait({waiter}, timeout=timeout)
        finally:
            if self._poll_waiter is waiter:
                self._poll_waiter = None
            if not waiter.done():
                waiter.cancel()
        reason = waiter.result() if done else "timeout"
        if reason == "conflict":
            if is_alive is not None and not is_alive():
                raise _SilentRelease  # the client already hung up; nobody reads this answer
            raise ApiError(409, CONFLICT)
        return self._deliverable(limit)

    def _queue_my_chat_member(self, chat: _Chat, actor: int, old: str, new: str) -> None:
        def member(status: str) -> JSON:
            data: JSON = {"status": status, "user": self.bot_user}
            if status == "kicked":
                data["until_date"] = 0
            if status == "administrator":
                data.update(_admin_rights(can_be_edited=False))
            return data

        self._queue_update(
            "my_chat_member",
            {
                "chat": self._chat_dict(chat),
                "from": self._user(actor).as_dict(),
                "date": self._now(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            },
        )

    def _bot_sees(self, chat: _Chat, message: ChatMessage) -> bool:
        if chat.type == "private":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.group_privacy:
            return True
        text = message.text or ""
        if text.startswith("/"):
            command = _COMMAND_RE.match(text)
            if command is None:
                return False
            _, _, mention = command.group().partition("@")
            return not mention or mention.lower() == self.bot_username.lower()
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        replied = chat.messages.get(message.reply_to_message_id or 0)
        return replied is not None and replied.from_bot

    # ------------------------------------------------------------------ helpers

    def _now(self) -> int:
        return int(time.time() + self._time_offset)

    def _monotonic(self) -> float:
        return time.monotonic() + self._time_offset

    def _touch(self) -> None:
        self._last_activity = time.monotonic()

    def _notify(self) -> None:
        self._seq += 1
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, seconds: float) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    async def _wait_for(
        self, check: Callable[[], T | None], seconds: float, describe: Callable[[], str]
    ) -> T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            found = check()
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            await self._wait_change(min(remaining, 0.02))

    def _user(self, user_id: int) -> _User:
        user = self._users.get(user_id)
        if user is None:
            raise ValueError(f"unknown user {user_id}; call add_user() first")
        return user

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise ValueError(f"unknown chat {chat_id}")
        return chat

    def _group(self, chat_id: int) -> _Chat:
        chat = self._chat(chat_id)
        if chat.type == "private":
            raise ValueError(f"chat {chat_id} is private")
        return chat

    def _private_chat(self, user_id: int, *, create: bool) -> _Chat:
        chat = self._chats.get(user_id)
        if chat is None and create:
            chat = _Chat(id=user_id, type="private", user_id=user_id)
            self._chats[user_id] = chat
        if chat is None:
            raise ValueError(f"no private chat with {user_id}")
        return chat

    def _chat_dict(self, chat: _Chat) -> JSON:
        if chat.type == "private":
            user = self._users[chat.user_id or chat.id]
            data: JSON = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.last_name is not None:
                data["last_name"] = user.last_name
            if user.username is not None:
                data["username"] = user.username
            return data
        return {"id": chat.id, "type": chat.type, "title": chat.title}

    def _new_message(
        self,
        chat: _Chat,
        *,
        from_bot: bool,
        sender_id: int,
        text: str | None = None,
        entities: list[JSON] | None = None,
        reply_to_message_id: int | None = None,
        extra: JSON | None = None,
        **fields: Any,
    ) -> ChatMessage:
        message = ChatMessage(
            message_id=chat.next_message_id,
            chat_id=chat.id,
            from_bot=from_bot,
            sender_id=sender_id,
            date=self._now(),
            text=text,
            entities=entities or [],
            reply_to_message_id=reply_to_message_id,
            extra=extra or {},
            **fields,
        )
        chat.next_message_id += 1
        chat.messages[message.message_id] = message
        if from_bot:
            self.last_chat_action.pop(chat.id, None)
        self._notify()
        message.seq = self._seq
        return message

    def _mark_edited(self, message: ChatMessage) -> None:
        message.edited = True
        message.edit_count += 1
        message.edit_date = self._now()
        self._notify()
        message.seq = self._last_edit_seq = self._seq

    def _message_dict(self, message: ChatMessage, *, with_reply: bool = True) -> JSON:
        chat = self._chats[message.chat_id]
        sender = self.bot_user if message.from_bot else self._users[message.sender_id].as_dict()
        data: JSON = {
            "message_id": message.message_id,
            "from": sender,
            "chat": self._chat_dict(chat),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.photo_sizes:
            data["photo"] = message.photo_sizes
        if message.document_meta is not None:
            data["document"] = message.document_meta
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.media_group_id is not None:
            data["media_group_id"] = message.media_group_id
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        if with_reply and message.reply_to_message_id is not None:
            replied = chat.messages.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self._message_dict(replied, with_reply=False)
        data.update(message.extra)
        return data

    # ------------------------------------------------------------------ validation helpers

    def _target_chat(self, chat_id: Any, *, sending: bool) -> _Chat:
        """The chat a bot call addresses, with Telegram's errors for chats it cannot use."""
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if not isinstance(chat_id, int):
            raise _bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if chat_id in self._users and sending:
                raise _forbidden("bot can't initiate conversation with a user")
            if chat_id in self._users:
                return self._private_chat(chat_id, create=True)
            raise _bad("chat not found")
        if chat.type == "private":
            user = self._users[chat.id]
            if sending and user.blocked:
                raise _forbidden("bot was blocked by the user")
            if sending and not user.started:
                raise _forbidden("bot can't initiate conversation with a user")
            return chat
        if chat.migrated_to is not None:
            raise _bad(
                "group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        kind = "supergroup chat" if chat.type == "supergroup" else "group chat"
        if chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {kind}")
        if chat.bot_status == "left":
            raise _forbidden(f"bot is not a member of the {kind}")
        return chat

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[ParsedText, str | None]:
        """Parse text/caption like Telegram; returns the parsed text and the raw source when a
        parse mode was used."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        mode = parse_mode.lower() if isinstance(parse_mode, str) and parse_mode else None
        if mode == "html":
            try:
                parsed = parse_html(text, strict_ampersand=self.strict_html_ampersand)
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        elif mode in ("markdown", "markdownv2"):
            parsed = plain_text(text)  # not validated by the emulator
        elif mode is not None:
            raise _bad("unsupported parse_mode")
        else:
            if entities is not None and not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            parsed = plain_text(text, entities or [])
        length = utf16_len(parsed.text)
        if caption:
            if length > MAX_CAPTION_LENGTH:
                raise _bad("message caption is too long")
        else:
            if not parsed.text:
                raise _bad("message text is empty")
            if length > MAX_TEXT_LENGTH:
                raise _bad("message is too long")
        return parsed, (text if mode else None)

    def _checked_markup(self, markup: Any) -> JSON | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse inline keyboard button: InlineKeyboardButton expected")
            count = 0
            for row in rows:
                for button in row:
                    count += 1
                    self._check_inline_button(button)
            if count > 100:
                raise _bad("reply markup is too long")
            return markup
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse keyboard button: KeyboardButton expected")
            for row in rows:
                for button in row:
                    label = button if isinstance(button, str) else button.get("text")
                    if not isinstance(label, str) or not label:
                        raise _bad("keyboard button text must be non-empty")
            return markup
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise _bad("can't parse inline keyboard button: InlineKeyboardButton expected")
        label = button.get("text")
        if not isinstance(label, str) or not label.strip():
            raise _bad("inline keyboard button text must be non-empty")
        actions = [key for key in _INLINE_BUTTON_ACTIONS if key in button]
        if not actions:
            raise _bad("text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise _bad("can't parse inline keyboard button: exactly one action is expected")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            if not isinstance(url, str) or not re.match(r"(https?|tg)://\S+$", url, re.I):
                raise _bad("BUTTON_URL_INVALID")

    def _reply_target(self, chat: _Chat, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply"))
        message_id = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if message_id is None:
            return None
        target = chat.messages.get(int(message_id))
        if target is None or target.deleted:
            if allow_missing:
                return None
            raise _bad("message to be replied not found")
        return target.message_id

    def _message_for_edit(self, params: JSON) -> tuple[_Chat, ChatMessage]:
        if params.get("inline_message_id"):
            raise _bad("inline messages are not supported by the emulator")
        chat = self._target_chat(params.get("chat_id"), sending=False)
        message_id = params.get("message_id")
        if message_id is None:
            raise _bad("message identifier is not specified")
        message = chat.messages.get(message_id)
        if message is None or message.deleted:
            raise _bad("message to edit not found")
        if not message.from_bot:
            raise _bad("message can't be edited")
        return chat, message

    def _store_file(
        self, kind: str, upload: UploadedFile, width: int = 0, height: int = 0
    ) -> _StoredFile:
        self._counter += 1
        number = self._counter
        suffix = ""
        if upload.filename and "." in upload.filename:
            suffix = "." + upload.filename.rsplit(".", 1)[1]
        elif kind == "photo":
            suffix = ".jpg"
        stored = _StoredFile(
            file_id=f"EMU{kind.upper()}{number:08d}x{self.bot_id}",
            unique_id=f"EMUU{number:08d}",
            content=upload.content,
            filename=upload.filename,
            mime_type=upload.mime_type,
            path=f"{kind}s/file_{number}{suffix}",
            width=width,
            height=height,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.path] = stored
        return stored

    def _input_file(self, name: str, value: Any, files: dict[str, UploadedFile]) -> Any:
        """Resolve an input file: an upload, an existing file_id or an http(s) URL."""
        if name in files and value is None:
            return files[name]
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
            if upload is None:
                raise _bad(f"can't parse InputMedia: media not found ({value})")
            return upload
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"https?://\S+$", value):
            return value
        if value is None:
            raise _bad(f"there is no {name} in the request")
        raise _bad("wrong file identifier/HTTP URL specified")

    def _photo_fields(self, source: Any) -> JSON:
        if isinstance(source, str):  # URL: the emulator cannot fetch it
            upload = UploadedFile("remote.jpg", b"", "image/jpeg")
            stored = self._store_file("photo", upload, 800, 600)
        elif isinstance(source, _StoredFile):
            stored = source
        else:
            if not source.content:
                raise _bad("file must be non-empty")
            if len(source.content) > MAX_PHOTO_BYTES:
                raise _bad("PHOTO_INVALID_DIMENSIONS")
            size = _image_size(source.content)
            if size is None:
                raise _bad("IMAGE_PROCESS_FAILED")
            stored = self._store_file("photo", source, *size)
        width, height = stored.width or 800, stored.height or 600
        sizes: list[JSON] = []
        boxes = (90, 1280) if max(width, height) > 90 else (90,)
        for box in boxes:
            scale = min(1.0, box / max(width, height))
            sizes.append(
                {
                    "file_id": f"{stored.file_id}s{box}",
                    "file_unique_id": f"{stored.unique_id}s{box}",
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                    "file_size": len(stored.content),
                }
            )
            self._files.setdefault(f"{stored.file_id}s{box}", stored)
        return {"photo": stored.content or None, "photo_sizes": sizes}

    def _document_fields(self, source: Any) -> JSON:
        if isinstance(source, str):
            upload = UploadedFile(source.rsplit("/", 1)[-1] or "file", b"", None)
            stored = self._store_file("document", upload)
        elif isinstance(source, _StoredFile):
            stored = source
        else:
            if not source.content:
                raise _bad("file must be non-empty")
            stored = self._store_file("document", source)
        meta: JSON = {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
        }
        if stored.filename:
            meta["file_name"] = stored.filename
        if stored.mime_type:
            meta["mime_type"] = stored.mime_type
        return {
            "document": stored.content,
            "document_name": stored.filename,
            "document_mime": stored.mime_type,
            "document_meta": meta,
        }

    # ------------------------------------------------------------------ methods

    def _true(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        return True

    def _get_me(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    def _get_webhook_info(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    @staticmethod
    def _scope_key(params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in COMMAND_SCOPES:
            raise _bad("can't parse BotCommandScope JSON object")
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            if not _BOT_COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("command description must be non-empty")
        self.commands[self._scope_key(params)] = commands
        return True

    def _get_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        return self.commands.get(self._scope_key(params), [])

    def _delete_my_commands(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        self.commands.pop(self._scope_key(params), None)
        return True

    def _set_chat_menu_button(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise _bad("can't parse menu button JSON object")
        chat_id = params.get("chat_id")
        if chat_id is None:
            self.bot_profile[("menu_button", "")] = json.dumps(button)
        else:
            self._target_chat(chat_id, sending=False).menu_button = button
        return True

    def _get_chat_menu_button(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat_id = params.get("chat_id")
        if chat_id is not None:
            button = self._target_chat(chat_id, sending=False).menu_button
            if button is not None:
                return button
        stored = self.bot_profile.get(("menu_button", ""))
        return json.loads(stored) if stored else {"type": "default"}

    def _set_profile(self, key: str) -> Callable[[JSON, dict[str, UploadedFile]], bool]:
        def handler(params: JSON, files: dict[str, UploadedFile]) -> bool:
            self.bot_profile[(key, str(params.get("language_code") or ""))] = str(
                params.get(key) or ""
            )
            return True

        return handler

    def _send_message(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params.get("chat_id"), sending=True)
        parsed, source = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._checked_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            sender_id=self.bot_id,
            text=parsed.text,
            entities=parsed.entities,
            reply_to_message_id=reply_to,
            html=source,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )
        return self._message_dict(message)

    def _edit_message_text(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        _, message = self._message_for_edit(params)
        if message.text is None:
            raise _bad("there is no text in the message to edit")
        parsed, source = self._formatted(
            params.get("text"), params.get("parse_mode"), params.get("entities")
        )
        markup = self._checked_markup(params.get("reply_markup"))
        if (
            parsed.text == message.text
            and parsed.entities == message.entities
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.text = parsed.text
        message.entities = parsed.entities
        message.html = source
        message.parse_mode = params.get("parse_mode")
        message.reply_markup = markup
        self._mark_edited(message)
        return self._message_dict(message)

    def _edit_message_caption(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        _, message = self._message_for_edit(params)
        if message.text is not None:
            raise _bad("there is no caption in the message to edit")
        parsed, source = self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        markup = self._checked_markup(params.get("reply_markup"))
        if (
            (parsed.text or None) == message.caption
            and parsed.entities == message.caption_entities
            and _inline(markup) == _inline(message.reply_markup)
        ):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.caption = parsed.text or None
        message.caption_entities = parsed.entities
        message.caption_html = source
        message.reply_markup = markup
        self._mark_edited(message)
        return self._message_dict(message)

    def _edit_message_reply_markup(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        _, message = self._message_for_edit(params)
        markup = self._checked_markup(params.get("reply_markup"))
        if markup is not None and "inline_keyboard" not in markup:
            raise _bad("inline keyboard expected")
        if _inline(markup) == _inline(message.reply_markup):
            raise _bad(NOT_MODIFIED.removeprefix("Bad Request: "))
        message.reply_markup = markup
        self._mark_edited(message)
        return self._message_dict(message)

    def _delete_message(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        message = chat.messages.get(params.get("message_id") or 0)
        if message is None or message.deleted:
            raise _bad("message to delete not found")
        if not message.from_bot and chat.type != "private" and chat.bot_status != "administrator":
            raise _bad("message can't be deleted")
        message.deleted = True
        self._notify()
        message.seq = self._seq
        return True

    def _answer_callback_query(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        query = self._queries.get(query_id)
        if (
            query is None
            or query.answered
            or self._monotonic() - query.created > CALLBACK_QUERY_TTL
        ):
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if isinstance(text, str) and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        query.answered = True
        self.callback_answers[query_id] = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        return True

    def _send_chat_action(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat = self._target_chat(params.get("chat_id"), sending=True)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self.chat_actions.append((chat.id, str(action)))
        self.last_chat_action[chat.id] = (str(action), time.monotonic())
        return True

    def _caption_fields(self, params: JSON) -> JSON:
        parsed, source = self._formatted(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        return {
            "caption": parsed.text or None,
            "caption_entities": parsed.entities,
            "caption_html": source,
            "parse_mode": params.get("parse_mode"),
        }

    def _send_photo(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self._send_file("photo", self._photo_fields, params, files)

    def _send_document(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        return self._send_file("document", self._document_fields, params, files)

    def _send_file(
        self,
        name: str,
        fields: Callable[[Any], JSON],
        params: JSON,
        files: dict[str, UploadedFile],
    ) -> JSON:
        """sendPhoto / sendDocument: the file in ``params[name]``, with caption and markup."""
        chat = self._target_chat(params.get("chat_id"), sending=True)
        source = self._input_file(name, params.get(name), files)
        caption = self._caption_fields(params)
        markup = self._checked_markup(params.get("reply_markup"))
        reply_to = self._reply_target(chat, params)
        message = self._new_message(
            chat,
            from_bot=True,
            sender_id=self.bot_id,
            reply_to_message_id=reply_to,
            reply_markup=markup,
            **caption,
            **fields(source),
        )
        return self._message_dict(message)

    def _send_media_group(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        chat = self._target_chat(params.get("chat_id"), sending=True)
        media = params.get("media")
        if not isinstance(media, list) or not media:
            raise _bad("media to send are not specified")
        if not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the group: 2-10 items expected")
        kinds = set()
        prepared: list[JSON] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in (
                "photo",
                "document",
                "video",
                "audio",
            ):
                raise _bad("can't parse InputMedia JSON object")
            kind = item["type"]
            kinds.add("document" if kind == "document" else "audio" if kind == "audio" else "pv")
            source = self._input_file("media", item.get("media"), files)
            fields = self._caption_fields(item)
            if kind == "photo":
                fields.update(self._photo_fields(source))
            else:
                fields.update(self._document_fields(source))
            prepared.append(fields)
        if len(kinds) > 1:
            raise _bad("documents and audio can't be mixed with other media types")
        reply_to = self._reply_target(chat, params)
        self._counter += 1
        group_id = str(13_000_000_000_000_000 + self._counter)
        messages = [
            self._new_message(
                chat,
                from_bot=True,
                sender_id=self.bot_id,
                reply_to_message_id=reply_to,
                media_group_id=group_id,
                **fields,
            )
            for fields in prepared
        ]
        return [self._message_dict(m) for m in messages]

    def _get_chat(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        data = self._chat_dict(chat)
        data.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return data

    def _member_dict(self, chat: _Chat, user_id: int) -> JSON:
        if user_id == self.bot_id:
            status = chat.bot_status if chat.type != "private" else "member"
            data: JSON = {"status": status, "user": self.bot_user}
            if status == "administrator":
                data.update(_admin_rights(can_be_edited=False))
            if status == "kicked":
                data["until_date"] = 0
            return data
        user = self._users.get(user_id)
        if user is None:
            raise _bad("user not found")
        if chat.type == "private":
            status = "member" if user_id == chat.id else "left"
            return {"status": status, "user": user.as_dict()}
        if user_id == chat.creator:
            return {"status": "creator", "user": user.as_dict(), "is_anonymous": False}
        if user_id in chat.admins:
            return {"status": "administrator", "user": user.as_dict(), **_admin_rights(False)}
        if user_id in chat.members:
            return {"status": "member", "user": user.as_dict()}
        return {"status": "left", "user": user.as_dict()}

    def _get_chat_member(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad("user not found")
        return self._member_dict(chat, user_id)

    def _get_chat_administrators(self, params: JSON, files: dict[str, UploadedFile]) -> list[JSON]:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        if chat.type == "private":
            raise _bad("there are no administrators in the private chat")
        ids = list(dict.fromkeys([*([chat.creator] if chat.creator else []), *chat.admins]))
        if chat.bot_status == "administrator":
            ids.append(self.bot_id)
        return [self._member_dict(chat, user_id) for user_id in ids]

    def _get_chat_member_count(self, params: JSON, files: dict[str, UploadedFile]) -> int:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        if chat.type == "private":
            return 2
        humans = chat.members | set(chat.admins) | ({chat.creator} if chat.creator else set())
        return len(humans) + (1 if chat.bot_status in ("member", "administrator") else 0)

    def _leave_chat(self, params: JSON, files: dict[str, UploadedFile]) -> bool:
        chat = self._target_chat(params.get("chat_id"), sending=False)
        if chat.type == "private":
            raise _bad("chat member status can't be changed in private chats")
        old = chat.bot_status
        chat.bot_status = "left"
        actor = chat.creator or next(iter(sorted(chat.members)), None)
        if actor is not None:
            self._queue_my_chat_member(chat, actor, old, "left")
        return True

    def _get_file(self, params: JSON, files: dict[str, UploadedFile]) -> JSON:
        stored = self._files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.content),
            "file_path": stored.path,
        }


class _SilentRelease(Exception):
    """A superseded long poll whose client is gone: answer it quietly."""


def _inline(markup: JSON | None) -> Any:
    return markup.get("inline_keyboard") if markup else None


def _admin_rights(can_be_edited: bool) -> JSON:
    return {
        "can_be_edited": can_be_edited,
        "is_anonymous": False,
        "can_manage_chat": True,
        "can_delete_messages": True,
        "can_manage_video_chats": True,
        "can_restrict_members": True,
        "can_promote_members": False,
        "can_change_info": True,
        "can_invite_users": True,
        "can_post_stories": False,
        "can_edit_stories": False,
        "can_delete_stories": False,
        "can_pin_messages": True,
        "can_manage_topics": False,
    }


def _dumps(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "ChatMessage",
    "ConnectionDropped",
    "UploadedFile",
]
