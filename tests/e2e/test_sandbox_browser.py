"""The sandbox's chat page in a real headless Chromium (Debian's ``chromium``, driven by
Playwright; ``make browser-deps`` installs it, nothing is downloaded).

One walk through what a person trying the bot does: start the bot, log a call, see the card,
press a button and watch the card change, load the demo history, run /report and see its
charts load, skip ahead and get a reminder. A browser that cannot start fails the test.

``SANDBOX_SCREENSHOT=docs/images/sandbox.png`` also saves the final page there (the README's
screenshot is made this way).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from bot.sandbox.server import Sandbox
from tests.e2e.test_sandbox import offset_to_local_hour

CHROMIUM = Path("/usr/bin/chromium")
#: Flags for this machine's closed network (no background connections) and root user.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STEP_TIMEOUT_MS = 15_000


def require_chromium() -> None:
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: run `make browser-deps`"


async def send(page: Page, text: str) -> None:
    await page.fill("#input", text)
    await page.press("#input", "Enter")


async def test_trying_the_bot_in_the_chat_page(tmp_path: Path) -> None:
    require_chromium()
    timings: dict[str, float] = {}
    started = mark = time.monotonic()

    def step(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        timings[name] = now - mark
        mark = now

    sandbox = Sandbox(
        tmp_path / "data",
        port=0,
        env={"CHART_PROCESSES": "0"},
        clock_offset=offset_to_local_hour(12),  # no quiet hours after "+1 day"
    )
    await sandbox.start()
    step("sandbox start")
    problems: list[str] = []
    try:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                str(tmp_path / "profile"),  # a fresh profile
                executable_path=str(CHROMIUM),
                args=CHROMIUM_FLAGS,
                headless=True,
                viewport={"width": 1280, "height": 900},
                timeout=30_000,
            )
            step("browser start")
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                page.set_default_timeout(STEP_TIMEOUT_MS)
                expect.set_options(timeout=STEP_TIMEOUT_MS)
                page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
                page.on(
                    "console",
                    lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None,
                )
                await walk_through(page, sandbox.url, step)
                # The README's picture: tall enough for the whole album, no toast.
                await page.set_viewport_size({"width": 1280, "height": 1000})
                await page.evaluate(
                    """() => {
                        document.getElementById('toast').hidden = true;
                        const box = document.getElementById('messages');
                        box.scrollTop = box.scrollHeight;
                    }"""
                )
                shot = tmp_path / "sandbox.png"
                await page.screenshot(path=str(shot))
                target = os.environ.get("SANDBOX_SCREENSHOT")
                if target:
                    shutil.copyfile(shot, target)
                step("screenshot")
            finally:
                await context.close()
    finally:
        await sandbox.stop()
    step("stop")
    total = time.monotonic() - started
    print("browser test timings:", {k: round(v, 2) for k, v in timings.items()}, round(total, 2))
    assert problems == []
    sandbox.emulator.assert_no_errors()


async def walk_through(page: Page, url: str, step: Callable[[str], None]) -> None:
    await page.goto(url)
    await expect(page.locator("#chat-title")).to_have_text("Callback Tracker")
    step("page load")

    # An empty private chat shows START, as in Telegram.
    await page.click("#start-button")
    await expect(page.locator(".row.in", has_text="keeps score")).to_be_visible()
    step("/start")

    # A call log: the bot's card arrives with its buttons.
    await send(page, "Acme answered, Peter promised to call back in 2 hours")
    card = page.locator(".row.in", has_text="Peter promised to call back by")
    await expect(card).to_be_visible()
    await expect(card.locator(".kb-button", has_text="Undo")).to_be_visible()
    card_id = await card.get_attribute("data-id")
    step("call log -> card")

    # A button edits the card in place: new text and new buttons, then back to a card.
    await card.locator(".kb-button", has_text="Deadline").click()
    same = page.locator(f'.row[data-id="{card_id}"]')
    await expect(same).to_contain_text("Choose the new deadline")
    await expect(same.locator(".meta")).to_contain_text("edited")
    await same.locator(".kb-button", has_text="In 1 hour").click()
    await expect(same).not_to_contain_text("Choose the new deadline")
    await expect(same).to_contain_text("Peter")
    step("button -> edited card")

    # Demo history, then /report: an album of charts that load, and the summary.
    await page.click("#demo")
    await expect(page.locator("#demo")).to_have_text("Demo history loaded ✓")
    step("demo history")
    await send(page, "/report")
    await expect(page.locator(".row.in", has_text="Report · last 7 days")).to_be_visible()
    album = page.locator(".album").last
    await album.scroll_into_view_if_needed()
    await expect(album.locator("img.photo")).to_have_count(4)
    await page.wait_for_function(
        """() => {
            const images = [...document.querySelectorAll('.album')].pop()
                .querySelectorAll('img.photo');
            return [...images].every((i) => i.complete && i.naturalWidth > 300);
        }""",
        timeout=STEP_TIMEOUT_MS,
    )
    step("/report -> charts loaded")

    # Skip ahead a day: the promise (and the demo provider's) expire; the reminder arrives.
    before = await page.locator(".row.in").count()
    await page.click("#skip-day")
    reminder = page.locator(".row.in", has_text=re.compile("was due", re.IGNORECASE)).last
    await expect(reminder).to_contain_text("Acme")
    assert await page.locator(".row.in").count() > before
    await expect(reminder.locator(".kb-button").first).to_be_visible()
    await expect(page.locator("#clock-offset")).to_contain_text("1 day")
    step("+1 day -> reminder")
