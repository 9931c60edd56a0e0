"""Workspaces: group membership, active workspace, reviewer links, migration, retention."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storage.times import from_db, to_db


@dataclass(frozen=True, slots=True)
class Workspace:
    chat_id: int
    title: str | None
    kind: str
    role: str  # "member" or "reviewer"


@dataclass(frozen=True, slots=True)
class ShareLink:
    id: int
    chat_id: int
    created_by: int
    created_at: datetime
    reviewers: int


class _Queries(Protocol):
    async def _fetchall(self, sql: str, params: Any = ()) -> list[Any]: ...

    async def _write(self, sql: str, params: Any = ()) -> list[Any]: ...

    async def _write_many(self, statements: list[tuple[str, Any]]) -> None: ...


def token_hash(token: str) -> str:
    """Tokens are random (128 bits): a plain SHA-256 is enough and is what is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class WorkspaceQueries:
    """Mixin of :class:`storage.Storage`."""

    async def remember_member(self: _Queries, chat_id: int, user_id: int, now: datetime) -> None:
        await self._write(
            "INSERT INTO members (chat_id, user_id, seen_at) VALUES (?, ?, ?)"
            " ON CONFLICT (chat_id, user_id) DO UPDATE SET seen_at = excluded.seen_at",
            (chat_id, user_id, to_db(now)),
        )

    async def forget_member(self: _Queries, chat_id: int, user_id: int) -> None:
        await self._write(
            "DELETE FROM members WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
        )

    async def workspaces_of(self: _Queries, user_id: int) -> list[Workspace]:
        """Groups the user was seen in (bot still present) and workspaces they review."""
        rows = await self._fetchall(
            "SELECT c.chat_id, c.title, c.kind, 'member' FROM members m"
            " JOIN chats c ON c.chat_id = m.chat_id"
            " WHERE m.user_id = ? AND c.left_at IS NULL"
            " UNION"
            " SELECT c.chat_id, c.title, c.kind, 'reviewer' FROM reviewers r"
            " JOIN share_links s ON s.id = r.link_id JOIN chats c ON c.chat_id = s.chat_id"
            " WHERE r.user_id = ? AND s.revoked_at IS NULL AND c.left_at IS NULL"
            " ORDER BY 2",
            (user_id, user_id),
        )
        found: dict[int, Workspace] = {}
        for row in rows:
            space = Workspace(int(row[0]), row[1], str(row[2]), str(row[3]))
            if space.chat_id not in found or space.role == "member":
                found[space.chat_id] = space
        return list(found.values())

    async def active_workspace(self: _Queries, user_id: int) -> int | None:
        rows = await self._fetchall(
            "SELECT active_workspace FROM users WHERE user_id = ?", (user_id,)
        )
        return None if not rows or rows[0][0] is None else int(rows[0][0])

    async def set_active_workspace(
        self: _Queries, user_id: int, chat_id: int | None, name: str, now: datetime
    ) -> None:
        await self._write(
            "INSERT INTO users (user_id, name, updated_at, active_workspace) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET active_workspace = excluded.active_workspace",
            (user_id, name, to_db(now), chat_id),
        )

    # ---------------------------------------------------------------- reviewer links
    async def create_share_link(
        self: _Queries, chat_id: int, token: str, created_by: int, now: datetime
    ) -> int:
        rows = await self._write(
            "INSERT INTO share_links (chat_id, token_hash, created_by, created_at)"
            " VALUES (?, ?, ?, ?) RETURNING id",
            (chat_id, token_hash(token), created_by, to_db(now)),
        )
        return int(rows[0][0])

    async def share_links(self: _Queries, chat_id: int) -> list[ShareLink]:
        rows = await self._fetchall(
            "SELECT s.id, s.chat_id, s.created_by, s.created_at, count(r.user_id)"
            " FROM share_links s LEFT JOIN reviewers r ON r.link_id = s.id"
            " WHERE s.chat_id = ? AND s.revoked_at IS NULL GROUP BY s.id ORDER BY s.id",
            (chat_id,),
        )
        return [ShareLink(int(r[0]), int(r[1]), int(r[2]), from_db(r[3]), int(r[4])) for r in rows]

    async def revoke_share_link(self: _Queries, chat_id: int, link_id: int, now: datetime) -> bool:
        rows = await self._write(
            "UPDATE share_links SET revoked_at = ? WHERE id = ? AND chat_id = ?"
            " AND revoked_at IS NULL RETURNING id",
            (to_db(now), link_id, chat_id),
        )
        return bool(rows)

    async def join_as_reviewer(
        self: _Queries, token: str, user_id: int, now: datetime
    ) -> int | None:
        """Use a link: the workspace it opens, or None for an unknown or revoked token."""
        rows = await self._fetchall(
            "SELECT s.id, s.chat_id FROM share_links s JOIN chats c ON c.chat_id = s.chat_id"
            " WHERE s.token_hash = ? AND s.revoked_at IS NULL AND c.left_at IS NULL",
            (token_hash(token),),
        )
        if not rows:
            return None
        await self._write(
            "INSERT OR IGNORE INTO reviewers (link_id, user_id, joined_at) VALUES (?, ?, ?)",
            (int(rows[0][0]), user_id, to_db(now)),
        )
        return int(rows[0][1])

    async def is_reviewer(self: _Queries, chat_id: int, user_id: int) -> bool:
        rows = await self._fetchall(
            "SELECT 1 FROM reviewers r JOIN share_links s ON s.id = r.link_id"
            " WHERE s.chat_id = ? AND r.user_id = ? AND s.revoked_at IS NULL LIMIT 1",
            (chat_id, user_id),
        )
        return bool(rows)

    async def reviewers_of(self: _Queries, chat_id: int) -> list[int]:
        rows = await self._fetchall(
            "SELECT DISTINCT r.user_id FROM reviewers r JOIN share_links s ON s.id = r.link_id"
            " WHERE s.chat_id = ? AND s.revoked_at IS NULL ORDER BY 1",
            (chat_id,),
        )
        return [int(r[0]) for r in rows]

    # ---------------------------------------------------------------- lifecycle of a group
    async def bot_left(self: _Queries, chat_id: int, now: datetime) -> None:
        """Keep the data for the retention period, but send nothing there any more."""
        await self._write_many(
            [
                (
                    "UPDATE chats SET left_at = ? WHERE chat_id = ? AND left_at IS NULL",
                    (to_db(now), chat_id),
                ),
                (
                    "UPDATE promises SET remind_at = NULL WHERE chat_id = ? AND status = 'pending'",
                    (chat_id,),
                ),
            ]
        )

    async def bot_returned(self: _Queries, chat_id: int) -> None:
        """Re-added within the retention period: everything is back, reminders too."""
        await self._write_many(
            [
                ("UPDATE chats SET left_at = NULL WHERE chat_id = ?", (chat_id,)),
                (
                    "UPDATE promises SET remind_at = CASE WHEN reminders_sent = 0 THEN due_at"
                    " ELSE NULL END WHERE chat_id = ? AND status = 'pending'",
                    (chat_id,),
                ),
            ]
        )

    async def has_left(self: _Queries, chat_id: int) -> bool:
        rows = await self._fetchall(
            "SELECT left_at IS NOT NULL FROM chats WHERE chat_id = ?", (chat_id,)
        )
        return bool(rows and rows[0][0])

    async def purge_left_chats(self: _Queries, before: datetime) -> list[int]:
        """Delete every workspace the bot left before ``before`` (cascades to all its rows)."""
        due = await self._fetchall(
            "SELECT 1 FROM chats WHERE left_at IS NOT NULL AND left_at <= ? LIMIT 1",
            (to_db(before),),
        )
        if not due:
            return []
        rows = await self._write(
            "DELETE FROM chats WHERE left_at IS NOT NULL AND left_at <= ? RETURNING chat_id",
            (to_db(before),),
        )
        return [int(r[0]) for r in rows]

    async def migrate_chat(self: _Queries, old: int, new: int) -> None:
        """A group became a supergroup: its workspace and every row follow the new id."""
        statements: list[tuple[str, Any]] = [
            (
                "INSERT INTO chats (chat_id, kind, title, timezone, language, phone_region,"
                " created_at, quiet_start, quiet_end, reminder_repeat_hours, left_at)"
                " SELECT ?, 'supergroup', title, timezone, language, phone_region, created_at,"
                " quiet_start, quiet_end, reminder_repeat_hours, left_at FROM chats"
                " WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM chats WHERE chat_id = ?)",
                (new, old, new),
            ),
        ]
        for table in ("companies", "attempts", "promises", "drafts", "members", "share_links"):
            statements.append((f"UPDATE {table} SET chat_id = ? WHERE chat_id = ?", (new, old)))
        statements += [
            (
                "INSERT OR IGNORE INTO weekly_reports"
                " SELECT ?, weekday, at_time, next_at, last_sent, created_by FROM weekly_reports"
                " WHERE chat_id = ?",
                (new, old),
            ),
            ("UPDATE users SET active_workspace = ? WHERE active_workspace = ?", (new, old)),
            ("DELETE FROM chats WHERE chat_id = ?", (old,)),
        ]
        await self._write_many(statements)

    # ---------------------------------------------------------------- data rights
    async def delete_user_data(self: _Queries, user_id: int) -> None:
        """Delete the personal workspace and settings; group entries stay, anonymized."""
        await self._write_many(
            [
                ("DELETE FROM chats WHERE chat_id = ?", (user_id,)),
                ("DELETE FROM drafts WHERE user_id = ?", (user_id,)),
                ("DELETE FROM members WHERE user_id = ?", (user_id,)),
                ("DELETE FROM reviewers WHERE user_id = ?", (user_id,)),
                (
                    "UPDATE users SET name = 'former member', username = NULL,"
                    " language_code = NULL, active_workspace = NULL WHERE user_id = ?",
                    (user_id,),
                ),
            ]
        )
