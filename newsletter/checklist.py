"""Send-readiness checklist of an issue. TEMPORARY STUB: replaced by the email-rendering work.

Interface (kept by the real implementation):
    check_issue(page) -> Checklist   with .items (code, level "error"|"warning", message) and .has_errors
"""

from dataclasses import dataclass, field


@dataclass
class CheckItem:
    code: str
    level: str  # "error" | "warning"
    message: str


@dataclass
class Checklist:
    items: list[CheckItem] = field(default_factory=list)

    @property
    def errors(self) -> list[CheckItem]:
        return [i for i in self.items if i.level == "error"]

    @property
    def warnings(self) -> list[CheckItem]:
        return [i for i in self.items if i.level == "warning"]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)


def check_issue(page) -> Checklist:
    items = []
    if not page.subject:
        items.append(CheckItem("subject", "error", "Ämnesrad saknas."))
    return Checklist(items)
