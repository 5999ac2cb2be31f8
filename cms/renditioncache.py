"""The per-process cache of image renditions (CACHES["renditions"])."""

from django.core.cache.backends.locmem import LocMemCache


class RenditionCache(LocMemCache):
    """Keeps what is there: Wagtail writes back every rendition it read from this cache on every
    view (`get_rendition` always, `get_renditions` unless prefetched), which pickled each of an
    article's renditions again per request. A key names the image's file and focal point, so its value
    never changes and the write can be skipped."""

    def set(self, key, value, timeout=None, version=None):
        if not self.has_key(key, version):
            super().set(key, value, timeout=timeout, version=version)

    def set_many(self, data, timeout=None, version=None):
        missing = {key: value for key, value in data.items() if not self.has_key(key, version)}
        return super().set_many(missing, timeout=timeout, version=version)
