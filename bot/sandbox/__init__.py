"""Try the bot without Telegram: a local Bot API emulator, the real bot and a chat page.

``callback-tracker sandbox`` (``make sandbox``) runs all three in one process; see
:mod:`bot.sandbox.server`. The emulator is also what the end-to-end tests run the bot against.
"""
