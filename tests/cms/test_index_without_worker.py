"""The search and reference index after `load_demo` and `update_index`, with no worker running.

The database queue of `make run` and production is on (tests otherwise run tasks at once), and no
`db_worker` runs: whatever the commands leave to a task would be missing. On SQLite and PostgreSQL.
"""

from io import StringIO

import pytest
from django_tasks_db.models import DBTaskResult

from django.core.management import call_command

from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.search.models import IndexEntry

from cms.indexing import index_inline
from cms.settings.base import TASKS as DB_TASKS
from home.models import ArticlePage

pytestmark = pytest.mark.django_db

GRASTORP = "fran-ord-till-handling-pa-sex-dagar"
INDEX_TASKS = {
    "modelsearch.tasks.insert_or_update_object_task",
    "wagtail.tasks.update_reference_index_task",
}


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS


def found(client, q):
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return [r["title"] for r in response.context["page_obj"].object_list]


def grastorp_image_usage():
    story = ArticlePage.objects.get(slug=GRASTORP)
    image = get_image_model().objects.get(title="Grästorp för Ukraina")
    return story, ReferenceIndex.get_references_to(image).filter(object_id=str(story.pk))


def test_search_finds_the_demo_right_after_load_demo(db_queue, client):
    call_command("load_demo", stdout=StringIO())

    story = ArticlePage.objects.get(slug=GRASTORP)
    assert story.title in found(client, "flyktingar")
    # The story's image is in the reference index ("usage" in the admin).
    assert grastorp_image_usage()[1].exists()
    # Nothing was left to a worker.
    assert not DBTaskResult.objects.filter(task_path__in=INDEX_TASKS).exists()


def test_update_index_rebuilds_both_indexes_in_process(db_queue, client):
    call_command("load_demo", stdout=StringIO())
    IndexEntry.objects.all().delete()
    ReferenceIndex.objects.all().delete()
    assert found(client, "flyktingar") == []

    call_command("update_index", verbosity=0)

    story, usage = grastorp_image_usage()
    assert story.title in found(client, "flyktingar")
    assert usage.exists()
    assert not DBTaskResult.objects.filter(task_path__in=INDEX_TASKS).exists()


def test_outside_the_block_a_save_is_left_to_the_worker(db_queue, home_page):
    DBTaskResult.objects.all().delete()  # what building the home page enqueued
    # The fault `index_inline` exists for: an ordinary save only enqueues, and the index waits.
    home_page.title = "SmåKom, ny rubrik"
    home_page.save()
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == INDEX_TASKS


def test_a_failed_block_indexes_nothing_and_saves_enqueue_again(db_queue, home_page):
    DBTaskResult.objects.all().delete()  # what building the home page enqueued
    with pytest.raises(RuntimeError), index_inline():
        home_page.title = "Sökbar rubrik zebrafink"
        home_page.save()
        raise RuntimeError("import failed")
    assert not IndexEntry.objects.filter(title__icontains="zebrafink").exists()
    assert not DBTaskResult.objects.exists()

    # The receivers are back: a save outside the block is left to the worker as before.
    home_page.save()
    assert set(DBTaskResult.objects.values_list("task_path", flat=True)) == INDEX_TASKS
