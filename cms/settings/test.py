import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
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
ANYMAIL = {**ANYMAIL, "MANDRILL_API_KEY": "test-mandrill-key", "WEBHOOK_SECRET": "anymail:secret"}
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "swedish"}
}

# WhiteNoise warns when STATIC_ROOT does not exist; tests serve static files through the finders.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="smakom-test-static-"))
MAILCHIMP_API_URL = (
    "http://127.0.0.1:9/3.0"  # tests without the sandbox fixture never leave the machine
)
