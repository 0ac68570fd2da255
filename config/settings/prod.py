"""Production settings: no secret defaults, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, EMAIL_BACKEND, LOGGING, SECRET_KEY, STORAGES, env

DEBUG = False

_PLACEHOLDERS = {"", "dev-insecure-change-me", "change-me", "changeme", "secret"}
# Words of the example values (.env.example, the dev default): a key holding one was copied, not generated.
_PLACEHOLDER_WORDS = ("change-me", "changeme", "insecure", "example", "placeholder")
if (
    SECRET_KEY in _PLACEHOLDERS
    or len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or any(word in SECRET_KEY.lower() for word in _PLACEHOLDER_WORDS)
):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
# These back-ends deliver nothing, and keep every message (sign-up and reset links among them)
# in files, the log or memory.
_UNDELIVERING_EMAIL_BACKENDS = {
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
}
if EMAIL_BACKEND in _UNDELIVERING_EMAIL_BACKENDS:
    raise ImproperlyConfigured(
        "EMAIL_BACKEND must deliver mail in production (e.g. django.core.mail.backends.smtp.EmailBackend)."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool("ALLOW_SQLITE", default=False):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured("REDIS_URL (or CELERY_BROKER_URL) must be set in production.")

# No default: the development list (localhost, testserver) is no production host name.
ALLOWED_HOSTS = [h for h in env.list("ALLOWED_HOSTS", default=[]) if h.strip()]
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the site's host names in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
STORAGES = {
    "default": STORAGES["default"],  # the media folder or the object store (base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Load balancers probe these over plain HTTP on the backend address.
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^ready/$"]
# One JSON object a line, with the request id (base.py's LOGGING).
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", default="") or "json"
if LOGGING["handlers"]["console"]["formatter"] not in LOGGING["formatters"]:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
