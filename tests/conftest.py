"""Shared fixtures live in tests/fixtures/, one module per concern, loaded here."""

import pytest

pytest_plugins = [
    "tests.fixtures.pages",
    "tests.fixtures.sandbox",
    "tests.fixtures.browser",
]


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts with empty caches: the database is rolled back after each test, so what a
    cache remembers about it (rate-limit counters, "any view restrictions?") must go too."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
