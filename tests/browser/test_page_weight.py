"""Page weight (issue 5 §5): every page type is at most 100 KB of HTML + CSS + JS, and
nothing is loaded from another host (the harness fails a test on any such request).

The browser cache is switched off, so each page is weighed as a first visit: the body of
the page's document plus every stylesheet and script it loads (``response.body()``, the
bytes after any content decoding — at least as strict as the bytes on the wire). The
weights, heaviest first, go to artifacts/browser/page-weight.txt.
"""

from __future__ import annotations

import pytest

from tests.browser import site_tour
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.usefixtures("tour_clock")  # the tour is built around "today"

LIMIT = 100 * 1024
COUNTED = ("document", "stylesheet", "script")


def test_every_page_type_weighs_at_most_100_kb(page):
    world = site_tour.build_world()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    responses: list = []
    page.on("response", lambda response: responses.append(response))
    weights: dict[str, dict[str, int]] = {}

    def weigh(name: str, pg) -> None:
        # the current document is the last one answered; count it and what it loaded
        documents = [
            i
            for i, r in enumerate(responses)
            if r.request.resource_type == "document"
            and r.frame == pg.main_frame
            and not 300 <= r.status < 400
        ]
        assert documents, name
        sizes = dict.fromkeys(COUNTED, 0)
        for response in responses[documents[-1] :]:
            kind = response.request.resource_type
            if kind in COUNTED and not 300 <= response.status < 400:
                sizes[kind] += len(response.body())
        assert sizes["stylesheet"] > 0, (
            f"{name}: no stylesheet loaded (cache still on?)"
        )
        weights[f"{name} {pg.url}"] = sizes
        responses.clear()

    seen = site_tour.tour(page, world, weigh)
    assert len(seen) >= 25
    report = "\n".join(
        f"{sum(s.values()) / 1024:6.1f} KB  (HTML {s['document'] / 1024:.1f}, CSS {s['stylesheet'] / 1024:.1f},"
        f" JS {s['script'] / 1024:.1f})  {where}"
        for where, s in sorted(weights.items(), key=lambda item: -sum(item[1].values()))
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "page-weight.txt").write_text(report + "\n", encoding="utf-8")
    print("\nPage weight, heaviest first:\n" + report)  # noqa: T201 - the measurement, shown with -s
    too_heavy = {where: s for where, s in weights.items() if sum(s.values()) > LIMIT}
    assert not too_heavy, report
