"""Settings shared by every environment. Configuration comes from the environment."""

import os
from pathlib import Path

import dj_database_url

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SMAKOM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "cms",
    "home",
    "newsletter",
    "search",
    "api",
    "mailchimp_sandbox",
    "wagtail.api.v2",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "corsheaders",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# SQLite is the embedded default; PostgreSQL in production (DATABASE_URL).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=600,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the task worker share the file: wait for locks instead of failing,
    # and take the write lock up front so transactions never deadlock on upgrade. Connections
    # are kept (conn_max_age above): opening one runs the PRAGMAs, which wait for the other
    # writers, and that halved the webhook's throughput (benchmarks/bench_webhooks.py).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Swedish throughout.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Svenska"))]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("sv", "Svenska")]
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("sv", "Svenska")]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared between the web process and the worker, so rate limits hold across processes.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cms_cache",
        }
    }

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Wagtail
WAGTAIL_SITE_NAME = "SmåKom"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "swedish",
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_FORMAT_CONVERSIONS = {"avif": "avif", "bmp": "webp", "webp": "webp"}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILAPI_BASE_URL = os.environ.get("WAGTAILAPI_BASE_URL", WAGTAILADMIN_BASE_URL)
WAGTAILAPI_LIMIT_MAX = 100
WAGTAILAPI_SEARCH_ENABLED = True

# Background work: django-tasks with the database backend (`manage.py db_worker`).
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mailchimp"]}
}

# CORS for the headless API only.
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/.*$"

# Email: the mail we send ourselves (double opt-in, welcome) goes through django-anymail.
# Mailchimp Transactional (Mandrill) is the ESP; MANDRILL_API_URL lets dev and tests point it
# at the local Mailchimp sandbox.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "anymail.backends.mandrill.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SmåKom <nyhetsbrev@smakom.se>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ANYMAIL = {
    "MANDRILL_API_KEY": os.environ.get("MANDRILL_API_KEY", ""),
    "MANDRILL_WEBHOOK_KEY": os.environ.get("MANDRILL_WEBHOOK_KEY", ""),
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""),
}
if os.environ.get("MANDRILL_API_URL"):
    ANYMAIL["MANDRILL_API_URL"] = os.environ["MANDRILL_API_URL"]
if os.environ.get("MANDRILL_WEBHOOK_URL"):
    ANYMAIL["MANDRILL_WEBHOOK_URL"] = os.environ["MANDRILL_WEBHOOK_URL"]

# Mailchimp Marketing API (campaigns and audience).
MAILCHIMP_API_KEY = os.environ.get("MAILCHIMP_API_KEY", "")
MAILCHIMP_API_URL = os.environ.get("MAILCHIMP_API_URL", "")
MAILCHIMP_AUDIENCE_ID = os.environ.get("MAILCHIMP_AUDIENCE_ID", "")
MAILCHIMP_WEBHOOK_SECRET = os.environ.get("MAILCHIMP_WEBHOOK_SECRET", "")
MAILCHIMP_FROM_NAME = os.environ.get("MAILCHIMP_FROM_NAME", "SmåKom")
MAILCHIMP_REPLY_TO = os.environ.get("MAILCHIMP_REPLY_TO", "info@smakom.se")
MAILCHIMP_TIMEOUT = float(os.environ.get("MAILCHIMP_TIMEOUT", "30"))
MAILCHIMP_MAX_ATTEMPTS = int(os.environ.get("MAILCHIMP_MAX_ATTEMPTS", "6"))

# Public base URL used in emails and feeds (every URL in an email is absolute).
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", WAGTAILADMIN_BASE_URL)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}

# Periodic work, enqueued by `manage.py run_periodic` (path, interval in seconds).
PERIODIC_TASKS = [
    ("newsletter.tasks.campaigns.refresh_campaign_reports", 15 * 60),
    ("newsletter.tasks.audience.push_pending_subscribers", 5 * 60),
    ("newsletter.tasks.audience.pull_audience_changes", 10 * 60),
    # The webhook enqueues this itself; the periodic run retries what failed or was missed.
    ("newsletter.tasks.audience.apply_webhook_events", 60),
]

# --- campaigns: Mailchimp campaign sync of newsletter issues -------------------------------------
# Mailchimp's test-email limits (free plan: 6 addresses a test, 12 tests per campaign).
MAILCHIMP_TEST_MAX_ADDRESSES = int(os.environ.get("MAILCHIMP_TEST_MAX_ADDRESSES", "6"))
MAILCHIMP_TEST_MAX_PER_CAMPAIGN = int(os.environ.get("MAILCHIMP_TEST_MAX_PER_CAMPAIGN", "12"))
# How long after sending the periodic task keeps refreshing an issue's report.
NEWSLETTER_REPORT_DAYS = int(os.environ.get("NEWSLETTER_REPORT_DAYS", "30"))

# No requests to gravatar.com from the admin (privacy, and these machines have no internet).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- editor and subscriber experience (issue 14) -----------------------------------------------
# The issue checklist warns about stale content: articles older than this many days before the
# issue, and an issue date more than this many days from today.
NEWSLETTER_STALE_ARTICLE_DAYS = int(os.environ.get("NEWSLETTER_STALE_ARTICLE_DAYS", "60"))
NEWSLETTER_ISSUE_DATE_TOLERANCE_DAYS = int(
    os.environ.get("NEWSLETTER_ISSUE_DATE_TOLERANCE_DAYS", "14")
)
# The site settings' footer facts (postal address, sender, reason) are pushed to the Mailchimp
# audience when saved; the periodic run retries a push that failed.
PERIODIC_TASKS = [
    *PERIODIC_TASKS,
    ("newsletter.tasks.audience_settings.push_audience_settings", 60 * 60),
]
