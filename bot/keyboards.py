"""Inline keyboards. Callback data is ``<area>:<id>:<action>[:<arg>]``, at most 64 bytes.

Every id in callback data is checked against the chat (and user) that pressed the button before
anything happens, so forged data cannot reach another workspace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from bot.i18n import LANGUAGES, Translator
from storage import OUTCOMES, Company, Promise, RecordedCall

MAX_DATA = 64


def data(*parts: object) -> str:
    packed = ":".join(str(p) for p in parts)
    if len(packed.encode()) > MAX_DATA:
        raise ValueError(f"callback data too long: {packed!r}")
    return packed


#: SQLite integers are signed 64-bit: a larger "id" in forged button data is simply unknown.
MAX_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """An id from callback data, or None when it cannot be one of ours."""
    if not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def _rows(buttons: Sequence[Button], per_row: int) -> list[list[Button]]:
    return [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def outcome_buttons(_: Translator, prefix: Sequence[object]) -> list[list[Button]]:
    buttons = [Button(_(f"outcome.{o}"), callback_data=data(*prefix, o)) for o in OUTCOMES]
    return _rows(buttons, 2)


def call_card(_: Translator, call: RecordedCall) -> Markup:
    attempt_id = call.attempt.id
    rows = [
        [
            Button(_("button.fix_company"), callback_data=data("a", attempt_id, "ec")),
            Button(_("button.fix_outcome"), callback_data=data("a", attempt_id, "eo")),
        ]
    ]
    last = [Button(_("button.undo"), callback_data=data("a", attempt_id, "u"))]
    if call.promise is not None and call.promise.status == "pending":
        last.insert(
            0, Button(_("button.fix_deadline"), callback_data=data("p", call.promise.id, "ed"))
        )
    rows.append(last)
    return Markup(rows)


def promise_card(_: Translator, promise: Promise) -> Markup:
    return Markup(
        [
            [
                Button(_("button.fix_deadline"), callback_data=data("p", promise.id, "ed")),
                Button(_("button.undo"), callback_data=data("p", promise.id, "u")),
            ]
        ]
    )


def edit_outcome(_: Translator, attempt_id: int) -> Markup:
    rows = outcome_buttons(_, ("a", attempt_id, "o"))
    rows.append([Button(_("button.back"), callback_data=data("a", attempt_id, "k"))])
    return Markup(rows)


def confirm_undo(_: Translator, area: str, entry_id: int) -> Markup:
    return Markup(
        [
            [
                Button(_("button.undo_confirm"), callback_data=data(area, entry_id, "u!")),
                Button(_("button.keep"), callback_data=data(area, entry_id, "k")),
            ]
        ]
    )


def promise_actions(_: Translator, promise_id: int) -> list[Button]:
    return [
        Button(_("button.they_called"), callback_data=data("p", promise_id, "c")),
        Button(_("button.still_nothing"), callback_data=data("p", promise_id, "n")),
        Button(_("button.new_deadline"), callback_data=data("p", promise_id, "m")),
    ]


def pending_list(promises: Sequence[Promise]) -> Markup:
    """One row per promise, numbered like the list: ✅ they called, ❌ nothing, ⏰ new deadline."""
    rows = [
        [
            Button(f"✅ {n}", callback_data=data("l", p.id, "c")),
            Button(f"❌ {n}", callback_data=data("l", p.id, "n")),
            Button(f"⏰ {n}", callback_data=data("l", p.id, "m")),
        ]
        for n, p in enumerate(promises, start=1)
    ]
    return Markup(rows)


def summary_list(promises: Sequence[Promise], numbers: Mapping[int, int] | None = None) -> Markup:
    """Rows like /pending's, for a reminder summary (area ``r``)."""
    rows = []
    for n, p in enumerate(promises, start=1):
        n = numbers.get(p.id, n) if numbers else n
        rows.append(
            [
                Button(f"✅ {n}", callback_data=data("r", p.id, "c")),
                Button(f"❌ {n}", callback_data=data("r", p.id, "n")),
                Button(f"⏰ {n}", callback_data=data("r", p.id, "m")),
            ]
        )
    return Markup(rows)


def deadline_choices(_: Translator, prefix: Sequence[object], today: bool) -> list[list[Button]]:
    choices = ["1h", *(["today"] if today else []), "tomorrow", "3d"]
    buttons = [Button(_(f"button.when_{c}"), callback_data=data(*prefix, c)) for c in choices]
    return _rows(buttons, 2)


def move_deadline(_: Translator, promise_id: int, today: bool) -> Markup:
    rows = deadline_choices(_, ("p", promise_id, "mv"), today)
    rows.append([Button(_("button.type_it"), callback_data=data("p", promise_id, "mv", "type"))])
    return Markup(rows)


def after_callback(_: Translator, promise: Promise) -> Markup | None:
    """Offered after 'they called' marked a promise late: it may have come on time after all."""
    if promise.status == "late":
        return Markup(
            [[Button(_("button.came_on_time"), callback_data=data("p", promise.id, "ot"))]]
        )
    return None


# ---------------------------------------------------------------- draft questions
def ask_company(_: Translator, draft_id: int, recent: Sequence[Company]) -> Markup:
    buttons = [
        Button(short(c.name), callback_data=data("d", draft_id, "co", c.id)) for c in recent
    ]
    rows = _rows(buttons, 2)
    rows.append([Button(_("button.cancel"), callback_data=data("d", draft_id, "x"))])
    return Markup(rows)


def confirm_company(
    _: Translator, draft_id: int, suggestions: Sequence[Company], typed: str
) -> Markup:
    rows = [
        [Button(short(c.name), callback_data=data("d", draft_id, "co", c.id))] for c in suggestions
    ]
    rows.append(
        [
            Button(
                _("button.new_company", name=short(typed, 24)),
                callback_data=data("d", draft_id, "cn"),
            )
        ]
    )
    rows.append([Button(_("button.cancel"), callback_data=data("d", draft_id, "x"))])
    return Markup(rows)


def ask_outcome(_: Translator, draft_id: int) -> Markup:
    rows = outcome_buttons(_, ("d", draft_id, "oc"))
    rows.append([Button(_("button.cancel"), callback_data=data("d", draft_id, "x"))])
    return Markup(rows)


def ask_promise(_: Translator, draft_id: int, today: bool) -> Markup:
    rows = [[Button(_("button.no_promise"), callback_data=data("d", draft_id, "pr", "no"))]]
    rows += deadline_choices(_, ("d", draft_id, "pr"), today)
    rows.append([Button(_("button.other_time"), callback_data=data("d", draft_id, "pr", "type"))])
    return Markup(rows)


def ask_deadline(_: Translator, draft_id: int, today: bool) -> Markup:
    rows = deadline_choices(_, ("d", draft_id, "dl"), today)
    rows.append([Button(_("button.cancel"), callback_data=data("d", draft_id, "x"))])
    return Markup(rows)


def edit_deadline(_: Translator, promise_id: int, today: bool) -> Markup:
    rows = deadline_choices(_, ("p", promise_id, "dl"), today)
    rows.append([Button(_("button.back"), callback_data=data("p", promise_id, "k"))])
    return Markup(rows)


# ---------------------------------------------------------------- settings
def settings_menu(_: Translator) -> Markup:
    return Markup(
        [
            [Button(_("button.set_timezone"), callback_data=data("s", "tz"))],
            [Button(_("button.set_language"), callback_data=data("s", "lang"))],
            [
                Button(_("button.set_quiet"), callback_data=data("s", "quiet")),
                Button(_("button.set_repeat"), callback_data=data("s", "repeat")),
            ],
            [Button(_("button.set_phone"), callback_data=data("s", "phone"))],
        ]
    )


#: Offered quiet hours (local start, end); equal start and end means off.
QUIET_CHOICES: tuple[tuple[str, str], ...] = (
    ("22:00", "08:00"),
    ("23:00", "07:00"),
    ("21:00", "09:00"),
    ("00:00", "08:00"),
)
#: Offered follow-up delays in hours; 0 means no follow-up.
REPEAT_CHOICES: tuple[int, ...] = (6, 12, 24, 48, 0)


def quiet_hours(_: Translator) -> Markup:
    buttons = [
        Button(
            f"{start}–{end}",
            callback_data=data("s", "quiet", start.replace(":", ""), end.replace(":", "")),
        )
        for start, end in QUIET_CHOICES
    ]
    rows = _rows(buttons, 2)
    rows.append([Button(_("button.off"), callback_data=data("s", "quiet", "off"))])
    return Markup(rows)


def repeat_choices(_: Translator) -> Markup:
    buttons = [
        Button(
            _("settings.repeat_hours", count=hours) if hours else _("button.never"),
            callback_data=data("s", "repeat", hours),
        )
        for hours in REPEAT_CHOICES
    ]
    return Markup(_rows(buttons, 2))


def timezones(zones: Sequence[tuple[str, str]]) -> Markup:
    """Buttons of common zones: (label, zone name)."""
    buttons = [Button(label, callback_data=data("s", "tz", zone)) for label, zone in zones]
    return Markup(_rows(buttons, 2))


def languages(_: Translator) -> Markup:
    buttons = [
        Button(_(f"language.{code}"), callback_data=data("s", "lang", code)) for code in LANGUAGES
    ]
    buttons.append(Button(_("language.auto"), callback_data=data("s", "lang", "auto")))
    return Markup(_rows(buttons, 2))
