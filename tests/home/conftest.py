import pytest

from home.demo.loader import Loader


@pytest.fixture
def demo(home_page):
    """The whole demo site (the April 2022 newsletter) on top of the test's home page."""
    return Loader().run()
