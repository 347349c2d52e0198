"""The patient search as a browser user meets it: htmx swaps the results into
`#search-results` as the user types (after a pause) and on Enter. A test that acts on the
results must wait for the ones of its own query: until then the previous results are still on
screen, and a click or a focused link can vanish as they are swapped out."""

from playwright.sync_api import Page


def watch_search(page: Page) -> None:
    """Start counting swaps from now (call before typing the query)."""
    page.evaluate(
        """() => {
            window.searchSwapped = false;
            if (!window.searchWatched) {
                document.addEventListener("htmx:afterSwap", () => { window.searchSwapped = true; });
                window.searchWatched = true;
            }
        }"""
    )


def wait_for_search(page: Page) -> None:
    """Wait until results were swapped in since `watch_search` and no search is running
    (typing and Enter can send two; the last one's results are the ones shown)."""
    page.wait_for_function("() => window.searchSwapped && !document.querySelector('.htmx-request')")
