"""The pages the browser test visits, and the checks shared by its modules."""

from __future__ import annotations

from dataclasses import dataclass

PLAN = "ballerup/erhverv-2021"
GOAL = "ballerup/erhverv-2021/mal-3"  # its target is revised by Tests/GoalLedgerTests/Fixtures/web/revisions.ndjson
INDICATOR = "ballerup/erhverv-2021/mal-3/erhvervsuddannelse-andel"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    lang: str
    status: int = 200


PAGES = [
    Page("home", "/", "da"),
    Page("plan", f"/e/{PLAN}", "da"),
    Page("goal", f"/e/{GOAL}", "da"),
    Page("goal-as-of", f"/e/{GOAL}?as-of=2022-06-30", "da"),
    Page("indicator", f"/e/{INDICATOR}", "da"),
    Page("audit", "/audit", "da"),
    Page("verify", "/verify", "da"),
    Page("not-found", "/e/ballerup/findes-ikke", "da", 404),
    Page("home-en", "/?lang=en", "en"),
    Page("plan-en", f"/e/{PLAN}?lang=en", "en"),
    Page("goal-en", f"/e/{GOAL}?lang=en", "en"),
    Page("indicator-en", f"/e/{INDICATOR}?lang=en", "en"),
    Page("audit-en", "/audit?lang=en", "en"),
    Page("verify-en", "/verify?lang=en", "en"),
]
PAGE_IDS = [p.name for p in PAGES]
GOAL_PAGES = [p for p in PAGES if p.name in ("goal", "goal-en")]


def open_page(page, base_url: str, p: Page):
    """Loads the page and checks its status, so every check starts from a page that answered as it should."""
    resp = page.goto(base_url + p.path, wait_until="load")
    assert resp is not None, f"no response for {p.path}"
    assert resp.status == p.status, f"{p.path}: HTTP {resp.status}, expected {p.status}"
    return resp


# The element that has focus and whether a person can see it: an outline that is drawn, or a box-shadow.
FOCUS_JS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return null;
  const s = getComputedStyle(e);
  // Chromium moves focus into a date field's own calendar button as one more tab stop; the field then no
  // longer matches :focus, and the browser draws its own focus ring on that button (not visible to CSS).
  const picker = e.tagName === 'INPUT' && /^(date|time|datetime-local|month|week)$/.test(e.type) && !e.matches(':focus');
  const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const shadow = s.boxShadow && s.boxShadow !== 'none';
  return {
    element: e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.getAttribute('name') ? `[name="${e.getAttribute('name')}"]` : ''),
    href: e.getAttribute('href'),
    text: (e.textContent || e.value || '').trim().replace(/\\s+/g, ' ').slice(0, 60),
    outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
    boxShadow: s.boxShadow,
    picker,
    visible: outline || !!shadow || picker,
  };
}"""

# Whether the focused element is the first keyboard-focusable element in document order.
FIRST_FOCUSABLE_JS = """() => {
  const sel = 'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), '
            + 'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const all = [...document.querySelectorAll(sel)].filter(e =>
      e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
  const first = all[0] || null;
  const d = e => e ? e.tagName.toLowerCase() + (e.getAttribute('href') ? ` href=${e.getAttribute('href')}` : '')
                    + ` "${(e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40)}"` : 'nothing';
  return {same: first !== null && first === document.activeElement, first: d(first), focused: d(document.activeElement)};
}"""


def describe_violations(violations: list[dict]) -> str:
    out = []
    for v in violations:
        out.append(f"- {v['id']} ({v.get('impact')}): {v.get('help')} [{v.get('helpUrl', '')}]")
        for n in v.get("nodes", []):
            out.append(f"    target {n.get('target')}: {n.get('html', '')[:200]}")
            summary = (n.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                out.append(f"      {summary[:400]}")
    return "\n".join(out)
