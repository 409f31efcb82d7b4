"""The dashboard in chromium at a laptop's and a phone's width: charts drawn, nothing overlapping or cut off.

Screenshots go to ``$LOANFLOW_SCREENSHOTS`` (docs/screenshots/supervision/ holds the ones looked at).
"""

from __future__ import annotations

import os

import pytest

from loanflow.web.testing.browser import fits_the_window

OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('.dash .chart, .dash .scroll, .dash h2')]
    .map(e => [e, e.getBoundingClientRect()]).filter(([, r]) => r.width && r.height);
  const hits = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [, a] = boxes[i], [, b] = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
      hits.push(boxes[i][0].className + ' / ' + boxes[j][0].className);
  }
  return hits;
}"""


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1366, 768), ("phone", 390, 844)])
def test_the_dashboard_draws_every_chart_beside_its_table_without_overlap(
    open_page, county, shots, name, width, height
):
    page = open_page(width, height)
    page.goto("/login")
    page.fill("input[name=username]", "supervisor")
    page.fill("input[name=password]", "demo-password")
    page.click("main button[type=submit]")
    page.wait_for_url("**/supervision")  # a supervisor's start page
    page.goto("/supervision/dashboard")
    page.wait_for_selector("html.charts-drawn")
    charts = page.locator(".dash .chart")
    assert charts.count() == 8
    for i in range(charts.count()):
        assert charts.nth(i).locator("svg").count() >= 1
        box = charts.nth(i).bounding_box()
        assert box["width"] > 200 and box["height"] > 200
    assert page.evaluate(OVERLAPS) == []
    assert fits_the_window(page)  # no sideways scrolling
    page.screenshot(path=os.path.join(shots, f"dashboard-{name}.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator(".dash .chart").first.is_visible()
