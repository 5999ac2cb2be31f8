"""Search logging, done by the task worker so a search answers without waiting for it."""

from django_tasks import task

from wagtail.contrib.search_promotions.models import Query

from .models import ZeroResultHits


@task()
def log_search(query_string: str, found: int) -> None:
    """Count the search for the editors' reports (popular, and without results)."""
    query = Query.get(query_string)
    query.add_hit()
    if found == 0:
        ZeroResultHits.add_hit(query)
