"""Local → Mailchimp audience sync entry points. TEMPORARY STUB: replaced by the audience-sync work.

Interface (kept by the real implementation):
    schedule_push(subscriber)  -> None   # after commit, enqueue pushing this subscriber's state
    schedule_erasure(email)    -> None   # after commit, enqueue Mailchimp delete-permanent
"""


def schedule_push(subscriber) -> None:
    subscriber.__class__.objects.filter(pk=subscriber.pk).update(mailchimp_needs_push=True)


def schedule_erasure(email: str) -> None:
    return None
