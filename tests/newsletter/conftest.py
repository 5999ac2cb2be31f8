"""The campaign fixtures, for every newsletter test (a module's own fixture of the same name wins)."""

from tests.newsletter.campaign_fixtures import (  # noqa: F401
    editor,
    issue,
    sandbox,
    sender,
    site_settings,
)
