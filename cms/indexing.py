"""Search and reference index for bulk work, written in this process instead of by the worker.

Wagtail (through modelsearch) updates the search index and the reference index of a saved object
in a background task: one `insert_or_update_object_task` and one `update_reference_index_task`
per save. In the web app that is right (the editor does not wait). For bulk work — `load_demo`,
an import — it is not: the index stays empty until a `db_worker` has run every one of those tasks
(on PostgreSQL a search right after `load_demo` found nothing), and a thousand saves leave
thousands of tasks behind.

`index_inline()` wraps such work: while it runs, saves enqueue nothing; when it ends without an
error, each object saved in it is indexed once, here, by the same task functions the worker would
run. Management commands only: it swaps process-wide signal receivers, so never use it inside a
web request.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.core.exceptions import ObjectDoesNotExist
from django.db.models.signals import post_save

_state = threading.local()


def _search_models() -> list:
    from modelsearch.index import get_indexed_models

    return [m for m in get_indexed_models() if getattr(m, "search_auto_update", True)]


@contextmanager
def index_inline():
    """Index what the block saves (search and reference index) when it ends; enqueue nothing."""
    if getattr(_state, "pending", None) is not None:  # nested: the outer block indexes
        yield
        return

    from modelsearch.signal_handlers import post_save_signal_handler
    from modelsearch.tasks import insert_or_update_object_task

    from wagtail.models import ReferenceIndex
    from wagtail.signal_handlers import update_reference_index_on_save
    from wagtail.tasks import update_reference_index_task

    search_models = _search_models()
    search_set = set(search_models)
    tracked_set = set(ReferenceIndex.tracked_models)
    pending: dict[tuple, set] = {}  # (app_label, model_name, pk) -> {"search", "references"}

    def collect(sender, instance, raw=False, **kwargs):
        if raw:
            return
        key = (instance._meta.app_label, instance._meta.model_name, str(instance.pk))
        if sender in search_set:
            pending.setdefault(key, set()).add("search")
        if sender in tracked_set:
            pending.setdefault(key, set()).add("references")

    # Saves enqueue nothing (deletes still update both indexes at once, as they always do).
    tracked_models = list(ReferenceIndex.tracked_models)
    for model in search_models:
        post_save.disconnect(post_save_signal_handler, sender=model)
    for model in tracked_models:
        post_save.disconnect(update_reference_index_on_save, sender=model)
    post_save.connect(collect, dispatch_uid="cms.indexing.collect", weak=False)
    _state.pending = pending
    try:
        yield
    finally:
        _state.pending = None
        post_save.disconnect(dispatch_uid="cms.indexing.collect")
        for model in search_models:
            post_save.connect(post_save_signal_handler, sender=model)
        for model in tracked_models:
            post_save.connect(update_reference_index_on_save, sender=model)

    for (app_label, model_name, pk), kinds in pending.items():
        try:
            if "search" in kinds:
                insert_or_update_object_task.call(app_label, model_name, pk)
            if "references" in kinds:
                update_reference_index_task.call(app_label, model_name, pk)
        except ObjectDoesNotExist:  # saved, then deleted within the block
            continue
