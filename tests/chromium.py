"""Debian's Chromium under Playwright, as the browser tests and the dashboard bench run it."""

CHROMIUM = "/usr/bin/chromium"
# Root needs --no-sandbox; the rest keeps a closed network free of background traffic and
# skips first-run work.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def launch_chromium(playwright):
    """A headless Chromium browser from the machine's own package (never `playwright install`)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
