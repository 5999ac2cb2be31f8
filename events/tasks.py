"""Periodic work of event registration (settings.PERIODIC_TASKS, run by `run_periodic`)."""

from django_tasks import task

from events import services


@task()
def expire_offers() -> int:
    """Waiting-list offers not accepted in time lapse and go to the next in line."""
    return services.expire_offers()


@task()
def send_reminders() -> int:
    """The reminder mail EVENTS_REMINDER_DAYS before an event, once per registration."""
    return services.send_reminders()


@task()
def apply_retention() -> dict:
    """Dietary data, then all personal data, of past events' registrations is deleted."""
    return services.apply_retention()
