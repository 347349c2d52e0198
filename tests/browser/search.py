"""The patient search as a browser user meets it: htmx swaps the results into
`#search-results` as the user types (after a pause) and on Enter. A test that acts on the
results must wait for the ones of its own query: until then the previous results are still on
screen, and a click or a focused link can vanish as they are swapped out."""

from playwright.sync_api import Page

# The form sends a search 400 ms after the last keystroke (`_search_form.html`); a test waits
# a little longer than that after typing before it takes the results as the last ones.
TYPING_PAUSE_MS = 600


def watch_search(page: Page) -> None:
    """Start counting settled swaps from now (call before typing the query)."""
    page.evaluate(
        """() => {
            window.searchSwapped = false;
            if (!window.searchWatched) {
                document.addEventListener(
                    "htmx:afterSettle", () => { window.searchSwapped = true; }
                );
                document.addEventListener(
                    "input", () => { window.searchTypedAt = performance.now(); }, true
                );
                window.searchWatched = true;
            }
        }"""
    )


def wait_for_search(page: Page) -> None:
    """Wait until results were swapped in and settled since `watch_search` (our script wraps
    the new table in its scroll box when htmx settles, 20 ms after the swap: a test that looks
    earlier sees a page the user never keeps), no search is running and the typing pause's own
    search has had its time to start: typing and then Enter send two, and Enter's results can
    be on screen before the pause's search has even started. The last one's results are the
    ones shown."""
    page.wait_for_function(
        """(pause) => window.searchSwapped && !document.querySelector('.htmx-request')
            && performance.now() - (window.searchTypedAt || 0) > pause""",
        arg=TYPING_PAUSE_MS,
    )
