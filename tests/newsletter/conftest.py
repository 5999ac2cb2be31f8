"""The campaign fixtures, for every newsletter test (a module's own fixture of the same name wins)."""

from tests.newsletter.campaign_fixtures import (  # noqa: F401
    editor,
    issue,
    sandbox,
    scheduled,
    sender,
    site_settings,
)
