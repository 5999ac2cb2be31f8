import pytest

from home.models import HomePage


@pytest.mark.django_db
def test_home_page_is_site_root(home_page, client):
    assert HomePage.objects.count() == 1
    assert home_page.get_site().root_page_id == home_page.pk
