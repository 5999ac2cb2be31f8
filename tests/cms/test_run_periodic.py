"""`manage.py run_periodic`: enqueues each periodic task into the database queue, once."""

from io import StringIO

import pytest
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.core.management import call_command

# The database queue that `make run` and production use (tests run tasks immediately).
from cms.settings.base import TASKS as DB_TASKS

pytestmark = pytest.mark.django_db


@pytest.fixture
def db_queue(settings):
    settings.TASKS = DB_TASKS


def test_every_periodic_task_is_enqueued_once_while_it_waits(db_queue):
    paths = [path for path, _interval in settings.PERIODIC_TASKS]
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert sorted(DBTaskResult.objects.values_list("task_path", flat=True)) == sorted(paths)

    # The worker has not run them yet: a second tick adds nothing.
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert DBTaskResult.objects.count() == len(paths)
    assert out.getvalue().count("already waiting") == len(paths)

    # Once one has run, it is enqueued again.
    DBTaskResult.objects.filter(task_path=paths[0]).update(status="SUCCESSFUL")
    call_command("run_periodic", "--once", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path=paths[0]).count() == 2
