import atexit
import os
import shutil
import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The page cache is off unless a test turns it on (tests/cms/test_page_cache.py): most tests change
# rows directly and read the page again.
PAGE_CACHE_SECONDS = 0
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="smakom-test-media-"))
# Tests run tasks in-process unless a test swaps in another backend (DummyBackend to assert enqueueing).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_BASE_URL = "http://testserver"
MAILCHIMP_API_KEY = "test0000000000000000000000000000-us1"
MAILCHIMP_AUDIENCE_ID = "testaudience"
MAILCHIMP_WEBHOOK_SECRET = "test-webhook-secret"
MAILCHIMP_TIMEOUT = 5
ANYMAIL = {
    **ANYMAIL,
    "MANDRILL_API_KEY": "test-mandrill-key",
    "WEBHOOK_SECRET": "anymail:secret",
    # Both tracking-webhook keys are set, so the webhook is mounted (tests remove them to see it
    # refused). [integrity]
    "MANDRILL_WEBHOOK_KEY": "test-mandrill-webhook-key",
}
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "swedish"}
}

# WhiteNoise warns when STATIC_ROOT does not exist; tests serve static files through the finders.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="smakom-test-static-"))
for _scratch in (MEDIA_ROOT, STATIC_ROOT):
    atexit.register(shutil.rmtree, _scratch, ignore_errors=True)
MAILCHIMP_API_URL = (
    "http://127.0.0.1:9/3.0"  # tests without the sandbox fixture never leave the machine
)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not os.environ.get(
    "TEST_DATABASE_NAME"
):
    # A file, as in `make run`, not the in-memory default: with WAL and the busy timeout, the
    # live server's threads wait for each other's writes as production does (the shared-cache
    # in-memory database fails at once with "database table is locked" instead).
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"smakom-test-{os.getpid()}.sqlite3")
    }
