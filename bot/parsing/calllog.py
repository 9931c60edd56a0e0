"""Parse the one free-text message a user types after a call (en / ru / bg).

"Acme answered, Peter promised to call back tomorrow 3pm" →
company "Acme", outcome ANSWERED, promise by "Peter" with deadline text "tomorrow 3pm".

The parser is pure and never parses dates: it cuts out the deadline phrase and leaves it to
``bot.parsing.deadlines``. It works on a lower-cased copy of the text of the *same length*, so
every regex position maps straight back to the original (whose case is what we return).

Every regex here is linear: alternations of literal phrases tried only at word starts, digit
groups whose separators are disjoint from digits, and bounded ``{0,4}`` gaps; no nested
unbounded repeats. A 5000-character message parses in about 1-2 ms.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

__all__ = ["Outcome", "ParsedCallLog", "PromiseText", "parse_call_log"]


class Outcome(StrEnum):
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    HUNG_UP = "hung_up"
    IVR = "ivr"
    TRANSFERRED = "transferred"
    VOICEMAIL = "voicemail"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class PromiseText:
    promised_by: str | None
    deadline_text: str | None


@dataclass(frozen=True, slots=True)
class ParsedCallLog:
    company: str | None
    phone: str | None
    outcome: Outcome | None
    note: str | None
    promise: PromiseText | None


# --------------------------------------------------------------------------------------------
# Normalisation: lower-case, ё→е, curly apostrophes → ', exotic spaces → ' '. Length-preserving:
# U+0130 (İ) is the only code point whose lower() is two characters, so it is mapped first.
# (str.replace is used because str.translate with a table is slow on non-ASCII text.)
_NORMALIZE_PAIRS = (
    ("ё", "е"),
    ("’", "'"),
    ("‘", "'"),
    ("ʼ", "'"),
    ("`", "'"),
    ("´", "'"),
    ("\u00a0", " "),
    ("\u2009", " "),
    ("\u202f", " "),
    ("\u2007", " "),
)


def _normalize(text: str) -> str:
    norm = text.replace("\u0130", "I").lower()
    for old, new in _NORMALIZE_PAIRS:
        if old in norm:
            norm = norm.replace(old, new)
    return norm


def _alt(*parts: str) -> str:
    return "(?:" + "|".join(parts) + ")"


# --------------------------------------------------------------------------------------------
# Outcome and promise vocabulary. Order inside _PHRASE_RE matters: at one position the first
# alternative that matches wins, so negations come before the verbs they negate, "answered by a
# robot" before "answered", "автоответчик-очередь" before "автоответчик", and "I'll call" (the
# user's own plan) before "'ll call" (a promise).

_NEG_SUBJECT = r"(?:(?:никто|никой|nobody|no[\s-]?one|noone)\s+)?"
_NEG = _alt(
    r"не",
    r"not",
    r"never",
    r"still\s+not",
    r"didn'?t",
    r"did\s+not",
    r"don'?t",
    r"doesn'?t",
    r"do\s+not",
    r"does\s+not",
    r"won'?t",
    r"wouldn'?t",
    r"couldn'?t",
    r"could\s+not",
    r"can'?t",
    r"cannot",
    r"isn'?t",
    r"aren'?t",
    r"wasn'?t",
    r"weren'?t",
)
_ANSWER_VERB = _alt(
    r"answer\w*",
    r"pick(?:ed|ing|s)?\s+up",
    r"pickup",
    r"respond\w*",
    r"repl(?:y|ied|ies|ying)",
    r"get(?:ting)?\s+through",
    r"reach\w*(?:\s+(?:them|anyone|anybody|him|her))?",
    r"берут",
    r"берет",
    r"брал\w*",
    r"взял\w*",
    r"ответ\w*",
    r"отвеча\w*",
    r"подн[ия]\w*",
    r"сн[яи]\w*",
    r"дозвон\w*",
    r"вдиг\w*",
    r"отговар\w*",
    r"отговор\w*",
)
_PHONE_OBJECT = r"(?:\s+(?:трубку|трубки|телефон|телефона|слушалката|the\s+phone|phone))?"

_NO_ANSWER: tuple[str, ...] = (
    _NEG_SUBJECT + _NEG + r"\s+(?:(?:ми|ни|мне|нам|me|us)\s+)?" + _ANSWER_VERB + _PHONE_OBJECT,
    r"(?:nobody|no[\s-]?one|noone)\s+(?:answer\w*|pick\w*\s+up|respond\w*|repl\w*|home)",
    r"трубк[уи]\s+(?:никто\s+)?не\s+(?:берут|берет|брал\w*|взял\w*|подн\w*|сн[яи]\w*)",
    r"не\s+(?:смог\w*|удалось|удается|получилось|получается|можах\w*|мога|успях\w*|успява\w*)"
    r"\s+(?:да\s+)?(?:се\s+)?(?:дозвон\w*|дозвън\w*|свърж\w*|связаться|достуч\w*)",
    r"no\s+(?:answer|reply|response|pick-?\s?up)",
    r"unanswered",
    r"(?:rang|rings|ringing)\s+out",
    r"rang\s+and\s+rang",
    r"(?:нет|без)\s+ответа",
    r"(?:няма|без)\s+отговор",
    r"длинные\s+гудки",
    r"гудки\s+идут",
    r"одни\s+гудки",
    r"абонент\s+не\s+абонент",
    r"(?:звъни|звънеше)\s+свободно",
    r"свободно\s+звъни",
    r"недоступ\w*",
    r"вне\s+зоны\s+доступа",
    r"unreachable",
)
_IVR: tuple[str, ...] = (
    r"(?:ответил\w*|отвечает|отвечают|отговори\w*|отговаря\w*)\s+"
    r"(?:робот\w*|автомат\w*|автоинформатор\w*|бот)",
    r"answered\s+by\s+(?:a\s+|the\s+)?(?:robot|machine|bot|ivr)",
    r"автоответчик[\s-]+(?:и\s+)?очеред\w*",
    r"ivr",
    r"robot\w*",
    r"bot",
    r"phone\s+tree",
    r"menu",
    r"phone\s+menu",
    r"queue[ds]?",
    r"in\s+(?:the\s+|a\s+)?queue",
    r"on\s+hold",
    r"put\s+(?:me\s+)?on\s+hold",
    r"hold\s+music",
    r"automated\s+(?:system|message|menu|voice)",
    r"робот\w*",
    r"бот",
    r"очеред\w*",
    r"в\s+очеред\w*",
    r"удержани\w*",
    r"на\s+удержани\w*",
    r"ожидани\w*",
    r"в\s+ожидани\w*",
    r"на\s+линии",
    r"висел\w*\s+на\s+линии",
    r"ждал\w*\s+на\s+линии",
    r"автоинформатор\w*",
    r"голосов\w*\s+меню",
    r"меню\w*",
    r"музык\w*",
    r"(?:останете|остани|останах|чаках|изчаках)\s+на\s+линия",
    r"на\s+линия",
    r"изчакване",
    r"чакане",
    r"чаках",
    r"изчаках",
    r"опашка\w*",
    r"главното\s+меню",
    r"автоматичен\s+(?:отговор|глас)",
)
_VOICEMAIL: tuple[str, ...] = (
    r"voice\s?-?mail\w*",
    r"answering\s+machine",
    r"went\s+(?:straight\s+)?to\s+(?:voice\s?-?mail|the\s+answering\s+machine)",
    r"straight\s+to\s+(?:voice\s?-?mail|vm)",
    r"left\s+(?:a\s+|them\s+a\s+)?(?:voice\s?-?mail|voice\s+message|message|msg|vm)",
    r"голосов\w*\s+почт\w*",
    r"автоответчик\w*",
    r"оставил\w*\s+(?:им\s+)?(?:голосовое\s+)?сообщение",
    r"голосовое\s+сообщение",
    r"гласов\w*\s+пощ\w*",
    r"телефонен\s+секретар",
    r"оставих\s+(?:им\s+)?(?:гласово\s+)?съобщение",
)
_BUSY: tuple[str, ...] = (
    r"busy(?:\s+(?:signal|tone|line))?",
    r"line\s+(?:was\s+|is\s+)?busy",
    r"engaged",
    r"линия\s+занята",
    r"занято",
    r"занят[аы]?",
    r"короткие\s+гудки",
    r"дава\s+зает[оа]",
    r"зает[оаи]",
)
_HUNG_UP: tuple[str, ...] = (
    r"hung\s+up(?:\s+on\s+(?:me|us))?",
    r"hang(?:s|ing)?\s+up(?:\s+on\s+(?:me|us))?",
    r"dropped\s+(?:the\s+|my\s+)?call",
    r"call\s+(?:was\s+)?dropped",
    r"disconnected(?:\s+me)?",
    r"cut\s+(?:me\s+)?off",
    r"(?:бросил\w*|бросают|положил\w*|кладут|повесил\w*)\s+трубку",
    r"трубку\s+(?:бросил\w*|положил\w*|повесил\w*)",
    r"сбросил\w*",
    r"положил[аи]?",
    r"бросил[аи]?",
    r"сбрасыва\w*",
    r"скинул\w*",
    r"отключил\w*",
    r"разъединил\w*",
    r"оборвал\w*",
    r"прервал\w*\s+(?:звонок|разговор|связь)",
    r"затвори\w*(?:\s+(?:ми|телефона|слушалката)){0,2}",
    r"затварят",
    r"положиха(?:\s+(?:ми\s+)?(?:слушалката|телефона))?",
    r"положи\s+(?:ми\s+)?(?:слушалката|телефона)",
    r"прекъсна\w*(?:\s+(?:ми|разговора|връзката))?",
)
_TRANSFERRED: tuple[str, ...] = (
    r"transferr(?:ed|ing)(?:\s+me)?",
    r"put\s+me\s+through",
    r"redirected(?:\s+me)?",
    r"forwarded(?:\s+me)?",
    r"connected\s+me",
    r"passed\s+me(?:\s+on)?",
    r"switched\s+me",
    r"перевели(?:\s+меня)?",
    r"перевел\w*(?:\s+меня)?",
    r"переключил\w*(?:\s+меня)?",
    r"соединил\w*(?:\s+меня)?",
    r"перенаправил\w*(?:\s+меня)?",
    r"переадресовал\w*(?:\s+меня)?",
    r"прехвърл\w*(?:\s+ме)?",
    r"ще\s+(?:ви\s+|ме\s+)?прехвърл\w*",
    r"свързаха\s+ме(?:\s+(?:с|със))?",
    r"свърза\s+ме(?:\s+(?:с|със))?",
    r"пренасочи\w*(?:\s+ме)?",
    r"препратиха(?:\s+ме)?",
)
_ANSWERED: tuple[str, ...] = (
    r"answered(?:\s+the\s+phone)?",
    r"picked\s+up(?:\s+the\s+phone)?",
    r"got\s+through(?:\s+to)?",
    r"(?:spoke|spoken|talked|speaking|talking)\s+(?:to|with)",
    r"got\s+hold\s+of",
    r"reached",
    r"ответил\w*",
    r"дозвонил\w*",
    r"поговорил\w*",
    r"пообщал\w*",
    r"(?:говорил\w*|разговаривал\w*)\s+с",
    r"(?:взял\w*|подн[яи]л\w*|снял\w*)\s+трубку",
    r"трубку\s+(?:взял\w*|подн[яи]л\w*|снял\w*)",
    r"вдигна\w*",
    r"отговори\w*",
    r"(?:говорих|разговарях)\s+(?:със|с)",
    r"свързах\s+се(?:\s+(?:със|с))?",
    r"успях\s+да\s+се\s+свържа",
    r"дозвъних\s+се",
)

# A callback they owe us. Russian/Bulgarian allow the deadline between the verbs ("обещали
# завтра перезвонить"): the bounded gap is captured as mid_ru / mid_bg.
_EN_CALL = r"(?:call|ring|phone|text|contact|reach\s+out|get\s+back)"
_EN_CALL_TAIL = r"(?:\s+(?:me|us|you))?(?:\s+back)?(?:\s+to\s+(?:me|us))?"
_GAP = r"(?:[^\s,;!?—–]+\s+){0,4}?"
_BG_CALL = (
    r"(?:(?:ми|ни)\s+)?(?:се\s+)?(?:(?:ми|ни)\s+)?"
    r"(?:обад(?:ят|и)|звъннат|звънне|позвън(?:ят|и)|върн(?:ат|е)\s+обаждане(?:то)?|свърж(?:ат|е)"
    r"(?:\s+с\s+мен)?|потърс(?:ят|и))"
)
_PROMISE: tuple[str, ...] = (
    r"(?:promised|promises|promise|agreed|offered|going|gonna)\s+(?:to\s+)?"
    + _EN_CALL
    + _EN_CALL_TAIL,
    r"(?:will|would|shall)\s+" + _EN_CALL + _EN_CALL_TAIL,
    r"(?:they|he|she|it|you|someone|somebody|who)'(?:d|ll)\s+" + _EN_CALL + _EN_CALL_TAIL,
    r"promised\s+(?:me\s+)?(?:a\s+)?(?:call-?\s?back|return\s+call|call)",
    r"call\s+me\s+back",
    r"get\s+back\s+to\s+me",
    r"(?:expect|await)(?:ing)?\s+(?:a\s+|their\s+)?call(?:\s*back)?",
    r"call-?back",
    r"обещал[аио]?\s+(?:(?:мне|нам)\s+)?(?P<mid_ru>" + _GAP + r")(?:(?:мне|нам)\s+)?"
    r"(?:перезвонить|позвонить|отзвониться|связаться|набрать|ответить|дать\s+ответ)",
    r"обещал[аио]?\s+(?:мне\s+)?(?:обратный\s+звонок|перезвон)",
    r"(?:пере|по)звонят(?:\s+мне)?",
    r"(?:пере|по)звонит(?:\s+мне)?",
    r"наберут",
    r"наберет",
    r"свяжутся(?:\s+со\s+мной)?",
    r"свяжется(?:\s+со\s+мной)?",
    r"отзвонят(?:ся|ь)?",
    r"отзвонится",
    r"должн[аоы]?\s+(?:мне\s+)?(?:пере)?(?:звонить|позвонить|связаться|набрать)",
    r"(?:ждать|ждите|жду|ожидать|ожидайте)\s+(?:(?:их|его|ее)\s+)?(?:обратного\s+)?звонка",
    r"(?:будет\s+)?обратный\s+звонок",
    r"обеща(?:ха|х|ли|л|ла)?\s+(?P<mid_bg>" + _GAP + r")да\s+" + _BG_CALL,
    r"обеща(?:ха|л|ла)?\s+(?:обратно\s+)?обаждане",
    r"ще\s+" + _BG_CALL,
    r"ще\s+ме\s+(?:потърсят|потърси|търсят)",
    r"(?:да\s+)?чакам\s+(?:обаждане|да\s+(?:ми\s+)?се\s+обадят)",
)
# Not promises: a callback that never came, and the user's own plan to call again. They stay in
# the note. "asked me to call back" still tells us somebody answered.
_BROKEN: tuple[str, ...] = (
    r"(?:так\s+и\s+|до\s+сих\s+пор\s+|все\s+еще\s+|still\s+)?не\s+(?:пере|по)звонил\w*",
    r"не\s+(?:связал\w*|набрал\w*)",
    r"(?:still\s+)?(?:didn'?t|did\s+not|never|haven'?t|hasn'?t|have\s+not|has\s+not)\s+"
    r"(?:call(?:ed)?|rung|ring|phoned|got(?:ten)?|get)\s+(?:me\s+)?back",
    r"no\s+call-?\s?back",
    r"(?:все\s+още\s+|още\s+)?не\s+(?:ми\s+|ни\s+)?(?:се\s+)?"
    r"(?:обадиха|обади|звъннаха|звънна|върнаха\s+обаждане|потърсиха)",
)
_TOLD: tuple[str, ...] = (
    r"(?:asked|told)\s+(?:me|us)\s+to\s+(?:call|ring|phone|try)",
    r"(?:сказал\w*|попросил\w*|просил\w*|посоветовал\w*|велел\w*)\s+(?:мне\s+|нам\s+)?"
    r"(?:пере|по)?(?:звонить|набрать)",
    r"(?:казаха|каза|помолиха|помоли)\s+(?:ми\s+|ни\s+)?да\s+(?:(?:им|му|й)\s+)?(?:се\s+)?"
    r"(?:обадя|обадим|звънна|звъннем|позвъня|звъня|набера|потърся)",
)
_SELF: tuple[str, ...] = (
    r"i(?:'ll|'d|\s+will|\s+would|\s+shall|\s+should|\s+must|\s+need\s+to|\s+have\s+to"
    r"|\s+am\s+going\s+to|'m\s+going\s+to|'m\s+gonna)\s+(?:call|ring|phone|try)",
    r"we(?:'ll|\s+will|\s+should|\s+need\s+to)\s+(?:call|ring|phone|try)",
    r"call\s+them\s+back",
    r"(?:call|try)\s+(?:them\s+)?again",
    r"перезвоните",
    r"(?:пере|по)звоню",
    r"наберу",
    r"(?:надо|нужно|придется)\s+(?:пере|по)?(?:звонить|набрать)",
    r"ще\s+(?:им\s+|му\s+)?(?:се\s+)?(?:обадя|звънна|позвъня|звъня|набера)",
    r"(?:трябва|требва)\s+да\s+(?:им\s+)?(?:се\s+)?(?:обадя|звънна|позвъня)",
    r"обадете\s+се",
    r"звъннете",
)

# Kinds in priority order, flattened into one alternation. The engine rejects a branch that
# starts with a literal character in a single comparison, so every branch is expanded until it
# starts with a letter, and branches are grouped under their first letter: one pass over the
# text then costs well under a microsecond per word. The kind of a match is found afterwards.
_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("broken", _BROKEN),
    ("told", _TOLD),
    ("self", _SELF),
    (Outcome.NO_ANSWER.value, _NO_ANSWER),
    (Outcome.IVR.value, _IVR),
    (Outcome.VOICEMAIL.value, _VOICEMAIL),
    (Outcome.BUSY.value, _BUSY),
    (Outcome.HUNG_UP.value, _HUNG_UP),
    (Outcome.TRANSFERRED.value, _TRANSFERRED),
    ("promise", _PROMISE),
    (Outcome.ANSWERED.value, _ANSWERED),
)


def _expand_leading_group(alt: str) -> list[str]:
    """Rewrite "(?:a|b)?rest" as ["arest", "brest", "rest"] (same order, same language) until
    every branch starts with a literal letter."""
    if not alt.startswith("(?:"):
        if not alt[:1].isalpha() or alt[1:2] in ("?", "*", "+", "{"):
            raise ValueError(f"phrase must start with a literal letter: {alt!r}")
        return [alt]
    depth, options, start = 0, [], 3
    i = 3
    while True:
        ch = alt[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif ch == ")":
            break
        elif ch == "|" and not depth:
            options.append(alt[start:i])
            start = i + 1
        i += 1
    options.append(alt[start:i])
    rest = alt[i + 1 :]
    optional = rest.startswith("?")
    if optional:
        rest = rest[1:]
    expanded = [option + rest for option in options] + ([rest] if optional else [])
    return [branch for e in expanded for branch in _expand_leading_group(e)]


def _by_first_letter(alts: Iterable[str]) -> str:
    groups: dict[str, list[str]] = {}
    for alt in alts:
        for branch in _expand_leading_group(alt):
            groups.setdefault(branch[0], []).append(branch[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


# Only at the start of a word that starts with a letter: digits, punctuation and word ends never
# enter the alternation.
_PHRASE_RE = re.compile(
    r"(?<!\w)(?=[^\W\d_])(?:"
    + _by_first_letter(alt for _, alts in _KINDS for alt in alts)
    + r")(?!\w)"
)
_KIND_RES = tuple((kind, re.compile(_alt(*alts))) for kind, alts in _KINDS)
_OUTCOME_KINDS = frozenset(o.value for o in Outcome)
_INTERMEDIATE = (Outcome.TRANSFERRED, Outcome.IVR)  # steps on the way, not where a call ends

# Digit groups joined by one separator (space, hyphen, parentheses). Dots, colons and slashes
# never join groups, so "15:00", "15.03" and "15/03" cannot become phones.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?!(?<=[.:/])\d)\+?(?:\(\d{1,5}\)[ -]?)?\d+(?:(?:[ -]|[ ]?\(|\)[ ]?)\d+)*"
    r"(?!\w)(?![.:/]\d)"
)
_PHONE_MIN_DIGITS, _PHONE_MAX_DIGITS = 7, 16
_DATE_LIKE_RE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}")
_REFERENCE_BEFORE_RE = re.compile(
    r"(?:order|ticket|case|invoice|ref|заказ\w*|заявк\w*|сч[её]т\w*|договор\w*|тикет\w*|"
    r"поръчка\w*|фактура\w*|#|№)\W{0,3}$"
)
_CURRENCY_AFTER_RE = re.compile(
    r"\s*(?:€|\$|£|₽|eur|usd|rub|bgn|руб|р\.|лв|лева|евро|долл|euro|dollars?)", re.IGNORECASE
)
_UNIT_AFTER_RE = re.compile(
    r"\s*(?:min|mins|minutes?|sec|secs|seconds?|h|hrs?|hours?|times|x|мин\w*|сек\w*|час\w*|ч|"
    r"раз\w*|пъти|минути|часа)(?!\w)"
)

_CALL_VERB_RE = re.compile(
    r"(?:(?:i|я|аз)\s+)?(?:just\s+|again\s+|снова\s+|опять\s+|пак\s+|отново\s+|еще\s+раз\s+)?"
    r"(?:called|rang|phoned|dialed|dialled|tried\s+calling|tried\s+to\s+call|tried|calling|"
    r"call(?:ed)?\s+to|позвонил[аи]?|звонил[аи]?|перезвонил[аи]?|набрал[аи]?|"
    r"(?:не\s+)?дозвонил(?:ся|ась|ись)|звъннах|звънях|позвъних|обадих\s+се|звъня|набрах|"
    r"не\s+можах\s+да\s+се\s+свържа\s+с)"
    r"(?:\s+(?:to|at|в|во|на|до|към))?(?:\s+|$)"
)
# Clause boundaries. A colon or a dash between digits is part of a time or a range; a period
# only ends a clause before whitespace (so "acme.lv" and "15.03" survive).
_BOUNDARY_RE = re.compile(
    r"[,;!?\n()\[\]…]|\.(?=\s|$)|:(?!\d)|(?<!\d)[—–]|[—–](?!\d)|(?<=\s)-(?=\s)"
)
_QUOTE_CHARS = '«»"“”„'
_QUOTED_RE = re.compile(r"«[^«»\n]{1,80}»|\"[^\"\n]{1,80}\"|“[^“”\n]{1,80}”|„[^„“”\n]{1,80}[“”]")
# A word ("acme", "15:00", "at&t", "they'd", "+371") or a run of anything else (emoji, dashes).
_TOKEN_RE = re.compile(r"(?P<w>[\w+](?:[\w'.:/&@+-]*\w)?)|[^\s«»\"“”„\w+]+|\+")
_CLOCK_RE = re.compile(
    r"\d{1,2}(?:[:.]\d{2})?(?:am|pm|ч|h)|\d{1,2}[:.]\d{2}|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?|"
    r"\d{4}-\d{1,2}-\d{1,2}"
)
_NAME_START_RE = re.compile(r"[\w«\"“„+]")  # skips leading emoji, dashes, bullets
_ALNUM_RE = re.compile(r"[^\W_]")
_FALLBACK_COMPANY_RE = re.compile(r"(?<!\w)(?:from|at|в|во|у|от|на|до|към)\s+(?=[\"«“„]|\w)")

# Time words tell a deadline from other text ("call back tomorrow" vs "call back about refund").
_TIME_WORD_RE = re.compile(
    r"\d.*|(?:today|tonight|tomorrow|tmrw|tmr|morning|afternoon|evening|noon|midday|midnight|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|"
    r"fri|weekend|week|weeks|month|months|hour|hours|hr|hrs|minute|minutes|min|mins|day|days|"
    r"january|february|march|april|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|pm|eod|asap|lunch|"
    r"сегодня|завтра|послезавтра|утр\w*|вечер\w*|днем|ночью|ночь|обед\w*|полдень|полдня|"
    r"полчаса|час|часа|часов|часу|часик|минут\w*|мин|секунд\w*|сутк\w*|сутки|день|дня|дней|"
    r"недел\w*|месяц\w*|выходн\w*|понедельник\w*|вторник\w*|среду|среда|среды|четверг\w*|"
    r"пятниц\w*|суббот\w*|воскресень\w*|январ\w*|феврал\w*|март\w*|апрел\w*|мая|май|июн\w*|"
    r"июл\w*|август\w*|сентябр\w*|октябр\w*|ноябр\w*|декабр\w*|пн|вт|ср|чт|пт|сб|вс|"
    r"днес|утре|вдругиден|довечера|сутрин\w*|следобед\w*|обяд\w*|понеделник|сряда|четвъртък|"
    r"петък|събота|неделя|седмиц\w*|месец\w*|ден|дни|деня|часът|минути|януари|февруари|април|"
    r"юни|юли|септември|октомври|ноември|декември)"
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that lead into a time word and belong to the deadline: "in a couple of days",
# "через пару часов", "до края на деня".
_TIME_PREPS = _words(
    """in at on by before after until till around about within the this next end of a an
    one two three four five couple few several half
    в во до к ко через после около с со на не позже позднее течение течении конца концу конце
    ближе примерно пару пара несколько два две три четыре пять полтора
    след към през края краят най-късно един една два три няколко"""
)
_ROLE_WORDS = _words(
    """manager operator agent rep representative consultant specialist supervisor secretary
    receptionist technician tech dispatcher director boss guy girl lady woman man
    менеджер менеджера оператор операторка консультант специалист сотрудник сотрудница девушка
    мужчина администратор админ секретарь секретарша продавец мастер техник диспетчер
    руководитель начальник директор бухгалтер
    мениджър менажер служител служителка консултант консултантка секретарка продавач
    продавачка шеф управител диспечер техничка момиче жена мъж"""
)
_SAY_WORDS = _words(
    """said says told сказал сказала сказали говорит говорят сообщил сообщила сообщили обещал
    обещала обещали пообещал пообещала пообещали каза казаха обеща обещаха"""
)
# Words around a promise verb that carry nothing once the promise is understood.
_FILLER_WORDS = _SAY_WORDS | _words(
    """and then but so also too that they he she it them someone somebody me us we i finally
    и а но потом затем тоже также же что вроде типа он она они оно мне нам я уже
    че то той тя те ми ни аз"""
)
# Words that end a company name: they start the rest of the message.
_COMPANY_STOP = (
    _FILLER_WORDS
    | _ROLE_WORDS
    | _words(
        """again today twice once опять снова еще сегодня пак отново днес times раз раза пъти
        after waited ждал ждала ждали чаках about regarding re насчет относно order ticket
        invoice заказ заявка поръчка через within until till след called calls звонили
        перезвонили позвонили обадиха звъннаха"""
    )
)
_SKIPPABLE_LEAD = _words("again today опять снова еще сегодня пак отново днес")
_MAX_COMPANY_WORDS = 6
_SEGMENT_CHARS = 80  # how far before a promise verb we look for who promised and when
# Trimmed from the edges of each note clause ("… and then", "и …").
_NOTE_FILLER = _words(
    """and then but so also me us on that they he she и а но потом затем тоже что мне нам ми ни
    че он она они той тя те"""
)
_REPORTED_SPEECH = _words("что че that")
# "spoke to Maria, she'll call back": the person we spoke to is who promised (en/bg only: in
# Russian the name after "с" is declined, "с Иваном", and would come out in the wrong case).
_SPOKE_TO_RE = re.compile(
    r"(?:spoke|spoken|talked|speaking|talking)\s+(?:to|with)|(?:говорих|разговарях)\s+(?:със|с)"
)
_NOTE_STRIP = " \t\r\n-–—:.'*_~"


class _Hit(NamedTuple):
    start: int
    end: int
    kind: str  # an Outcome value, or "promise" / "told" / "broken" / "self"
    mid: tuple[int, int] | None  # the deadline gap inside "обещали завтра перезвонить"


class _Token(NamedTuple):
    start: int
    end: int
    word: str  # lower-cased word, or "" for punctuation and emoji


class _Message:
    """The text, its same-length normalised copy, and what is derived from them once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm = norm = _normalize(text)
        self.quoted = [m.span() for m in _QUOTED_RE.finditer(norm)]
        self.boundaries = [m.start() for m in _BOUNDARY_RE.finditer(norm)]
        if self.quoted:  # "ООО «Рога, копыта»": punctuation inside quotes is part of a name
            self.boundaries = [b for b in self.boundaries if not _inside_any(b, self.quoted)]
        self.used: list[tuple[int, int]] = []  # ranges consumed by a field; the rest is the note

    def use(self, start: int, end: int) -> None:
        if end > start:
            self.used.append((start, end))

    def original(self, token: _Token) -> str:
        return self.text[token.start : token.end]

    def tokens_between(self, start: int, end: int) -> Iterator[_Token]:
        """Tokens wholly inside [start, end), produced lazily: most callers stop early."""
        for m in _TOKEN_RE.finditer(self.norm, start):
            if m.end() > end:
                return
            yield _Token(m.start(), m.end(), m.group("w") or "")

    def token_at(self, pos: int) -> _Token | None:
        return next(self.tokens_between(pos, len(self.norm)), None)

    def next_boundary(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.boundaries, pos)
        return self.boundaries[i] if i < len(self.boundaries) else None

    def prev_boundary(self, pos: int) -> int | None:
        i = bisect.bisect_left(self.boundaries, pos)
        return self.boundaries[i - 1] if i > 0 else None


def parse_call_log(text: str) -> ParsedCallLog:
    """Split one call-log message into company, phone, outcome, note and promise."""
    msg = _Message(text)
    phone_span = _find_phone(msg.norm)
    hits = [
        hit
        for hit in _find_phrases(msg.norm)
        if not _inside_any(hit.start, msg.quoted)
        and not (phone_span and hit.start < phone_span[1] and hit.end > phone_span[0])
    ]
    if phone_span:
        msg.use(*phone_span)
    for hit in hits:
        if hit.kind in _OUTCOME_KINDS:
            msg.use(hit.start, hit.end)

    company_span = _find_company(msg, hits, phone_span) or _fallback_company(msg)
    if company_span:
        msg.use(*company_span)

    promise_hit = next((h for h in hits if h.kind == "promise"), None)
    promise = _read_promise(msg, promise_hit, hits) if promise_hit else None
    return ParsedCallLog(
        company=_clean_company(text[slice(*company_span)]) if company_span else None,
        phone=_clean_phone(text[slice(*phone_span)]) if phone_span else None,
        outcome=_choose_outcome(hits, promise is not None),
        note=_leftover_note(text, msg.used),
        promise=promise,
    )


# --------------------------------------------------------------------------------------------
# Scanners


def _find_phrases(norm: str) -> list[_Hit]:
    hits = []
    for m in _PHRASE_RE.finditer(norm):
        # The first kind whose vocabulary matches the whole phrase is the branch that matched.
        kind = next((k for k, pattern in _KIND_RES if pattern.fullmatch(m.group())), "")
        mid = None
        for name in ("mid_ru", "mid_bg"):
            if m.group(name):
                mid = m.span(name)
        hits.append(_Hit(m.start(), m.end(), kind, mid))
    return hits


def _find_phone(norm: str) -> tuple[int, int] | None:
    for m in _PHONE_RE.finditer(norm):
        start, end = m.span()
        candidate = m.group()
        # "+371 2000 0000 2 times": the last group counts something, it is not part of the number.
        if _UNIT_AFTER_RE.match(norm, end):
            cut = max(candidate.rfind(" "), candidate.rfind("-"))
            if cut > 0:
                candidate = candidate[:cut].rstrip(" -(")
                end = start + len(candidate)
        if _REFERENCE_BEFORE_RE.search(norm, max(0, start - 24), start):
            continue  # "order 1234567" is not a phone number
        if _CURRENCY_AFTER_RE.match(norm, end):
            continue  # "1 000 000 руб" neither
        digits = sum(ch.isdigit() for ch in candidate)
        if not _PHONE_MIN_DIGITS <= digits <= _PHONE_MAX_DIGITS:
            continue
        if _DATE_LIKE_RE.fullmatch(candidate):
            continue
        return start, end
    return None


def _inside_any(pos: int, ranges: Iterable[tuple[int, int]]) -> bool:
    return any(start <= pos < end for start, end in ranges)


def _is_time(word: str) -> bool:
    return bool(word) and _TIME_WORD_RE.fullmatch(word) is not None


# --------------------------------------------------------------------------------------------
# Company


def _find_company(
    msg: _Message, hits: list[_Hit], phone_span: tuple[int, int] | None
) -> tuple[int, int] | None:
    """Return the span of the leading company name, after call verbs, junk and a phone."""
    norm = msg.norm
    pos = 0
    while True:
        before = pos
        start = _NAME_START_RE.search(norm, pos)
        pos = start.start() if start else len(norm)
        verb = _CALL_VERB_RE.match(norm, pos)
        if verb:
            msg.use(verb.start(), verb.end())
            pos = verb.end()
        if phone_span and phone_span[0] == pos:
            pos = phone_span[1]
        # "Today Acme no answer": a leading "today"/"again" is neither the company nor consumed.
        lead = msg.token_at(pos)
        if lead and lead.start == pos and lead.word in _SKIPPABLE_LEAD:
            pos = lead.end
        if pos == before:
            break

    limit = len(norm)
    first_hit = next((h.start for h in hits if h.start >= pos), None)
    boundary = msg.next_boundary(pos)
    for stop in (first_hit, boundary, phone_span[0] if phone_span else None):
        if stop is not None and stop >= pos:
            limit = min(limit, stop)

    end = None
    count = 0
    for token in msg.tokens_between(pos, limit):
        quoted = _inside_any(token.start, msg.quoted)
        if not quoted and _ends_company(msg, token, first=count == 0):
            break
        if token.word:
            count += 1
        end = token.end
        if count > _MAX_COMPANY_WORDS:
            return None  # a sentence, not a name
    return (pos, end) if end is not None else None


def _ends_company(msg: _Message, token: _Token, *, first: bool) -> bool:
    word = token.word
    if not word:
        return msg.original(token) not in ("&", "+")  # emoji and dashes end it; "AT & T" not
    if word in _COMPANY_STOP:
        return True
    if word[0].isdigit():
        # "Acme 15:00 busy", "Acme 1 000 руб", "3 раза не берут": a time, an amount, a count.
        # A name may start with a digit ("1C", "7-Eleven"), not continue with a number.
        return not first or bool(
            _CLOCK_RE.fullmatch(word) or _UNIT_AFTER_RE.match(msg.norm, token.end)
        )
    # A time word ("Ромашка завтра перезвонят") starts the deadline, it is not part of the name.
    return _is_time(word)


def _fallback_company(msg: _Message) -> tuple[int, int] | None:
    """Find "no answer from Acme" / "не берут трубку в Ромашке": a capitalised name after a
    preposition, in text no other field has taken. The preposition is consumed too."""
    for m in _FALLBACK_COMPANY_RE.finditer(msg.norm):
        if _inside_any(m.start(), msg.used):
            continue
        run: list[_Token] = []
        for token in msg.tokens_between(m.end(), len(msg.norm)):
            gap = msg.text[run[-1].end : token.start] if run else ""
            if gap.strip(" " + _QUOTE_CHARS) or _inside_any(token.start, msg.used):
                break
            if not token.word or not msg.original(token)[:1].isupper():
                break
            run.append(token)
        if run:
            msg.use(m.start(), run[0].start)
            return run[0].start, run[-1].end
    return None


def _clean_company(raw: str) -> str | None:
    cleaned = " ".join(raw.translate(_DROP_QUOTES).split()).strip(" .,:;!?-–—")
    return cleaned if _ALNUM_RE.search(cleaned) else None


_DROP_QUOTES = str.maketrans("", "", _QUOTE_CHARS)


def _clean_phone(raw: str) -> str:
    phone = raw.strip()
    if phone.startswith("(") and ")" not in phone:
        phone = phone[1:]
    return phone


# --------------------------------------------------------------------------------------------
# Promise


def _read_promise(msg: _Message, hit: _Hit, hits: list[_Hit]) -> PromiseText:
    if hit.mid:
        msg.use(hit.start, hit.mid[0])
        msg.use(hit.mid[1], hit.end)
    else:
        msg.use(hit.start, hit.end)

    # After the verb, up to the end of the clause: "… to call back tomorrow 3pm, about refund".
    deadline = _deadline_after(msg, hit.end, hits)
    if deadline is None and hit.mid:
        deadline = _time_run(list(msg.tokens_between(*hit.mid)), whole_tail=False)

    # Before the verb, back to the clause start or the previous field: "менеджер Анна".
    segment = _segment_before(msg, hit.start)
    promised_by, taken = _who_promised(msg, segment)
    for token in taken:
        msg.use(token.start, token.end)
    if promised_by is None:
        promised_by = _person_spoken_to(msg, hits, hit.start)
    if deadline is None:  # "Ромашка завтра в 15:00 перезвонят"
        deadline = _time_run([t for t in segment if t not in taken], whole_tail=False)
    if deadline is None:
        return PromiseText(promised_by=promised_by, deadline_text=None)
    msg.use(*deadline)
    return PromiseText(promised_by, " ".join(msg.text[slice(*deadline)].split()))


def _deadline_after(msg: _Message, start: int, hits: list[_Hit]) -> tuple[int, int] | None:
    for attempt in range(2):
        end = len(msg.norm)
        next_hit = next((h.start for h in hits if h.start >= start), None)
        boundary = msg.next_boundary(start)
        for stop in (next_hit, boundary):
            if stop is not None:
                end = min(end, stop)
        clause = [t for t in msg.tokens_between(start, end) if t.word]
        if clause:
            return _time_run(clause, whole_tail=True, must_lead=attempt == 1)
        # "promised to call back, tomorrow 3pm": the time may open the next clause.
        if boundary is None or boundary != end:
            return None
        start = boundary + 1
    return None


def _time_run(
    clause: list[_Token], *, whole_tail: bool, must_lead: bool = False
) -> tuple[int, int] | None:
    """Span from the first time word (with its prepositions) to the clause end or last time word."""
    clause = [t for t in clause if t.word]
    times = [i for i, t in enumerate(clause) if _is_time(t.word)]
    if not times:
        return None
    first = times[0]
    while first > 0 and clause[first - 1].word in _TIME_PREPS:
        first -= 1
    if must_lead and first != 0:
        return None
    last = len(clause) - 1 if whole_tail else times[-1]
    return clause[first].start, clause[last].end


def _segment_before(msg: _Message, pos: int) -> list[_Token]:
    boundary = msg.prev_boundary(pos)
    start = boundary + 1 if boundary is not None else 0
    for _, used_end in msg.used:
        if used_end <= pos:
            start = max(start, used_end)
    start = max(start, pos - _SEGMENT_CHARS)  # the speaker stands next to the verb
    segment = [t for t in msg.tokens_between(start, pos) if t.word]
    # "Менеджер сказал, что перезвонит": the speaker sits before the comma of reported speech.
    if (
        boundary is not None
        and boundary + 1 == start
        and msg.norm[boundary] == ","
        and (not segment or segment[0].word in _REPORTED_SPEECH)
    ):
        previous = _segment_before(msg, boundary)
        if previous and previous[-1].word in _SAY_WORDS:
            segment = previous + segment
    return segment


def _who_promised(msg: _Message, segment: list[_Token]) -> tuple[str | None, list[_Token]]:
    """Return the name (or bare role) before the promise verb and the tokens it consumed."""
    taken = [t for t in segment if t.word in _FILLER_WORDS]
    roles = [i for i, t in enumerate(segment) if t.word in _ROLE_WORDS]
    names: list[_Token] = []
    for token in segment:
        original = msg.original(token)
        if (
            original[:1].isupper()
            and original.replace("-", "").isalpha()
            and token.word not in _FILLER_WORDS
            and token.word not in _ROLE_WORDS
            and not _is_time(token.word)
        ):
            names.append(token)
        elif names:
            break  # the first run of capitalised words: "Анна Петровна"
    if names:
        taken += names + [segment[i] for i in roles]
        return " ".join(msg.original(t) for t in names), taken
    if roles:
        first = roles[0]
        if first > 0 and segment[first - 1].word == "the":
            first -= 1
        role = segment[first : roles[0] + 1]
        taken += role
        return " ".join(msg.original(t) for t in role), taken
    return None, taken


def _person_spoken_to(msg: _Message, hits: list[_Hit], before: int) -> str | None:
    spoke = next(
        (
            h
            for h in reversed(hits)
            if h.start < before and _SPOKE_TO_RE.fullmatch(msg.norm, h.start, h.end)
        ),
        None,
    )
    if spoke is None:
        return None
    names: list[_Token] = []
    for token in msg.tokens_between(spoke.end, before):
        gap = msg.text[names[-1].end : token.start] if names else " "
        if len(names) == 2 or gap.strip() or not msg.original(token)[:1].isupper():
            break
        names.append(token)
    if not names:
        return None
    msg.use(names[0].start, names[-1].end)
    return " ".join(msg.original(t) for t in names)


# --------------------------------------------------------------------------------------------
# Outcome and note


def _choose_outcome(hits: list[_Hit], has_promise: bool) -> Outcome | None:
    """The last stated end of the call wins; IVR and transfers only when nothing else is said."""
    stated = [Outcome(h.kind) for h in hits if h.kind in _OUTCOME_KINDS]
    final = [o for o in stated if o not in _INTERMEDIATE]
    if final:
        return final[-1]
    for step in _INTERMEDIATE:
        if step in stated:
            return step
    if has_promise or any(h.kind == "told" for h in hits):
        return Outcome.ANSWERED
    return None


def _leftover_note(text: str, used: list[tuple[int, int]]) -> str | None:
    pieces = []
    pos = 0
    for start, end in sorted(used):
        if start > pos:
            pieces.append(text[pos:start])
        pos = max(pos, end)
    pieces.append(text[pos:])
    clauses = (c.strip(_NOTE_STRIP) for c in _BOUNDARY_RE.split(" ".join(pieces)))
    kept = []
    for clause in clauses:
        if not _ALNUM_RE.search(clause):
            continue
        words = clause.split()
        if words[0].lower() in _NOTE_FILLER or words[-1].lower() in _NOTE_FILLER:
            words = _trim_fillers(words)
        if words:
            kept.append(" ".join(words))
    return ", ".join(kept) or None


def _trim_fillers(words: list[str]) -> list[str]:
    first, last = 0, len(words)
    while first < last and words[first].lower() in _NOTE_FILLER:
        first += 1
    while last > first and words[last - 1].lower() in _NOTE_FILLER:
        last -= 1
    return words[first:last]
