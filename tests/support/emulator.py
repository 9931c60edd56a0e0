"""The emulator moved to :mod:`bot.sandbox.emulator` (the sandbox serves it too).

This shim keeps ``from tests.support.emulator import ...`` working for tests and benchmarks.
"""

from bot.sandbox.emulator import *  # noqa: F403
from bot.sandbox.emulator import (
    ApiCall,
    ApiError,
    BotApiEmulator,
    ChatMessage,
    ConnectionDropped,
    UploadedFile,
)

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "ChatMessage",
    "ConnectionDropped",
    "UploadedFile",
]
