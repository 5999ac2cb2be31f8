"""Wagtail hooks for the issue editor: the readiness checklist panel's styles."""

from django.utils.html import format_html

from wagtail import hooks

CHECKLIST_CSS = """
.issue-checklist__list { list-style: none; margin: 0 0 1rem; padding: 0; }
.issue-checklist__list li { display: flex; gap: .5rem; align-items: baseline; margin: .25rem 0; }
.issue-checklist__list[data-level="error"] li { color: var(--w-color-critical-200, #cd4444); }
.issue-checklist__list[data-level="warning"] li { color: var(--w-color-text-context, inherit); }
.issue-checklist__list .icon { width: 1em; height: 1em; flex: none; }
"""


@hooks.register("insert_editor_css")
def issue_checklist_css():
    return format_html("<style>{}</style>", CHECKLIST_CSS)
