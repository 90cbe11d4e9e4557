"""Every page in a real browser: status and language, WCAG 2.1 A/AA by axe-core, no script, reflow at 320 px,
screenshots, and the goal's target-history chart as an accessible SVG."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import SCREENSHOTS
from site_pages import AXE_TAGS, GOAL_PAGES, PAGE_IDS, PAGES, describe_violations, open_page

AXE = Axe()


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_page_answers_with_status_and_html_lang(page, base_url, p):
    open_page(page, base_url, p)
    lang = page.evaluate("document.documentElement.getAttribute('lang')")
    assert lang == p.lang, f"{p.path}: <html lang={lang!r}>, expected {p.lang!r}"
    assert page.title().strip(), f"{p.path}: empty <title>"


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_page_has_no_axe_wcag21aa_violations(page, base_url, p):
    open_page(page, base_url, p)
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    assert not violations, f"axe-core found {len(violations)} violation(s) on {p.path}:\n" + describe_violations(violations)


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_page_runs_no_script(page, base_url, p):
    open_page(page, base_url, p)
    found = page.evaluate("""() => ({
        scripts: document.scripts.length,
        handlers: [...document.querySelectorAll('*')].flatMap(e =>
            [...e.attributes].filter(a => a.name.startsWith('on')).map(a => `${e.tagName.toLowerCase()} ${a.name}`)),
        jsLinks: [...document.querySelectorAll('[href], [src], [action]')].map(e =>
            e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
            .filter(u => /^\\s*javascript:/i.test(u)),
    })""")
    assert found == {"scripts": 0, "handlers": [], "jsLinks": []}, f"{p.path} runs script: {found}"


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_page_screenshot_1280(page, base_url, p):
    open_page(page, base_url, p)
    page.screenshot(path=str(SCREENSHOTS / f"{p.name}.png"), full_page=True)
    assert (SCREENSHOTS / f"{p.name}.png").stat().st_size > 0


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_page_reflows_at_320px_without_horizontal_scroll(narrow_page, base_url, p):
    # WCAG 1.4.10: at 320 CSS px nothing may need scrolling sideways (wide tables scroll inside their own box).
    open_page(narrow_page, base_url, p)
    narrow_page.screenshot(path=str(SCREENSHOTS / f"{p.name}-320.png"), full_page=True)
    width = narrow_page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        widest = narrow_page.evaluate("""() => [...document.querySelectorAll('body *')]
            .map(e => [e.getBoundingClientRect().right, e])
            .filter(([r]) => r > 320).slice(-5)
            .map(([r, e]) => `${e.tagName.toLowerCase()}${e.className ? '.' + String(e.className).split(' ').join('.') : ''} right=${Math.round(r)}`)""")
        pytest.fail(f"{p.path} at 320 px: document.documentElement.scrollWidth = {width} > 320; "
                    f"elements reaching past 320 px: {widest}")


@pytest.mark.parametrize("p", GOAL_PAGES, ids=[p.name for p in GOAL_PAGES])
def test_goal_target_chart_is_svg_img_with_title_and_desc(page, base_url, p):
    open_page(page, base_url, p)
    charts = page.locator('svg[role="img"]')
    assert charts.count() >= 1, f"{p.path}: no svg[role=img] (the target-history chart)"
    chart = charts.first
    title = chart.evaluate("s => { const t = s.querySelector(':scope > title'); return t ? t.textContent.trim() : null; }")
    desc = chart.evaluate("s => { const d = s.querySelector(':scope > desc'); return d ? d.textContent.trim() : null; }")
    assert title, f"{p.path}: the chart has no non-empty <title> as its first-level child"
    assert desc, f"{p.path}: the chart has no non-empty <desc> as its first-level child"
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, f"{p.path}: the chart is not drawn at a readable size: {box}"


@pytest.mark.parametrize("p", PAGES, ids=PAGE_IDS)
def test_every_table_has_caption_and_scoped_headers(page, base_url, p):
    # Issue 10: tables with <caption> and <th scope>, so a screen reader names each table and each cell's headers.
    open_page(page, base_url, p)
    bad = page.evaluate("""() => [...document.querySelectorAll('table')].flatMap((t, i) => {
        const out = [];
        if (!(t.caption && t.caption.textContent.trim())) out.push(`table ${i + 1}: no caption`);
        if (!t.querySelector('th')) out.push(`table ${i + 1}: no header cells`);
        const unscoped = [...t.querySelectorAll('th')].filter(h => !['col', 'row', 'colgroup', 'rowgroup'].includes(h.getAttribute('scope')));
        if (unscoped.length) out.push(`table ${i + 1}: ${unscoped.length} <th> without scope, e.g. "${unscoped[0].textContent.trim().slice(0, 40)}"`);
        return out;
    })""")
    assert not bad, f"{p.path}: " + "; ".join(bad)


@pytest.mark.parametrize("p", GOAL_PAGES, ids=[p.name for p in GOAL_PAGES])
def test_goal_chart_data_also_given_as_table_after_it(page, base_url, p):
    # Issue 10: the chart's data as a <table> under it, for whoever cannot see the picture.
    open_page(page, base_url, p)
    found = page.evaluate("""() => {
        const s = document.querySelector('svg[role="img"]');
        return !!s && [...document.querySelectorAll('table')].some(t =>
            (s.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING) && t.querySelectorAll('tbody tr, tr').length > 1);
    }""")
    assert found, f"{p.path}: no data table follows the target-history chart"
