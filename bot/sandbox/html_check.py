"""Strict parser for Telegram's HTML parse mode, modelled on tdlib's ``parse_html``.

Produces the text a user sees (tags stripped, entities decoded, outer whitespace trimmed) and the
``MessageEntity`` dicts Telegram would return, with offsets in UTF-16 code units. Errors carry
tdlib's wording ("Unsupported start tag "x" at byte offset 3", ...), so a bot under test sees the
same ``BadRequest`` text it would get from Telegram.

One deliberate difference: with ``strict_ampersand=True`` (the default) a bare ``&`` that does not
start ``&lt;``/``&gt;``/``&amp;``/``&quot;``/``&apos;`` or a numeric reference is rejected.
Telegram keeps such an ``&`` literally, but a bot that sends one almost certainly forgot to escape
user input, and the next user will type ``<``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
# tdlib's is_space() also counts NUL, which cannot occur inside a Python str taken from JSON.
_SPACES = frozenset(" \t\r\n\v\0")
_TRIM = " \t\r\n\v\f"
_SPECIAL = re.compile(r"[<&]")
_NAME_TOKEN = re.compile(r"[A-Za-z0-9.\-]*")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(exc)`` is tdlib's message."""


@dataclass(frozen=True)
class ParsedText:
    """The visible text after parsing plus its entities (Bot API ``MessageEntity`` dicts)."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode("utf-8", "surrogatepass"))


def _decode_entity(source: str, pos: int) -> tuple[str, int] | None:
    """Decode the character reference at ``source[pos] == "&"`` like tdlib does.

    Returns the decoded character and the index after the reference (the ``;`` is optional, as
    in tdlib), or None when no reference starts here.
    """
    n = len(source)
    end = pos + 1
    if end < n and source[end] == "#":
        end += 1
        hexadecimal = end < n and source[end] in "xX"
        if hexadecimal:
            end += 1
        digits_start = end
        allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        while end < n and source[end] in allowed:
            end += 1
        digits = source[digits_start:end]
        if not digits or end - pos >= 10:
            return None
        code = int(digits, 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        if 0xD800 <= code <= 0xDFFF:
            raise EntityParseError(
                "Text contains invalid Unicode characters after decoding HTML entities, "
                "check for unmatched surrogate code units"
            )
        char = chr(code)
    else:
        while end < n and source[end].isascii() and source[end].isalpha():
            end += 1
        named = _NAMED_ENTITIES.get(source[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and source[end] == ";":
        end += 1
    return char, end


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset in the output where the tag opened
    out_index: int  # number of output chunks at that moment (for <a> without href)
    expandable: bool = False


def _link_entity(url: str, offset: int, length: int) -> dict[str, Any] | None:
    if url.startswith("tg://user?id="):
        user_id = url.removeprefix("tg://user?id=")
        if user_id.isdigit():
            user = {"id": int(user_id), "is_bot": False, "first_name": ""}
            return {"type": "text_mention", "offset": offset, "length": length, "user": user}
        return None
    lowered = url.lower()
    if lowered.startswith(("http://", "https://", "tg://", "ton://")):
        return {"type": "text_link", "offset": offset, "length": length, "url": url}
    if re.fullmatch(r"[a-z0-9.\-]+\.[a-z]{2,}(/\S*)?", lowered):
        # tdlib turns "telegram.org" into "http://telegram.org/"
        host, slash, rest = url.partition("/")
        return {
            "type": "text_link",
            "offset": offset,
            "length": length,
            "url": f"http://{host}/{rest if slash else ''}",
        }
    return None


def _trim(text: str, entities: list[dict[str, Any]]) -> ParsedText:
    """Trim outer whitespace like tdlib's fix_formatted_text and clip entities to the result."""
    stripped = text.strip(_TRIM)
    if stripped == text:
        entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText(text, entities)
    lead = utf16_len(text[: len(text) - len(text.lstrip(_TRIM))])
    total = utf16_len(stripped)
    clipped: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, total)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    clipped.sort(key=lambda e: (e["offset"], -e["length"]))
    return ParsedText(stripped, clipped)


def plain_text(text: str, entities: list[dict[str, Any]] | None = None) -> ParsedText:
    """What Telegram does to text sent without a parse mode: trim outer whitespace."""
    return _trim(text, [dict(e) for e in entities or [] if isinstance(e, dict)])


class _Parser:
    def __init__(self, source: str, strict_ampersand: bool) -> None:
        self.source = source
        self.strict_ampersand = strict_ampersand
        self.out: list[str] = []
        self.u16 = 0
        self.entities: list[dict[str, Any]] = []
        self.stack: list[_Open] = []

    def fail(self, message: str) -> EntityParseError:
        return EntityParseError(message)

    def emit(self, chunk: str) -> None:
        if chunk:
            self.out.append(chunk)
            self.u16 += utf16_len(chunk)

    def at(self, i: int) -> str:
        return self.source[i] if i < len(self.source) else ""

    def skip_spaces(self, i: int) -> int:
        n = len(self.source)
        while i < n and self.source[i] in _SPACES:
            i += 1
        return i

    def run(self) -> ParsedText:
        source = self.source
        n = len(source)
        i = 0
        while i < n:
            match = _SPECIAL.search(source, i)
            if match is None:
                self.emit(source[i:])
                break
            j = match.start()
            self.emit(source[i:j])
            if source[j] == "&":
                decoded = _decode_entity(source, j)
                if decoded is None:
                    if self.strict_ampersand:
                        raise self.fail(
                            f'Unescaped "&" at byte offset {_byte_offset(source, j)}; '
                            "write &amp; (emulator is stricter than Telegram here)"
                        )
                    self.emit("&")
                    i = j + 1
                else:
                    self.emit(decoded[0])
                    i = decoded[1]
                continue
            i = self.end_tag(j) if self.at(j + 1) == "/" else self.start_tag(j)
        if self.stack:
            raise self.fail(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].tag}"'
            )
        return _trim("".join(self.out), self.entities)

    def start_tag(self, begin: int) -> int:
        source = self.source
        n = len(source)
        offset = _byte_offset(source, begin)
        i = begin + 1
        while i < n and source[i] not in _SPACES and source[i] != ">":
            i += 1
        if i >= n:
            raise self.fail(f"Unclosed start tag at byte offset {offset}")
        tag = source[begin + 1 : i].lower()
        if tag not in ALLOWED_TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" at byte offset {offset}')
        argument = ""
        expandable = False
        while self.at(i) != ">":
            i = self.skip_spaces(i)
            if self.at(i) == ">":
                break
            attr_begin = i
            while i < n and source[i] not in _SPACES and source[i] not in "=>":
                i += 1
            name = source[attr_begin:i].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
            i = self.skip_spaces(i)
            if self.at(i) != "=":
                if i >= n:
                    raise self.fail(f'Unclosed start tag "{tag}" at byte offset {offset}')
                if tag == "blockquote" and name == "expandable":
                    expandable = True
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {offset}'
                )
            i = self.skip_spaces(i + 1)
            if i >= n:
                raise self.fail(f'Unclosed start tag "{tag}" at byte offset {offset}')
            value, i = self.attribute_value(i)
            if i >= n:
                raise self.fail(f"Unclosed start tag at byte offset {offset}")
            if tag == "a" and name == "href":
                argument = value
            elif tag == "code" and name == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif tag == "span" and name == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif tag == "tg-emoji" and name == "emoji-id":
                argument = value
        if tag == "span" and argument != "spoiler":
            raise self.fail(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
        if tag == "tg-emoji" and not argument.isdigit():
            raise self.fail(f"Custom emoji identifier must be non-empty at byte offset {offset}")
        self.stack.append(_Open(tag, argument, self.u16, len(self.out), expandable))
        return i + 1

    def attribute_value(self, i: int) -> tuple[str, int]:
        source = self.source
        n = len(source)
        quote = source[i]
        if quote not in "'\"":
            token = _NAME_TOKEN.match(source, i)
            end = token.end() if token else i
            if end < n and source[end] not in _SPACES and source[end] != ">":
                raise self.fail(
                    f"Unexpected end of name token at byte offset {_byte_offset(source, i)}"
                )
            return source[i:end].lower(), end
        i += 1
        chunks: list[str] = []
        while i < n and source[i] != quote:
            if source[i] == "&":
                decoded = _decode_entity(source, i)
                if decoded is not None:
                    chunks.append(decoded[0])
                    i = decoded[1]
                    continue
                if self.strict_ampersand:
                    raise self.fail(
                        f'Unescaped "&" at byte offset {_byte_offset(source, i)}; '
                        "write &amp; (emulator is stricter than Telegram here)"
                    )
            chunks.append(source[i])
            i += 1
        if i < n:
            i += 1  # closing quote
        return "".join(chunks), i

    def end_tag(self, begin: int) -> int:
        source = self.source
        n = len(source)
        offset = _byte_offset(source, begin)
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {offset}")
        i = begin + 2
        while i < n and source[i] not in _SPACES and source[i] != ">":
            i += 1
        name = source[begin + 2 : i].lower()
        i = self.skip_spaces(i)
        if self.at(i) != ">":
            raise self.fail(f"Unclosed end tag at byte offset {offset}")
        opened = self.stack.pop()
        if name and name != opened.tag:
            raise self.fail(
                f'Unmatched end tag at byte offset {offset}, expected "</{opened.tag}>", '
                f'found "</{name}>"'
            )
        self.close(opened)
        return i + 1

    def close(self, opened: _Open) -> None:
        length = self.u16 - opened.offset
        if length <= 0:
            return
        start = opened.offset
        tag = opened.tag
        entity: dict[str, Any] | None
        if tag in _SIMPLE_ENTITY:
            entity = {"type": _SIMPLE_ENTITY[tag], "offset": start, "length": length}
        elif tag == "span":
            entity = {"type": "spoiler", "offset": start, "length": length}
        elif tag == "tg-emoji":
            entity = {
                "type": "custom_emoji",
                "offset": start,
                "length": length,
                "custom_emoji_id": opened.argument,
            }
        elif tag == "a":
            url = opened.argument or "".join(self.out[opened.out_index :])
            entity = _link_entity(url, start, length)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if opened.expandable else "blockquote"
            entity = {"type": kind, "offset": start, "length": length}
        elif tag == "pre":
            entity = {"type": "pre", "offset": start, "length": length}
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "code"
                and (last["offset"], last["length"]) == (start, length)
                and last.get("language")
            ):
                self.entities.pop()
                entity["language"] = last["language"]
        else:  # code
            entity = {"type": "code", "offset": start, "length": length}
            if opened.argument:
                entity["language"] = opened.argument
            last = self.entities[-1] if self.entities else None
            if (
                last is not None
                and last["type"] == "pre"
                and (last["offset"], last["length"]) == (start, length)
            ):
                # <pre><code class="language-x"> is one pre entity with a language
                entity = {**last, **({"language": opened.argument} if opened.argument else {})}
                self.entities.pop()
            elif self.stack and self.stack[-1].tag == "pre" and opened.argument:
                pass  # the enclosing </pre> will absorb it
            elif "language" in entity:
                del entity["language"]
        if entity is not None:
            self.entities.append(entity)


def parse_html(source: str, *, strict_ampersand: bool = True) -> ParsedText:
    """Parse ``source`` as Telegram HTML or raise :class:`EntityParseError`."""
    return _Parser(source, strict_ampersand).run()
