"""Settings shared by every environment. Configuration comes from the environment."""

import os
from datetime import timedelta
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
    "events",
    "search",
    "api",
    "webhooks_out",
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
    # Anonymous GETs answered from the page cache before sessions, CSRF and auth (issue 13).
    "cms.pagecache.PageCacheMiddleware",
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

REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    from django.core.exceptions import ImproperlyConfigured

    # Else every request would fail on it while /healthz only called the cache "degraded".
    raise ImproperlyConfigured(
        "REDIS_URL must start with redis://, rediss:// or unix:// (e.g. redis://127.0.0.1:6379/0)."
    )
# --- cache and page cache (issue 13) -------------------------------------------------------------
# The default cache holds the page cache and the rate limits, shared by every process: Redis when
# REDIS_URL is set (several machines), else files under var/cache/ (the gunicorn workers and the
# task worker of one machine share them; the database cache made every GET write to SQLite).
# Image renditions are looked up (and stored back) on every view: they get a per-process memory
# cache, never the database (their keys carry the image's file hash, so a stale entry is unused).
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: a Redis that does not answer makes the site slower, not down
            # (cms/cache.py); the timeouts bound how long one request waits for it.
            "BACKEND": "cms.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
                "socket_timeout": float(os.environ.get("REDIS_TIMEOUT", "0.5")),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
CACHES["renditions"] = {
    "BACKEND": "cms.renditioncache.RenditionCache",
    "LOCATION": "renditions",
    "OPTIONS": {"MAX_ENTRIES": 5_000},
}
# Anonymous GETs are served from the default cache for this long (0 turns the page cache off);
# publishing purges them at once. Browsers may keep a page PAGE_CACHE_BROWSER_SECONDS.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_BROWSER_SECONDS = int(os.environ.get("PAGE_CACHE_BROWSER_SECONDS", "60"))
PAGE_CACHE_EXCLUDE = [
    "/admin/",
    "/documents/",
    "/nyhetsbrev/prenumerera/",
    "/nyhetsbrev/bekrafta/",
    "/nyhetsbrev/avsluta/",
    "/nyhetsbrev/installningar/",
    "/newsletter/",
    "/healthz",
    "/search/",
]
# Varnish (or any cache that accepts PURGE) in front: purged through Wagtail's frontend cache.
FRONTEND_CACHE_URL = os.environ.get("FRONTEND_CACHE_URL", "")
if FRONTEND_CACHE_URL:
    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONTEND_CACHE_URL,
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
    # Scheduled go-live and expiry of pages and issues (Wagtail's publish_scheduled), with purge.
    ("cms.tasks.publish_scheduled", 60),
    ("newsletter.tasks.campaigns.refresh_campaign_reports", 15 * 60),
    ("newsletter.tasks.audience.push_pending_subscribers", 5 * 60),
    ("newsletter.tasks.audience.pull_audience_changes", 10 * 60),
    # The webhook enqueues this itself; the periodic run retries what failed or was missed.
    ("newsletter.tasks.audience.apply_webhook_events", 60),
    # Campaign safety: compares every unfinished campaign with Mailchimp and repairs drift.
    ("newsletter.tasks.campaigns.reconcile_campaigns", 5 * 60),
    # The recipients chooser's list of segments and tags ("Hämta segment" fetches at once).
    ("newsletter.tasks.segments.fetch_segments", 60 * 60),
    # Event registration (events/tasks.py): lapsed waiting-list offers, reminders, retention.
    ("events.tasks.expire_offers", 5 * 60),
    ("events.tasks.send_reminders", 60 * 60),
    ("events.tasks.apply_retention", 60 * 60),
]

# --- campaigns: Mailchimp campaign sync of newsletter issues -------------------------------------
# Mailchimp's test-email limits (free plan: 6 addresses a test, 12 tests per campaign).
MAILCHIMP_TEST_MAX_ADDRESSES = int(os.environ.get("MAILCHIMP_TEST_MAX_ADDRESSES", "6"))
MAILCHIMP_TEST_MAX_PER_CAMPAIGN = int(os.environ.get("MAILCHIMP_TEST_MAX_PER_CAMPAIGN", "12"))
# How long after sending the periodic task keeps refreshing an issue's report.
NEWSLETTER_REPORT_DAYS = int(os.environ.get("NEWSLETTER_REPORT_DAYS", "30"))

# --- campaign safety (issue 10) ------------------------------------------------------------------
# Test emails may go without the send permission only to the requesting user's own address and to
# these staff domains (comma-separated).
NEWSLETTER_TEST_ALLOWED_DOMAINS = env_list("NEWSLETTER_TEST_ALLOWED_DOMAINS", "smakom.se")

# No requests to gravatar.com from the admin (privacy, and these machines have no internet).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- events: registration for events on the site (events/) ---------------------------------------
# Personal data of a past event's registrations is deleted this many days after the event;
# dietary needs (health data) already EVENTS_DIET_RETENTION_DAYS after it.
EVENTS_REGISTRATION_RETENTION_DAYS = int(os.environ.get("EVENTS_REGISTRATION_RETENTION_DAYS", "90"))
EVENTS_DIET_RETENTION_DAYS = int(os.environ.get("EVENTS_DIET_RETENTION_DAYS", "1"))
# Hours a waiting-list offer stays open (never beyond the event's start).
EVENTS_OFFER_HOURS = int(os.environ.get("EVENTS_OFFER_HOURS", "48"))
# The reminder mail goes out this many days before the event.
EVENTS_REMINDER_DAYS = int(os.environ.get("EVENTS_REMINDER_DAYS", "3"))
# --- multinode: several machines (issue 13) --------------------------------------------------------
# GET /healthz for load balancers, answered before host checks, HTTPS redirect and caches
# (cms/health.py).
MIDDLEWARE.insert(0, "cms.health.HealthCheckMiddleware")

# Media (uploads and image renditions) on S3-compatible object storage, shared by every web node:
# a rendition made by one node is a database row and an object in the bucket, used by all.
# MEDIA_STORAGE=s3 selects it; without it, files go to MEDIA_ROOT (one machine only).
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "filesystem").strip().lower()
if MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not AWS_STORAGE_BUCKET_NAME:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME (the media bucket)."
        )
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL") or None  # None: Amazon S3
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME") or None
    # Credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, else boto3's own chain (instance role).
    AWS_ACCESS_KEY_ID = os.environ.get("AWS_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = os.environ.get("AWS_SECRET_ACCESS_KEY") or None
    AWS_LOCATION = os.environ.get("AWS_LOCATION", "media")  # key prefix inside the bucket
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN in front
    # Public media has plain, cacheable URLs (no signed query strings that change every page).
    AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", False)
    AWS_DEFAULT_ACL = None  # the bucket's policy decides, not per-object ACLs
    # Two uploads named alike must never replace each other's file.
    AWS_S3_FILE_OVERWRITE = False
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=86400"}
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
elif MEDIA_STORAGE != "filesystem":
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("MEDIA_STORAGE must be 'filesystem' or 's3'.")
# --- abuse hardening (issue 12): proxies, sign-up limits, admin login throttling, CSP -------------
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx, a load balancer):
# the client is the TRUSTED_PROXY_COUNT-th address from the right. 0: no proxy, REMOTE_ADDR.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0") or 0)
# Sign-up limits (newsletter/ratelimit.py): (allowed, window in seconds).
NEWSLETTER_RATE_LIMITS = {
    # Per IP (IPv6: per /64): an office or a conference Wi-Fi signs up together.
    "signup_ip": (int(os.environ.get("NEWSLETTER_SIGNUPS_PER_IP_HOUR", "60")), 3600),
    # Confirmation mails per mailbox (lower-cased, "+tag" removed) a day.
    "signup_email": (int(os.environ.get("NEWSLETTER_CONFIRMATIONS_PER_MAILBOX_DAY", "3")), 86400),
    # Confirmation mails per domain an hour, and to everyone an hour (tripping warns on the dashboard).
    "signup_domain": (int(os.environ.get("NEWSLETTER_CONFIRMATIONS_PER_DOMAIN_HOUR", "50")), 3600),
    "signup_global": (int(os.environ.get("NEWSLETTER_CONFIRMATIONS_PER_HOUR", "300")), 3600),
}

# Admin login throttling (django-axes): after AXES_FAILURE_LIMIT failed logins for one account, or
# from one client address, further attempts are refused for AXES_COOLOFF_TIME (a Swedish page,
# status 429). Password-reset mails are limited by cms.auth.PasswordResetThrottleMiddleware.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = [
    "cms.auth.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# An issue's publish refused in the admin (e.g. a workflow approval): the checklist's errors on the
# edit page, not a server error (newsletter/admin/publishing.py).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1,
    "newsletter.admin.publishing.PublishRefusedMiddleware",
)
MIDDLEWARE += [
    "cms.auth.PasswordResetThrottleMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused login into the lockout page
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own: an account, an address
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cms.auth.axes_client_ip"
AXES_LOCKOUT_CALLABLE = "cms.auth.lockout_response"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False


# Content-Security-Policy (django-csp 4) and Permissions-Policy on the public site
# (cms/security.py). Public pages have no inline script or style; the 500 page's one inline
# style is allowed by its hash. The admin keeps its own inline code and is left out.
def _inline_style_hash(template: Path) -> str:
    import base64
    import hashlib
    import re

    match = re.search(r"<style>(.*?)</style>", template.read_text(), re.S)
    digest = hashlib.sha256(match.group(1).encode()).digest() if match else b""
    return f"'sha256-{base64.b64encode(digest).decode()}'"


INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "cms.security.CSPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("cms.security.CSPMiddleware") + 1,
    "cms.security.PermissionsPolicyMiddleware",
)
# Frames the site may embed (EmbedBlock: YouTube, Vimeo); more with CSP_FRAME_SRC (comma-separated).
CSP_FRAME_SOURCES = env_list(
    "CSP_FRAME_SRC",
    "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
)
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", _inline_style_hash(BASE_DIR / "templates" / "500.html")],
        "img-src": ["'self'", "data:", *env_list("CSP_IMG_SRC")],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'"],
        "frame-src": ["'self'", *CSP_FRAME_SOURCES],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Wagtail's preview shows pages in a same-origin frame.
        "frame-ancestors": ["'self'"],
    },
}
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)

# Secrets in query strings (the Mailchimp webhook's ?key=) never reach the logs.
LOGGING.setdefault("filters", {})["redact_secrets"] = {"()": "cms.logredact.RedactSecretsFilter"}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("redact_secrets")
# runserver's request log (`make run`): Django's own set-up, plus the filter.
LOGGING.setdefault("formatters", {})["django.server"] = {
    "()": "django.utils.log.ServerFormatter",
    "format": "[{server_time}] {message}",
    "style": "{",
}
LOGGING["handlers"]["django.server"] = {
    "level": "INFO",
    "class": "logging.StreamHandler",
    "formatter": "django.server",
    "filters": ["redact_secrets"],
}
LOGGING["loggers"]["django.server"] = {
    "handlers": ["django.server"],
    "level": "INFO",
    "propagate": False,
}
# --- subscriber integrity (issue 11): erasure tombstones, webhook inbox retention ---------------
# Key of the erasure tombstones (a keyed hash of an erased address). Without it a key derived
# from SECRET_KEY is used, and rotating SECRET_KEY then forgets who was erased: set it in
# production and never rotate it.
NEWSLETTER_TOMBSTONE_KEY = os.environ.get("NEWSLETTER_TOMBSTONE_KEY", "")
# Applied and failed Mailchimp webhook events are deleted after this many days.
NEWSLETTER_WEBHOOK_RETENTION_DAYS = int(os.environ.get("NEWSLETTER_WEBHOOK_RETENTION_DAYS", "7"))
# --- headless: API caching and rate limits, draft previews in the frontend, publish webhooks ------
# Cache-Control of API answers: browsers keep them API_CACHE_MAX_AGE seconds, shared caches (CDN,
# reverse proxy) API_CACHE_SHARED_MAX_AGE; every answer has an ETag and answers 304.
API_CACHE_MAX_AGE = int(os.environ.get("API_CACHE_MAX_AGE", "60"))
API_CACHE_SHARED_MAX_AGE = int(os.environ.get("API_CACHE_SHARED_MAX_AGE", "300"))
# Anonymous API clients: requests allowed per window (seconds) per address; 429 beyond.
API_RATE_LIMIT = (
    int(os.environ.get("API_RATE_LIMIT", "600")),
    int(os.environ.get("API_RATE_LIMIT_WINDOW", "60")),
)
# Addresses or networks without a limit (the frontend's build or rendering servers).
API_RATE_LIMIT_EXEMPT = env_list("API_RATE_LIMIT_EXEMPT")
# The frontend's preview route; the editor's "preview in the site's frontend" opens it with ?token=.
HEADLESS_PREVIEW_URL = os.environ.get("HEADLESS_PREVIEW_URL", "")
HEADLESS_PREVIEW_MAX_AGE = int(os.environ.get("HEADLESS_PREVIEW_MAX_AGE", str(30 * 60)))
# Publish webhooks (webhooks_out): per-request timeout, and how long a failing delivery is retried.
WEBHOOKS_TIMEOUT = float(os.environ.get("WEBHOOKS_TIMEOUT", "10"))
WEBHOOKS_RETRY_FOR = int(os.environ.get("WEBHOOKS_RETRY_FOR", str(24 * 3600)))
PERIODIC_TASKS += [("webhooks_out.tasks.deliver_due", 60)]
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
