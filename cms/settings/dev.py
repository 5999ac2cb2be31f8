from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "django-insecure-dev-only-smakom-key-change-me"  # noqa: S105
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

# runserver serves static files from the app folders; WhiteNoise only needs STATIC_ROOT to exist.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# runserver starts a thread per request: a kept connection would never be used again, only left
# for the garbage collector (Django's advice for development). Production keeps connections.
DATABASES["default"]["CONN_MAX_AGE"] = 0
