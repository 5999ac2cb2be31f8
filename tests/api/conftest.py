import pytest

from .content import build_content


@pytest.fixture
def content(home_page):
    return build_content(home_page)
