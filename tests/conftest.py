"""Shared fixtures live in tests/fixtures/, one module per concern, loaded here."""

pytest_plugins = [
    "tests.fixtures.pages",
    "tests.fixtures.sandbox",
    "tests.fixtures.browser",
]
