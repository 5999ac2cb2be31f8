"""axe-core checks shared by the browser tests: serious and critical WCAG 2.1 A/AA violations."""

from axe_playwright_python.sync_playwright import Axe

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def serious_violations(page, *selectors: str) -> list[str]:
    """The serious and critical violations on the page, or only within `selectors` (for pages
    where Wagtail's own widgets are not ours to fix)."""
    # Wagtail's messages and dialogs fade in: measure contrast once the animations are over.
    # (Endless animations such as spinners are left out, and the wait is bounded.)
    page.evaluate(
        """Promise.race([
            Promise.all(document.getAnimations()
                .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
                .map((a) => a.finished.catch(() => null))),
            new Promise((resolve) => setTimeout(resolve, 3000)),
        ])"""
    )
    context = {"include": [[selector] for selector in selectors]} if selectors else None
    results = Axe().run(page, context=context, options=AXE_OPTIONS)
    return [
        f"{v['id']}: {v['help']} {[node['target'] for node in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
