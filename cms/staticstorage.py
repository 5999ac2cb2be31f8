"""Static files in production: WhiteNoise's compressed, hashed copies (`collectstatic`)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Each `{% static %}` URL worked out once per process: the manifest does not change while a
    process runs (a deploy starts new ones), and the lookup took longer than most template tags
    on every page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force:
            return super().url(name, force=True)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)
            return url
