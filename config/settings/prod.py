"""Production settings: no secret defaults, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, SECRET_KEY, STORAGES, env

DEBUG = False

_PLACEHOLDERS = {"", "dev-insecure-change-me", "change-me", "changeme", "secret"}
if SECRET_KEY in _PLACEHOLDERS or len(SECRET_KEY) < 40:
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and not env.bool("ALLOW_SQLITE", default=False):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if CELERY_BROKER_URL.startswith("memory://"):
    raise ImproperlyConfigured("REDIS_URL (or CELERY_BROKER_URL) must be set in production.")

# No default: the host names this site answers to are the deployment's to name.
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
