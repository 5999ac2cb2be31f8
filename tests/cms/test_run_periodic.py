"""`manage.py run_periodic`: enqueues each periodic task into the database queue, once, and only\nfrom the one process that holds its lock when several run (several machines)."""

import datetime as dt
import time
from io import StringIO

import pytest
from django_tasks_db.models import DBTaskResult

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from cms import leases
from cms.management.commands.run_periodic import LEASE
from cms.models import Lease

# The database queue that `make run` and production use (tests run tasks immediately).
from cms.settings.base import TASKS as DB_TASKS
from tests.fixtures.nodes import manage, node_env, stop, wait_until

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


def test_scheduled_go_live_and_expiry_happen_without_a_cron_job(home_page):
    """Wagtail publishes scheduled pages only when `publish_scheduled` runs: run_periodic runs
    it, or a page set to go live at 8:00 never would."""
    from home.models import StandardPage

    page = home_page.add_child(instance=StandardPage(title="Senare", slug="senare", live=False))
    revision = page.save_revision(approved_go_live_at=timezone.now() + dt.timedelta(hours=1))
    expiring = home_page.add_child(instance=StandardPage(title="Tidsbegränsad", slug="tid"))
    type(expiring).objects.filter(pk=expiring.pk).update(
        expire_at=timezone.now() - dt.timedelta(minutes=1)
    )
    type(revision).objects.filter(pk=revision.pk).update(
        approved_go_live_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert not StandardPage.objects.get(pk=page.pk).live

    call_command("run_periodic", "--once", stdout=StringIO())  # tasks run at once in tests

    assert StandardPage.objects.get(pk=page.pk).live
    assert not StandardPage.objects.get(pk=expiring.pk).live


# --- several machines: the lease -------------------------------------------------------------


def test_the_lease_has_one_holder_until_released_or_expired():
    assert leases.acquire("job", "a:1", ttl=60)
    assert not leases.acquire("job", "b:2", ttl=60)
    assert leases.acquire("job", "a:1", ttl=60)  # the holder renews
    leases.release("job", "b:2")  # not b's to release
    assert not leases.acquire("job", "b:2", ttl=60)
    leases.release("job", "a:1")
    assert leases.acquire("job", "b:2", ttl=60)

    # A holder that stops renewing (it died): once expired, another takes the lease.
    Lease.objects.filter(name="job").update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert leases.acquire("job", "a:1", ttl=60)
    assert Lease.objects.get(name="job").holder == "a:1"


def test_two_containers_with_the_same_host_name_and_pid_are_two_holders(monkeypatch):
    # Containers on the host's network share its name, and each runs its command as pid 1.
    monkeypatch.setattr(leases.socket, "gethostname", lambda: "node-1")
    monkeypatch.setattr(leases.os, "getpid", lambda: 1)
    first, second = leases.this_process(), leases.this_process()
    assert first.startswith("node-1/") and second.endswith(":1")
    assert leases.acquire(LEASE, first, ttl=60)
    assert not leases.acquire(LEASE, second, ttl=60)


def test_once_enqueues_nothing_while_another_process_holds_the_lock(db_queue):
    assert leases.acquire(LEASE, "other-machine:4242", ttl=60)
    out = StringIO()
    call_command("run_periodic", "--once", stdout=out)
    assert "another run_periodic holds the lock" in out.getvalue()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_run_periodic_at_once_one_enqueues_the_other_takes_over_when_it_dies():
    """Two `run_periodic` processes started together, as on two machines: exactly one enqueues.

    The test plays the worker (it marks what was enqueued as done, so the holder enqueues again
    each interval). Then the holder is killed without a chance to release its lock; the stand-by
    takes over once the lease has expired.
    """
    paths = [path for path, _interval in settings.PERIODIC_TASKS]
    env = node_env(TASKS=DB_TASKS, PERIODIC_TASKS=[[path, 0.2] for path in paths])
    # A lease of 3 s: long enough that a loaded machine's slow tick does not lose it.
    args = ("run_periodic", "--tick", "0.05", "--lease", "3", "--verbosity", "2")
    first, second = manage(*args, env=env), manage(*args, env=env)
    by_pid = {first.pid: first, second.pid: second}
    try:

        def holder_pid():
            lease = Lease.objects.filter(name=LEASE).exclude(holder="").first()
            return lease and int(lease.holder.rsplit(":", 1)[1])

        holder = by_pid[wait_until(holder_pid, timeout=60, what="a lock holder")]
        standby = second if holder is first else first
        standby.wait_for("periodic: standing by")
        # The worker's part: what waits is done, so the holder enqueues it again each interval.
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            DBTaskResult.objects.filter(status="READY").update(status="SUCCESSFUL")
            time.sleep(0.05)
        holder_out = holder.kill()  # no release: the lease must expire
        wait_until(lambda: holder_pid() == standby.pid, timeout=20, what="the take-over")
        standby.wait_for("periodic: holding the lock")
    except AssertionError as error:
        outputs = "\n---\n".join(stop(first, second))
        raise AssertionError(f"{error}\n{outputs[-4000:]}") from error
    finally:
        stop(first, second)
    standby_out = standby.output

    assert "periodic: holding the lock" in holder_out
    assert "standing by" not in holder_out
    assert holder_out.count("enqueued") > len(paths)  # it ran for a while, enqueueing again
    # The stand-by enqueued nothing until it held the lock.
    before, _took_over, after = standby_out.partition("periodic: holding the lock")
    assert "enqueued" not in before, standby_out
    # Every enqueue is one of theirs (the killed holder may have died between an enqueue and
    # saying so).
    said = holder_out.count("enqueued") + after.count("enqueued")
    assert DBTaskResult.objects.count() - said in (0, 1)
    # The stand-by released the lock when it was stopped.
    assert Lease.objects.get(name=LEASE).holder == ""
