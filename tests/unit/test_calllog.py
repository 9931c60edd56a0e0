"""The free-text call-log parser: one message after a call → company, phone, outcome, promise."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parsing import calllog
from bot.parsing.calllog import Outcome, ParsedCallLog, PromiseText, parse_call_log

A = Outcome.ANSWERED
NA = Outcome.NO_ANSWER


def _log(
    company: str | None = None,
    outcome: Outcome | None = None,
    *,
    phone: str | None = None,
    note: str | None = None,
    promise: tuple[str | None, str | None] | None = None,
) -> ParsedCallLog:
    return ParsedCallLog(
        company=company,
        phone=phone,
        outcome=outcome,
        note=note,
        promise=PromiseText(*promise) if promise else None,
    )


# ---------------------------------------------------------------------------------------------
# The examples the brief requires, compared field by field.

BRIEF_EXAMPLES = [
    ("Acme +371 2000 0000 no answer", _log("Acme", NA, phone="+371 2000 0000")),
    ("called Acme, busy", _log("Acme", Outcome.BUSY)),
    ("Acme hung up on me", _log("Acme", Outcome.HUNG_UP)),
    ("Acme: robot queue 20 min", _log("Acme", Outcome.IVR, note="20 min")),
    ("Acme transferred me to sales", _log("Acme", Outcome.TRANSFERRED, note="to sales")),
    (
        "Acme answered, Peter promised to call back tomorrow 3pm",
        _log("Acme", A, promise=("Peter", "tomorrow 3pm")),
    ),
    ("Ромашка не берут трубку", _log("Ромашка", NA)),
    (
        "Ромашка — обещали перезвонить завтра в 15:00",
        _log("Ромашка", A, promise=(None, "завтра в 15:00")),
    ),
    (
        "Позвонил в Теле2, менеджер Анна перезвонит через 2 часа",
        _log("Теле2", A, promise=("Анна", "через 2 часа")),
    ),
    ("Виваком не вдигат", _log("Виваком", NA)),
    ("Виваком обещаха да се обадят утре в 10", _log("Виваком", A, promise=(None, "утре в 10"))),
    (
        "Ромашка: менеджер обещал перезвонить завтра до 15:00",
        _log("Ромашка", A, promise=("менеджер", "завтра до 15:00")),
    ),
    (
        "Acme voicemail, said they'd call back tomorrow",
        _log("Acme", Outcome.VOICEMAIL, promise=(None, "tomorrow")),
    ),
]


@pytest.mark.parametrize(("text", "expected"), BRIEF_EXAMPLES, ids=[t for t, _ in BRIEF_EXAMPLES])
def test_brief_examples(text: str, expected: ParsedCallLog) -> None:
    assert parse_call_log(text) == expected


# ---------------------------------------------------------------------------------------------
# Outcomes: vocabulary in three languages, inflections, slang, negation.

OUTCOMES = [
    # no answer
    ("Acme no answer", NA),
    ("Acme didn't pick up", NA),
    ("Acme did not answer", NA),
    ("Acme didn’t answer", NA),  # curly apostrophe
    ("Acme nobody answered", NA),
    ("Acme - no one answered, tried 3 times", NA),
    ("Acme rang out", NA),
    ("I called Acme and nobody picked up", NA),
    ("Ромашка не ответили", NA),
    ("Ромашка не ответила", NA),
    ("Ромашка никто не ответил", NA),
    ("Ромашка трубку не берут", NA),
    ("Ромашка не берёт трубку", NA),
    ("Ромашка не дозвонилась", NA),
    ("Не дозвонился до Ромашки", NA),
    ("Ромашка не смог дозвониться", NA),
    ("Ромашка нет ответа", NA),
    ("Ромашка длинные гудки", NA),
    ("Ромашка абонент недоступен", NA),
    ("Виваком не отговарят", NA),
    ("Теленор никой не вдига", NA),
    ("Виваком звъни свободно", NA),
    ("Виваком няма отговор", NA),
    ("Виваком не ми вдигат", NA),
    ("Ромашка гудки идут", NA),
    ("Ромашка абонент не абонент", NA),
    # busy
    ("Acme busy", Outcome.BUSY),
    ("Acme: line busy", Outcome.BUSY),
    ("Acme engaged", Outcome.BUSY),
    ("Ромашка занято", Outcome.BUSY),
    ("Ромашка короткие гудки", Outcome.BUSY),
    ("Теленор заето", Outcome.BUSY),
    ("Виваком дава заето", Outcome.BUSY),
    # hung up
    ("Acme hung up", Outcome.HUNG_UP),
    ("Acme answered but they hung up on me", Outcome.HUNG_UP),
    ("Acme dropped the call", Outcome.HUNG_UP),
    ("Ромашка бросили трубку", Outcome.HUNG_UP),
    ("Ромашка трубку бросила", Outcome.HUNG_UP),
    ("Ромашка сбросили", Outcome.HUNG_UP),
    ("Ромашка скинули", Outcome.HUNG_UP),
    ("Спортклуб: администратор сняла трубку и молча положила", Outcome.HUNG_UP),
    ("Мтел положиха", Outcome.HUNG_UP),
    ("Yettel затвориха ми", Outcome.HUNG_UP),
    ("Мтел затвориха ми телефона", Outcome.HUNG_UP),
    # IVR, queue, hold
    ("Acme robot", Outcome.IVR),
    ("Acme IVR", Outcome.IVR),
    ("Acme on hold 30 min", Outcome.IVR),
    ("Acme stuck in the queue", Outcome.IVR),
    ("Ромашка робот", Outcome.IVR),
    ("Ромашка очередь 20 минут", Outcome.IVR),
    ("Ромашка висел на линии полчаса", Outcome.IVR),
    ("Tele2: отвечает робот и ставит в длинную очередь", Outcome.IVR),
    ("Ромашка автоответчик-очередь", Outcome.IVR),
    ("Виваком останете на линия", Outcome.IVR),
    ("Виваком изчакване 10 минути", Outcome.IVR),
    ("Мтел отговори робот", Outcome.IVR),
    ("Виваком - главното меню, робот, чаках 20 минути", Outcome.IVR),
    # transferred
    ("Acme transferred me", Outcome.TRANSFERRED),
    ("Acme put me through to billing", Outcome.TRANSFERRED),
    ("Ромашка перевели на отдел продаж", Outcome.TRANSFERRED),
    ("Ромашка переключили на бухгалтерию", Outcome.TRANSFERRED),
    ("Виваком прехвърлиха ме към търговския отдел", Outcome.TRANSFERRED),
    ("Виваком свързаха ме с техник", Outcome.TRANSFERRED),
    # voicemail
    ("Acme voicemail", Outcome.VOICEMAIL),
    ("Acme went to voicemail, left a message", Outcome.VOICEMAIL),
    ("Acme answering machine", Outcome.VOICEMAIL),
    ("Acme - straight to VM", Outcome.VOICEMAIL),
    ("Ромашка автоответчик", Outcome.VOICEMAIL),
    ("Ромашка голосовая почта", Outcome.VOICEMAIL),
    ("Ромашка попал на голосовую почту", Outcome.VOICEMAIL),
    ("Виваком гласова поща", Outcome.VOICEMAIL),
    # answered
    ("Acme answered", A),
    ("Acme got through", A),
    ("Acme: spoke to Maria", A),
    ("Ромашка ответили", A),
    ("Ромашка дозвонился", A),
    ("Ромашка поговорил с бухгалтером", A),
    ("Ромашка взяли трубку", A),
    ("Виваком вдигнаха", A),
    ("Мтел говорих с Иван", A),
    # several outcomes: the last end of the call wins, queues and transfers are steps
    ("Acme put me on hold for 40 minutes then hung up", Outcome.HUNG_UP),
    ("Acme got through after 20 min on hold", A),
    ("busy twice, then got through", A),
    ("Acme: robot, then transferred me to sales", Outcome.TRANSFERRED),
    ("Acme transferred me to sales, nobody answered there", NA),
    ("Yettel: изчаках 30 мин и затвориха", Outcome.HUNG_UP),
    # nothing said
    ("Acme", None),
    ("Acme 20 min", None),
    ("Ромашка так и не перезвонила", None),
]


@pytest.mark.parametrize(("text", "outcome"), OUTCOMES, ids=[t for t, _ in OUTCOMES])
def test_outcome(text: str, outcome: Outcome | None) -> None:
    assert parse_call_log(text).outcome is outcome


@pytest.mark.parametrize(
    "text",
    ["не ответили", "не вдигнаха", "didn't answer", "не берут", "unanswered", "no one picked up"],
)
def test_negation_is_never_read_as_answered(text: str) -> None:
    assert parse_call_log(f"Acme {text}").outcome is NA


def test_case_and_yo_do_not_matter() -> None:
    assert parse_call_log("ACME NO ANSWER").outcome is NA
    assert parse_call_log("Ромашка НЕ БЕРЁТ ТРУБКУ").outcome is NA
    assert parse_call_log("Ромашка Перевёл на оператора").outcome is Outcome.TRANSFERRED


# ---------------------------------------------------------------------------------------------
# Promises: who promised and the deadline phrase, handed over as text.

PROMISES = [
    ("Acme, Peter Smith said he'll call me back by Friday", "Acme", A, ("Peter Smith", "by Friday")),
    ("Acme answered, the manager promised to call back, tomorrow 3pm", "Acme", A,
     ("the manager", "tomorrow 3pm")),
    ("Acme rep said they'll call back", "Acme", A, ("rep", None)),
    ("Acme call me back tomorrow", "Acme", A, (None, "tomorrow")),
    ("Acme will get back to me next week", "Acme", A, (None, "next week")),
    ("Acme support said someone will call me back within 24 hours", "Acme support", A,
     (None, "within 24 hours")),
    ("Acme: got through to billing, they promised a callback tomorrow morning", "Acme", A,
     (None, "tomorrow morning")),
    # the deadline text may carry trailing words: extract_deadline() splits them off
    ("Acme: spoke to Maria, she'll call back Thursday about the refund", "Acme", A,
     ("Maria", "Thursday about the refund")),
    ("Peter promised to call back about the refund", "Peter", A, (None, None)),
    ("Ромашка обещали завтра перезвонить", "Ромашка", A, (None, "завтра")),
    ("Ромашка завтра в 15:00 перезвонят", "Ромашка", A, (None, "завтра в 15:00")),
    ("Ромашка: оператор Светлана обещала перезвонить завтра до обеда", "Ромашка", A,
     ("Светлана", "завтра до обеда")),
    ("Ромашка — Анна Петровна перезвонит после 14:00", "Ромашка", A,
     ("Анна Петровна", "после 14:00")),
    ("Ромашка дозвонился, поговорил с Иваном, перезвонит в пятницу", "Ромашка", A,
     (None, "в пятницу")),
    ("Дозвонился до Ромашки, обещали перезвонить после обеда", "Ромашки", A,
     (None, "после обеда")),
    ("Ромашка, ждать звонка до пятницы", "Ромашка", A, (None, "до пятницы")),
    ("Ромашка 8 800 555-35-35 перевели на оператора, обещали перезвонить через час", "Ромашка",
     Outcome.TRANSFERRED, (None, "через час")),
    ("Позвонил в банк, переключили на отдел кредитов, сказали ждать звонка в течение дня",
     "банк", Outcome.TRANSFERRED, (None, "в течение дня")),
    ("Менеджер сказал, что свяжется, как только доберется до офиса", None, A,
     ("Менеджер", None)),
    ("Сегодня перезвонят", None, A, (None, "Сегодня")),
    ("Звъннах на Yettel, обещаха утре да се обадят", "Yettel", A, (None, "утре")),
    ("Обадих се на А1, казаха че ще ми звъннат до края на деня", "А1", A,
     (None, "до края на деня")),
    ("Yettel казаха че ще върнат обаждане утре сутрин", "Yettel", A, (None, "утре сутрин")),
    ("Виваком обещаха да се обадят до края на деня", "Виваком", A, (None, "до края на деня")),
    ("Обадих се на Мтел, говорих с Иван, каза че ще се обади утре в 10", "Мтел", A,
     ("Иван", "утре в 10")),
    ("Виваком свързаха ме с техник, ще ми звъннат в петък", "Виваком", Outcome.TRANSFERRED,
     (None, "в петък")),
    ("Acme busy, will call back in an hour", "Acme", Outcome.BUSY, (None, "in an hour")),
    ("Acme they said they'll ring me tomorrow", "Acme", A, (None, "tomorrow")),
    ("Acme promised callback tomorrow", "Acme", A, (None, "tomorrow")),
    ("Acme answered but couldn't help, will call back in a couple of days", "Acme", A,
     (None, "in a couple of days")),
    ("Ромашка: сказали, перезвонят в течение часа", "Ромашка", A, (None, "в течение часа")),
    ("Ромашка обещали связаться в течение 3 рабочих дней", "Ромашка", A,
     (None, "в течение 3 рабочих дней")),
    ("Ромашка перезвонят через пару часов", "Ромашка", A, (None, "через пару часов")),
    ("Ромашка — перезвонят, но не сказали когда", "Ромашка", A, (None, None)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "company", "outcome", "promise"), PROMISES, ids=[row[0] for row in PROMISES]
)
def test_promise(
    text: str, company: str | None, outcome: Outcome, promise: tuple[str | None, str | None]
) -> None:
    parsed = parse_call_log(text)
    assert parsed.company == company
    assert parsed.outcome is outcome
    assert parsed.promise == PromiseText(*promise)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Acme still hasn't called back", None),
        ("Acme never called me back", None),
        ("Ромашка так и не перезвонила", None),
        ("Виваком все още не се обадиха", None),
        # the user's own plan is no promise
        ("Acme didn't answer, will try again tomorrow", NA),
        ("I'll call Acme back tomorrow", None),
        ("Ромашка не берут, перезвоню завтра", NA),
        ("Виваком не вдигат, ще им се обадя утре", NA),
        # told to call again: somebody answered, but nobody owes us a call
        ("Acme picked up, asked me to call back after 5pm", A),
        ("Ромашка сказали перезвонить завтра", A),
        ("Виваком казаха да се обадя утре", A),
    ],
)
def test_not_a_promise(text: str, outcome: Outcome | None) -> None:
    parsed = parse_call_log(text)
    assert parsed.promise is None
    assert parsed.outcome is outcome
    assert parsed.note  # what was said stays visible


def test_promise_without_time_keeps_the_rest_as_note() -> None:
    parsed = parse_call_log("Стройкомпания: менеджер обещал перезвонить, как доберётся до офиса")
    assert parsed.promise == PromiseText("менеджер", None)
    assert parsed.note == "как доберётся до офиса"


def test_reported_speech_finds_the_speaker_before_the_comma() -> None:
    parsed = parse_call_log("Стройфирма: менеджер сказал, что уточнит в офисе и перезвонит")
    assert parsed.promise == PromiseText("менеджер", None)
    assert parsed.note == "уточнит в офисе"


# ---------------------------------------------------------------------------------------------
# Company names.

COMPANIES = [
    ("Tele2 Latvia no answer", "Tele2 Latvia"),
    ("Мобилни Телекомуникации не вдигат", "Мобилни Телекомуникации"),
    ("ООО «Ромашка» не берут трубку", "ООО Ромашка"),
    ("ООО «Рога и копыта» — занято", "ООО Рога и копыта"),
    ('ООО "Ромашка" сбросили', "ООО Ромашка"),
    ('"Acme Ltd": robot', "Acme Ltd"),
    ("«Busy Bee» no answer", "Busy Bee"),  # quotes protect a name made of outcome words
    ("Acme Ltd busy", "Acme Ltd"),
    ("AT&T no answer", "AT&T"),
    ("Tom & Jerry's <Pizza> busy", "Tom & Jerry's"),
    ("Картриджи.lv не отвечают", "Картриджи.lv"),
    ("Интернет-магазин картриджей не берут трубку, третий раз", "Интернет-магазин картриджей"),
    ("Звонила в магазин картриджей, никто не ответил", "магазин картриджей"),
    ("позвонила в Ромашку, никто не ответил", "Ромашку"),
    ("звънях на Виваком, не отговарят", "Виваком"),
    ("звъннах на Виваком - заето", "Виваком"),
    ("обадих се на А1: не вдигат", "А1"),
    ("I called Acme and nobody picked up", "Acme"),
    ("tried Acme again, busy", "Acme"),
    ("+7 (495) 123-45-67 Ромашка не отвечает", "Ромашка"),
    ("📞 Acme — busy!!!", "Acme"),
    ("🍕 Pizza Hut 🍕 hung up 😤", "Pizza Hut"),
    ("Today Acme no answer", "Acme"),
    ("1C не берут трубку", "1C"),
    ("не берут трубку в Ромашке", "Ромашке"),
    ("no answer from Acme Ltd", "Acme Ltd"),
    ("Acme 15:00 busy", "Acme"),
    ("Acme 1 000 000 руб no answer", "Acme"),
    ("Acme called back", "Acme"),
    ("Ромашка завтра перезвонят", "Ромашка"),
    # no plausible company
    ("no answer", None),
    ("+371 2000 0000", None),
    ("+371 2000 0000 no answer", None),
    ("3 раза не берут трубку", None),
    ("они не берут трубку", None),
    ("через 2 часа", None),
    ("😡😡", None),
]


@pytest.mark.parametrize(("text", "company"), COMPANIES, ids=[t for t, _ in COMPANIES])
def test_company(text: str, company: str | None) -> None:
    assert parse_call_log(text).company == company


def test_long_sentence_is_not_a_company() -> None:
    text = "Called the big blue shop near my old office downtown, busy"
    assert parse_call_log(text).company is None


# ---------------------------------------------------------------------------------------------
# Phones: found as typed; times, durations, dates, amounts and references are not phones.

PHONES = [
    ("Acme +371 2000 0000 busy", "+371 2000 0000"),
    ("Acme +7 (495) 123-45-67 занято", "+7 (495) 123-45-67"),
    ("Ромашка 8 800 555-35-35 не берут", "8 800 555-35-35"),
    ("Виваком 0888 123 456 не вдигат", "0888 123 456"),
    ("Виваком +359888123456 заето", "+359888123456"),
    ("Acme (495) 123-45-67 busy", "(495) 123-45-67"),
    ("Acme 123-45-67 busy", "123-45-67"),
    ("Acme +44 20 7946 0958 busy", "+44 20 7946 0958"),
    ("Acme tel:+371 2000 0000 busy", "+371 2000 0000"),
    ("Acme (+371 2000 0000) busy", "+371 2000 0000"),
    ("Acme +371 2000 0000 2 times", "+371 2000 0000"),
    ("Acme 0888 123 456 20 min", "0888 123 456"),
    ("Acme +371 2000 0000, +371 2111 1111 busy", "+371 2000 0000"),  # the first one
]


@pytest.mark.parametrize(("text", "phone"), PHONES, ids=[t for t, _ in PHONES])
def test_phone(text: str, phone: str) -> None:
    parsed = parse_call_log(text)
    assert parsed.phone == phone
    assert parsed.company == "Acme" or parsed.company in ("Ромашка", "Виваком")


@pytest.mark.parametrize(
    "text",
    [
        "Acme 15:00 busy",
        "Acme 20 min queue",
        "Ромашка перезвонят через 2 часа",
        "Ромашка 15.03 не берут",
        "Ромашка 15.03.2024 не берут",
        "Acme 2024-03-15 no answer",
        "Acme 10-12 busy",
        "Acme 3.1415926 no answer",
        "Acme 1 000 000 руб no answer",
        "Acme 80 - 120 € busy",
        "Acme order 1234567 no answer",
        "Ромашка заказ № 12345678 не берут",
        "Acme 12345 busy",
        "Acme 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 busy",  # 17 digits: too long for a phone
    ],
)
def test_not_a_phone(text: str) -> None:
    assert parse_call_log(text).phone is None


# ---------------------------------------------------------------------------------------------
# Notes: what is left once every field has taken its words.

NOTES = [
    ("Acme busy, third time today", "third time today"),
    ("Ромашка не берут трубку уже третий день", "уже третий день"),
    ("Ромашка перевели на отдел продаж", "на отдел продаж"),
    ("Acme got through after 20 min on hold", "after 20 min"),
    ("Acme put me on hold for 40 minutes then hung up", "for 40 minutes"),
    ("Acme answered, Peter said he would call back in 2 hours, about refund", "about refund"),
    ("Acme: answered. Said they will call back tomorrow at 10am; need invoice number",
     "need invoice number"),
    ("Провайдер: ремонт опять перенесли, обещали позвонить в понедельник",
     "ремонт опять перенесли"),
    ("Ромашка 15.03 в 10:00 не дозвонилась", "15.03 в 10:00"),
    ("Acme order 1234567 no answer", "order 1234567"),
    ("Acme <script>alert(1)</script> no answer", "<script>alert, 1, </script>"),
    ("Acme & Sons: no answer <sigh> & more", "<sigh> & more"),
    ("Acme answered but they hung up on me", None),
    ("Acme no answer 😡", None),
    ("Acme — busy!!!", None),
]  # fmt: skip


@pytest.mark.parametrize(("text", "note"), NOTES, ids=[t for t, _ in NOTES])
def test_note(text: str, note: str | None) -> None:
    assert parse_call_log(text).note == note


# ---------------------------------------------------------------------------------------------
# Sentences from the seed stories (shops called three times, the builder's manager, the
# provider moving its repair date, the Tele2 robot queue, the Bulgarian call centre).

SEEDS = [
    (
        "Интернет-магазин картриджей: трубку подняли только с третьего раза",
        _log("Интернет-магазин картриджей", A, note="только с третьего раза"),
    ),
    (
        "Магазин картриджей — трубку никто не берёт, третий раз за день",
        _log("Магазин картриджей", NA, note="третий раз за день"),
    ),
    (
        "Спортклуб: администратор подняла трубку и положила трубку, не сказав ни слова",
        _log("Спортклуб", Outcome.HUNG_UP, note="администратор, не сказав ни слова"),
    ),
    (
        "Строительная компания: менеджер обещал связаться, как только доберется до офиса",
        _log(
            "Строительная компания",
            A,
            note="как только доберется до офиса",
            promise=("менеджер", None),
        ),
    ),
    (
        "Провайдер опять перенёс дату ремонта, обещали перезвонить в понедельник",
        _log(
            "Провайдер",
            A,
            note="опять перенёс дату ремонта",
            promise=(None, "в понедельник"),
        ),
    ),
    (
        "Tele2 — отвечает робот и ставит в длинную очередь",
        _log("Tele2", Outcome.IVR, note="ставит в длинную"),
    ),
    (
        "Виваком: ще ви прехвърля към търговския отдел, останете на линия",
        _log("Виваком", Outcome.TRANSFERRED, note="към търговския отдел"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), SEEDS, ids=[t for t, _ in SEEDS])
def test_seed_sentences(text: str, expected: ParsedCallLog) -> None:
    assert parse_call_log(text) == expected


# ---------------------------------------------------------------------------------------------
# Robustness: empty input, odd characters, long and hostile input.


@pytest.mark.parametrize("text", ["", " ", "\n\n", "\t", "😡", "<>&", "...", "—", "«»", '""'])
def test_empty_and_junk(text: str) -> None:
    assert parse_call_log(text) == ParsedCallLog(None, None, None, None, None)


def test_dotless_capital_i_keeps_positions_aligned() -> None:
    # "İ".lower() is two characters; the parser must still return the original text.
    assert parse_call_log("İstanbul Kebab no answer").company == "İstanbul Kebab"


def test_html_metacharacters_come_back_raw() -> None:
    parsed = parse_call_log("<b>AT&T</b> & co: busy, <i>again</i>")
    assert parsed.outcome is Outcome.BUSY
    assert parsed.note is not None and "<i>" in parsed.note  # escaping is the renderer's job


PATHOLOGICAL = {
    "realistic": (
        "Acme answered, Peter promised to call back tomorrow 3pm, робот очередь 20 мин, "
        "не берут трубку +371 2000 0000, обещаха утре да се обадят. "
    )
    * 40,
    "digit groups": "1 " * 2500,
    "digits": "1" * 5000,
    "dashes": "1-" * 2500,
    "parentheses": "(1" * 2500,
    "spaces": " " * 5000,
    "commas": "a," * 2500,
    "promise gaps": ("обещали " + "x " * 3) * 500,
    "negations": "не " * 2500,
    "quotes": "«" * 5000,
    "emoji": "😡" * 5000,
    "capitals": "Acme " * 1000,
    "times": "15:00 " * 833,
}


@pytest.mark.parametrize("text", PATHOLOGICAL.values(), ids=PATHOLOGICAL.keys())
def test_5000_characters_parse_in_under_5_ms(text: str) -> None:
    text = text[:5000]
    parse_call_log(text)
    best = min(_seconds(parse_call_log, text) for _ in range(7))
    assert best < 0.005, f"{best * 1000:.2f} ms"


def _seconds(func: object, text: str) -> float:
    assert callable(func)
    start = time.perf_counter()
    func(text)
    return time.perf_counter() - start


def test_cost_grows_linearly() -> None:
    # Catastrophic backtracking shows as a cost that explodes with length; linear code does not.
    unit = "Acme не берут трубку 8 800 555-35-35, обещали перезвонить завтра в 15:00 "
    short = min(_seconds(parse_call_log, unit * 10) for _ in range(5))
    long = min(_seconds(parse_call_log, unit * 80) for _ in range(5))
    assert long < short * 8 * 3


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_fails_and_fields_come_from_the_text(text: str) -> None:
    parsed = parse_call_log(text)
    if parsed.phone is not None:
        assert parsed.phone in text
    if parsed.promise is not None and parsed.promise.promised_by is not None:
        assert all(word in text for word in parsed.promise.promised_by.split())


_SOUP = """Acme Ромашка не берут трубку обещали перезвонить завтра в 15:00 +371 2000 0000 , — no
answer will call back « » 😡 ще се обадят утре Peter менеджер ( ) : I'll said that"""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SOUP.split()), max_size=30))
def test_never_fails_on_vocabulary_soup(words: list[str]) -> None:
    parse_call_log(" ".join(words))


def test_normalized_text_keeps_its_length() -> None:
    text = "İÖЁё’‘`´\u00a0\u2009\u202f ẞ ǅ ﬁ"
    assert len(calllog._normalize(text)) == len(text)


# ---------------------------------------------------------------------------------------------
# The phrase regex is built for speed (branches expanded and grouped by first letter); it must
# find exactly what the plain alternation of named kinds finds.

_REFERENCE = re.compile(
    r"(?<!\w)(?:"
    + "|".join(f"(?P<k{i}>{calllog._alt(*alts)})" for i, (_, alts) in enumerate(calllog._KINDS))
    + r")(?!\w)"
)


def _reference_hits(text: str) -> list[tuple[int, int, str]]:
    norm = calllog._normalize(text)
    hits = []
    for m in _REFERENCE.finditer(norm):
        kind = calllog._KINDS[int((m.lastgroup or "k0")[1:])][0]
        hits.append((m.start(), m.end(), kind))
    return hits


ALL_TEXTS = [
    *(t for t, _ in BRIEF_EXAMPLES),
    *(t for t, _ in OUTCOMES),
    *(row[0] for row in PROMISES),
    *(t for t, _ in COMPANIES),
    *(t for t, _ in NOTES),
    *(t for t, _ in SEEDS),
]


@pytest.mark.parametrize("text", ALL_TEXTS)
def test_fast_phrase_regex_matches_the_plain_one(text: str) -> None:
    fast = [(h.start, h.end, h.kind) for h in calllog._find_phrases(calllog._normalize(text))]
    assert fast == _reference_hits(text)


def test_every_phrase_branch_starts_with_a_letter() -> None:
    for _, alts in calllog._KINDS:
        for alt in alts:
            for branch in calllog._expand_leading_group(alt):
                assert branch[0].isalpha(), branch


# ---------------------------------------------------------------------------------------------
# The hand-over: every deadline phrase we cut out starts with a date the deadline parser reads.

_DEADLINE_TEXTS = sorted(
    {
        parsed.promise.deadline_text
        for parsed in map(parse_call_log, ALL_TEXTS)
        if parsed.promise is not None and parsed.promise.deadline_text is not None
    }
)


@pytest.mark.parametrize("deadline_text", _DEADLINE_TEXTS)
def test_deadline_text_is_understood_by_the_deadline_parser(deadline_text: str) -> None:
    from bot.parsing.deadlines import extract_deadline

    now = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    deadline, _rest = extract_deadline(deadline_text, now=now, tz="Europe/Riga")
    assert deadline is not None
