"""A PTB request class that hands calls straight to a BotApiEmulator: no sockets, same checks.

    emu = BotApiEmulator()
    app = (
        ApplicationBuilder()
        .token(emu.token)
        .request(InProcessRequest(emu))
        .get_updates_request(InProcessRequest(emu))
        .build()
    )

Parameters go through PTB's own form encoding (``RequestData.json_parameters``) and the
emulator's decoding, exactly as over HTTP, so what passes here passes over the wire.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.support.emulator import BotApiEmulator, ConnectionDropped, UploadedFile


class InProcessRequest(BaseRequest):
    """Routes PTB's requests into ``emulator.handle_path`` (and so ``dispatch``)."""

    def __init__(self, emulator: BotApiEmulator, read_timeout: float | None = 5.0) -> None:
        self._emulator = emulator
        self._read_timeout = read_timeout

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        params: dict[str, Any] = {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None:
            params.update(request_data.json_parameters)
            for name, (filename, content, mime_type) in request_data.multipart_data.items():
                data = content if isinstance(content, bytes) else content.read()
                files[name] = UploadedFile(filename, data, mime_type)
        timeout = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        call = self._emulator.handle_path(method, unquote(urlsplit(url).path), params, files)
        try:
            async with asyncio.timeout(timeout):
                status, body, _ = await call
        except ConnectionDropped as exc:
            raise NetworkError(f"emulator dropped the connection during {exc}") from exc
        except TimeoutError as exc:
            raise TimedOut from exc
        return status, body
