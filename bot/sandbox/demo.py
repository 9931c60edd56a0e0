"""A realistic history for the sandbox, written through the bot's own Storage API.

The stories come from real blog posts about bad service (Riga, 2015): five online shops called
three times each in two hours with only the last one answering on the third try; a builder's
manager who promised to call back "as soon as I get to the office" and stayed silent for 15
days; an internet provider that moved its repair date again and again over eight days; a sports
club whose administrator hung up without a word; a mobile operator's robot queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage import Actor, NewPromise, Storage

DEMO_TIMEZONE = "Europe/Riga"
#: A company only the demo creates: its presence means the demo is already loaded.
MARKER_COMPANY = "Baltic Net"

SHOPS = (
    ("InkPoint", "+37120011001"),
    ("TonerHaus", "+37120011002"),
    ("PrintLab", "+37120011003"),
    ("Cartridge Centre", "+37120011004"),
    ("OfficeInk", "+37120011005"),
)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    chat_id: int
    loaded: bool  # False: the chat already had the demo history
    calls: int = 0
    promises: int = 0


class _Writer:
    """Writes one chat's history, counting what it wrote."""

    def __init__(self, storage: Storage, chat_id: int, now: datetime, zone: ZoneInfo) -> None:
        self.storage = storage
        self.chat_id = chat_id
        self.now = now
        self.zone = zone
        self.calls = 0
        self.promises = 0

    def local(self, days_ago: int, hh: int, mm: int) -> datetime:
        """A wall-clock time ``days_ago`` days before today in the chat's zone, as UTC."""
        day = self.now.astimezone(self.zone).date() - timedelta(days=days_ago)
        moment = datetime.combine(day, time(hh, mm), tzinfo=self.zone)
        return min(moment, self.now - timedelta(minutes=5)).astimezone(ZoneInfo("UTC"))

    async def call(
        self,
        at: datetime,
        actor: Actor,
        company: str,
        outcome: str,
        *,
        phone: str | None = None,
        note: str | None = None,
        promised_by: str | None = None,
        due: datetime | None = None,
    ) -> int | None:
        """Record a call; return the id of the promise made in it, if any."""
        promise = None if due is None else NewPromise(promised_by=promised_by, due_at=due)
        recorded = await self.storage.record_call(
            self.chat_id,
            company=company,
            outcome=outcome,
            called_at=at,
            actor=actor,
            phone=phone,
            note=note,
            promise=promise,
        )
        self.calls += 1
        if recorded.promise is None:
            return None
        self.promises += 1
        return recorded.promise.id

    async def move(self, promise_id: int, at: datetime, due: datetime, actor: Actor) -> int:
        moved = await self.storage.move_deadline(
            self.chat_id, promise_id, due_at=due, now=at, actor=actor
        )
        self.promises += 1
        return moved.id

    async def resolve(self, promise_id: int, status: str, at: datetime) -> None:
        await self.storage.resolve_promise(self.chat_id, promise_id, status=status, now=at)


async def load_demo(
    storage: Storage,
    *,
    chat_id: int,
    kind: str,
    title: str | None,
    actors: Sequence[Actor],
    now: datetime,
) -> DemoSummary:
    """Write the demo history into one chat (once); ``actors`` take turns logging the stories.

    Everything lies in the past except the provider's latest repair date, a few hours ahead:
    skipping the sandbox clock ahead shows its reminder.
    """
    if not actors:
        raise ValueError("the demo needs at least one actor")
    settings = await storage.ensure_chat(chat_id, kind, title, now)
    if (await storage.match_company(chat_id, MARKER_COMPANY)).exact is not None:
        return DemoSummary(chat_id, loaded=False)
    if settings.timezone is None:
        settings = await storage.update_chat_settings(chat_id, timezone=DEMO_TIMEZONE)
    zone = ZoneInfo(settings.timezone or DEMO_TIMEZONE)
    w = _Writer(storage, chat_id, now, zone)
    shopper, builder_client, provider_client = (actors[i % len(actors)] for i in range(3))

    # The internet provider: eight days offline, the repair date moved three times.
    await w.call(w.local(8, 9, 10), provider_client, MARKER_COMPANY, "ivr",
                 phone="+37167000100", note="robot queue, 25 min")  # fmt: skip
    promise = await w.call(
        w.local(8, 9, 45), provider_client, MARKER_COMPANY, "answered",
        phone="+37167000100", note="no internet since Friday; ticket 48213",
        promised_by="support line", due=w.local(5, 9, 45),
    )  # fmt: skip
    assert promise is not None
    for days_ago, hh, outcome, new_due in (
        (5, 10, "answered", w.local(3, 18, 0)),
        (3, 12, "answered", w.local(1, 18, 0)),
        (1, 11, "answered", now + timedelta(hours=3)),
    ):
        at = w.local(days_ago, hh, 0)
        if days_ago == 3:
            await w.call(at - timedelta(minutes=20), provider_client, MARKER_COMPANY, "busy")
        await w.call(at, provider_client, MARKER_COMPANY, outcome,
                     note="repair date moved again")  # fmt: skip
        promise = await w.move(promise, at + timedelta(minutes=1), new_due, provider_client)

    # Five cartridge shops, three rounds each within two hours; only the last one answered,
    # on the third try, and kept its promise to confirm the delivery time.
    misses = ("no_answer", "busy", "no_answer", "voicemail", "no_answer")
    for round_no in range(3):
        for index, (shop, phone) in enumerate(SHOPS):
            at = w.local(3, 10, 5) + timedelta(minutes=40 * round_no + 6 * index)
            last = index == len(SHOPS) - 1
            if last and round_no == 2:
                kept = await w.call(
                    at, shopper, shop, "answered", phone=phone,
                    note="HP 305XL, 95 €", promised_by="Laura",
                    due=at + timedelta(hours=1),
                )  # fmt: skip
                assert kept is not None
                await w.resolve(kept, "kept", at + timedelta(minutes=35))
            else:
                outcome = misses[(index + round_no) % len(misses)]
                await w.call(at, shopper, shop, outcome, phone=phone)

    # The builder: the number on the site could not help; the manager promised to call back
    # from the office and never did. After a week without an answer it counts as broken.
    site = w.local(15, 11, 20)
    await w.call(site, builder_client, "Dream Homes", "transferred", phone="+37126000300",
                 note="told to call the sales manager")  # fmt: skip
    silent = await w.call(
        site + timedelta(minutes=12), builder_client, "Dream Homes", "answered",
        phone="+37126000301", note="plot, address and utilities given",
        promised_by="Mārtiņš (sales manager)", due=w.local(15, 18, 0),
    )  # fmt: skip
    assert silent is not None
    await w.resolve(silent, "broken", w.local(8, 18, 0))

    # A sports club whose administrator hung up; a mobile operator that called back late.
    await w.call(w.local(2, 15, 30), shopper, "FitRiga club", "hung_up",
                 note="picked up and hung up without a word")  # fmt: skip
    await w.call(w.local(1, 9, 0), provider_client, "MobiTel", "ivr",
                 note="robot, then 20 min queue")  # fmt: skip
    late = await w.call(
        w.local(1, 9, 25), provider_client, "MobiTel", "answered",
        note="wrong tariff on the invoice", promised_by="Oksana", due=w.local(1, 17, 0),
    )  # fmt: skip
    assert late is not None
    await w.resolve(late, "late", w.local(1, 19, 40))
    return DemoSummary(chat_id, loaded=True, calls=w.calls, promises=w.promises)
