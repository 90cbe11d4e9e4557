"""Keyboard use (WCAG 2.1.1, 2.4.7): the first Tab reaches the first link or control, focus is always visible,
and the time form (as-of, known-at) submits from the keyboard to a bookmarkable URL."""

from __future__ import annotations

import pytest

from site_pages import FIRST_FOCUSABLE_JS, FOCUS_JS, GOAL, PAGE_IDS, PAGES, Page, open_page

MAX_TAB_STOPS = 30


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_first_tab_focuses_first_link_or_control_with_visible_outline(page, base_url, p):
    open_page(page, base_url, p)
    page.keyboard.press("Tab")
    first = page.evaluate(FIRST_FOCUSABLE_JS)
    assert first["same"], f"{p.path}: Tab from the top focused {first['focused']}, the first link/control is {first['first']}"
    focus = page.evaluate(FOCUS_JS)
    assert focus is not None, f"{p.path}: Tab from the top focused nothing"
    assert focus["visible"], f"{p.path}: the focused {focus['element']} has no visible focus indicator: {focus}"


@pytest.mark.parametrize("p", [Page("goal", f"/e/{GOAL}", "da"), Page("audit", "/audit", "da")], ids=["goal", "audit"])
def test_every_tab_stop_shows_visible_focus(page, base_url, p):
    open_page(page, base_url, p)
    invisible = []
    for _ in range(MAX_TAB_STOPS):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_JS)
        if focus is None:
            break
        if not focus["visible"]:
            invisible.append(focus)
    assert not invisible, f"{p.path}: tab stops without a visible focus indicator: {invisible}"


@pytest.mark.parametrize("p", [Page("home", "/", "da"), Page("goal", f"/e/{GOAL}", "da"),
                               Page("goal-en", f"/e/{GOAL}?lang=en", "en")], ids=["home", "goal", "goal-en"])
def test_time_form_submits_by_keyboard_to_as_of_url(page, base_url, p):
    open_page(page, base_url, p)
    assert page.locator('form input[name="as-of"]').count() >= 1, f"{p.path}: no form input named as-of"
    assert page.locator('form:has(input[name="as-of"]) input[name="known-at"]').count() >= 1, \
        f"{p.path}: the as-of form has no input named known-at"
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.getAttribute('name')") == "as-of":
            break
    else:
        pytest.fail(f"{p.path}: Tab never reached the as-of input")
    kind = page.evaluate("document.activeElement.type")
    if kind == "date":
        # A date field's segments follow the browser's locale; set the ISO value, then carry on by keyboard.
        page.locator(':focus').fill("2022-06-30")
    else:
        page.keyboard.press("Control+A")
        page.keyboard.type("2022-06-30")
    with page.expect_navigation() as nav:
        page.keyboard.press("Enter")
    resp = nav.value
    assert "as-of=" in page.url, f"{p.path}: Enter in the as-of field went to {page.url}"
    assert resp is not None and resp.status == 200, f"{p.path}: the submitted form answered {resp and resp.status} at {page.url}"
    assert page.evaluate("document.documentElement.getAttribute('lang')") == p.lang, \
        f"{p.path}: the submitted form lost the language: {page.url}"
