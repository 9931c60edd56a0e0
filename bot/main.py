"""Entry point: ``callback-tracker`` / ``python -m bot`` / ``make run``."""

from __future__ import annotations

import logging
import os
import sys

from bot.config import ConfigError, Settings

NO_TOKEN = """\
callback-tracker: TELEGRAM_BOT_TOKEN is not set.

To get a token:
  1. Open Telegram and start a chat with @BotFather (https://t.me/BotFather).
  2. Send /newbot, choose a name and a username ending in "bot".
  3. BotFather replies with a token like 123456789:AAH...

Then put it in a file named .env next to the Makefile (copy .env.example):
  TELEGRAM_BOT_TOKEN=123456789:AAH...
or export it in your shell before running `make run`.

To try the bot without Telegram first: `make sandbox` (a local chat page, no token needed).
"""


REJECTED_TOKEN = """\
callback-tracker: Telegram rejected TELEGRAM_BOT_TOKEN (revoked, mistyped, or for another
Bot API server). Get the current token from @BotFather (/mybots -> API Token) and put it in .env.
"""


class RedactingFilter(logging.Filter):
    """Removes the bot token from every log line (httpx logs URLs that contain it)."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secret:
            message = record.getMessage()
            if self.secret in message:
                record.msg = message.replace(self.secret, "<token>")
                record.args = None
            if record.exc_info and record.exc_info[1] is not None:
                text = logging.Formatter().formatException(record.exc_info)
                record.exc_text = text.replace(self.secret, "<token>")
        return True


def configure_logging(level: str, secret: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter(secret))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> None:
    """Run the bot with long polling until Ctrl-C / SIGTERM (``sandbox``: the local sandbox)."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["sandbox"]:
        from bot.sandbox.server import main as sandbox_main

        sandbox_main(args[1:])
        return
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        if "TELEGRAM_BOT_TOKEN" in str(exc):
            sys.stderr.write(NO_TOKEN)
        else:
            sys.stderr.write(f"callback-tracker: configuration error: {exc}\n")
        raise SystemExit(2) from None
    configure_logging(settings.log_level, settings.token)
    # Opt in to python-telegram-bot's future RetryAfter type now (silences a deprecation).
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    from telegram.error import InvalidToken

    from bot.app import ALLOWED_UPDATES, build_application

    application = build_application(settings)
    try:
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False)
    except InvalidToken:
        # PTB's message quotes the token: never print it.
        sys.stderr.write(REJECTED_TOKEN)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
