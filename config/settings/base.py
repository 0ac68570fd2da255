"""Settings shared by every environment. Every value comes from the environment through `env`."""

from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from pythonjsonlogger.core import RESERVED_ATTRS

from config.env import read_env_file

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
read_env_file()  # the entry points read it already; this covers anything else importing settings

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Addresses or networks of the reverse proxies whose X-Forwarded-For is believed (config/proxies.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "contest",
    "submissions",
    "judging",
    "judging.results",
    "notifications",
]

MIDDLEWARE = [
    "config.request_id.RequestIdMiddleware",
    "config.proxies.TrustedProxyMiddleware",  # before the rest: everything after it sees the client's address
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Writes the refusals of a request after its view's transactions ended (contest/security_events.py).
    "contest.security_events.SecurityEventMiddleware",
    # After authentication (a page's limit may depend on the user), before any view or CSRF reads a form.
    "config.body_limits.RequestBodyLimitMiddleware",
    "config.input_guard.NullByteGuardMiddleware",
    "contest.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "contest.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "contest.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif env.bool("DB_SERVER_SIDE_BINDING", default=True):
    # Parameters bound by the server, and a statement a connection has run 5 times kept
    # prepared: PostgreSQL then skips parsing and planning it. This halved PostgreSQL's CPU per
    # upload + submit (bench/bench_deadline_rush.py). Needs a session-level connection: turn it
    # off behind a transaction-pooling proxy (PgBouncer in transaction mode).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=env.int("DB_PREPARE_THRESHOLD", default=5)
    )

AUTH_USER_MODEL = "contest.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Solution files live here; they are never served from a public URL, only through
# the authorised download views.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media-not-served/"

# Where solution files, objection evidence and issued certificates are kept: this folder by
# default, an S3-compatible object store with FILE_STORAGE_URL (or AWS_STORAGE_BUCKET_NAME and
# the other AWS_* variables). MEDIA_ROOT then only holds the spool of uploads being received.
FILE_STORAGE_URL = env("FILE_STORAGE_URL", default="")
# Object storage: downloads are answered with a redirect to a pre-signed URL valid this long
# (the permission is checked first); FILE_DOWNLOAD_REDIRECT=False streams through the web host.
FILE_DOWNLOAD_REDIRECT = env.bool("FILE_DOWNLOAD_REDIRECT", default=True)
FILE_URL_EXPIRE_SECONDS = env.int("FILE_URL_EXPIRE_SECONDS", default=60)


def object_storage_options(url: str) -> dict:
    """S3Storage options from `s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX]?region=…` (HTTPS;
    `s3+http://` for a plain-HTTP endpoint; without a host, AWS itself; without KEY:SECRET,
    boto3's own credential chain). Key and secret are percent-encoded."""
    parts = urlsplit(url)
    if parts.scheme not in ("s3", "s3+http", "s3+https"):
        raise ImproperlyConfigured("FILE_STORAGE_URL must start with s3://, s3+https:// or s3+http://")
    bucket, _slash, prefix = parts.path.lstrip("/").partition("/")
    if not bucket:
        raise ImproperlyConfigured("FILE_STORAGE_URL names no bucket: s3://KEY:SECRET@HOST/BUCKET")
    query = dict(parse_qsl(parts.query))
    host = parts.hostname and (f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname)
    options = {
        "bucket_name": bucket,
        "location": prefix.strip("/"),
        "endpoint_url": f"{'http' if parts.scheme == 's3+http' else 'https'}://{host}" if host else None,
        "region_name": query.get("region") or None,
        "access_key": unquote(parts.username) if parts.username else None,
        "secret_key": unquote(parts.password) if parts.password else None,
        # S3-compatible servers (MinIO, Ceph, …) are addressed by path; AWS accepts both.
        "addressing_style": query.get("addressing", "path" if host else "auto"),
    }
    return {key: value for key, value in options.items() if value is not None}


if FILE_STORAGE_URL:
    _object_storage = object_storage_options(FILE_STORAGE_URL)
elif env("AWS_STORAGE_BUCKET_NAME", default=""):
    _object_storage = {
        key: value
        for key, value in {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "location": env("AWS_LOCATION", default=""),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env(
                "AWS_S3_ADDRESSING_STYLE", default="path" if env("AWS_S3_ENDPOINT_URL", default="") else "auto"
            ),
        }.items()
        if value is not None
    }
else:
    _object_storage = None


def default_storage_setting(options: dict | None, *, expire: int) -> dict:
    """STORAGES["default"]: the media folder, or the object store with `options`."""
    if options is None:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    return {
        "BACKEND": "config.object_storage.ObjectStorage",
        "OPTIONS": options
        | {
            "signature_version": "s3v4",
            "default_acl": None,  # the bucket's own (private) policy
            "querystring_auth": True,
            "querystring_expire": expire,
            # Names are generated (uuid4): nothing to protect by asking first, one request saved.
            "file_overwrite": True,
        },
    }


STORAGES = {
    "default": default_storage_setting(_object_storage, expire=FILE_URL_EXPIRE_SECONDS),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads larger than this go to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Any request body over this is refused (413) before it is read; only the upload views accept
# more, up to their own limits (config/body_limits.py). Keep the proxy's limit (nginx
# client_max_body_size) at or above the largest upload limit.
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_BYTES
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 20
FILE_UPLOAD_PERMISSIONS = 0o640

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=BASE_DIR / "var" / "mail")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Jiebang <noreply@example.com>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Redis, cache and Celery -------------------------------------------------------------
# One Redis per role, each defaulting to REDIS_URL: the broker (CELERY_BROKER_URL; must never
# evict: maxmemory-policy noeviction) and the cache (CACHE_URL; may evict: public read cache,
# aggregation progress, API rate-limit counters). CHANNEL_LAYER_URL is reserved for a channel
# layer and not read yet. An empty value (`CACHE_URL=` as in .env.example) means unset.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {"default": env.cache_url_config(env("CACHE_URL", default="") or REDIS_URL or "locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis that stops answering costs a request 2 s, not a hung worker: the callers fall
    # back (the public read cache answers from the database).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 2)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 2)

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="") or REDIS_URL or "cache+memory://"
# Without a broker the embedded default runs every task in-process, right after commit.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=CELERY_BROKER_URL.startswith("memory://"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_TRACK_STARTED = True
CELERY_TIMEZONE = "Asia/Shanghai"
# Longer than any countdown or ETA we use, so Redis never re-delivers a task still waiting.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Seconds between an audited commit and the task that chains it (and every event committed
# meanwhile): the window in which a committed event is not yet covered by the hash chain.
AUDIT_CHAIN_DELAY_SECONDS = env.float("AUDIT_CHAIN_DELAY_SECONDS", default=1.0)

# Queues by kind of work (ARCHITECTURE.md, Many hosts), so that a long aggregation or a big
# fan-out never waits in front of a receipt: workers are then started with -Q, every queue
# served by at least one (notifications, aggregation, audit, and celery for the rest).
CELERY_QUEUES_BY_KIND = env.bool("CELERY_QUEUES_BY_KIND", default=False)
if CELERY_QUEUES_BY_KIND:
    CELERY_TASK_ROUTES = {
        "notifications.*": {"queue": "notifications"},
        "judging.aggregate_round": {"queue": "aggregation"},
        "contest.chain_audit": {"queue": "audit"},
    }

CELERY_BEAT_SCHEDULE = {
    # * * * * *  (every minute): re-enqueue e-mail notices still unsent after NOTIFICATIONS_RESEND_AFTER_MINUTES.
    "notifications-sweep-unsent": {"task": "notifications.sweep_unsent", "schedule": crontab(minute="*")},
    # */5 * * * *  (every 5 minutes): submission (24 h, 1 h) and review (24 h) deadline reminders, once each.
    "notifications-send-reminders": {"task": "notifications.send_reminders", "schedule": crontab(minute="*/5")},
    # */5 * * * *  (every 5 minutes): end pending-transfer solutions once the first round's deadline passed.
    "submissions-end-untransferred": {"task": "submissions.end_untransferred", "schedule": crontab(minute="*/5")},
    # */5 * * * *  (every 5 minutes): disqualify solutions whose supplement (补正) deadline passed.
    "submissions-expire-supplements": {"task": "submissions.expire_supplements", "schedule": crontab(minute="*/5")},
    # 17 * * * *  (hourly): delete stored solution files no version refers to (crash between store and commit).
    "submissions-sweep-orphan-files": {"task": "submissions.sweep_orphan_files", "schedule": crontab(minute=17)},
    # * * * * *  (every minute): publish aggregated rounds whose scheduled publication time (publish_at) has come.
    "judging-publish-due-rounds": {"task": "judging.publish_due_rounds", "schedule": crontab(minute="*")},
    # * * * * *  (every minute): chain audit events whose on-commit chaining task was lost.
    "contest-chain-audit": {"task": "contest.chain_audit", "schedule": crontab(minute="*")},
}

# --- Notifications (outbox) ------------------------------------------------------------------
NOTIFICATIONS_BATCH_SIZE = env.int("NOTIFICATIONS_BATCH_SIZE", default=100)
NOTIFICATIONS_MAX_FANOUT_TASKS = env.int("NOTIFICATIONS_MAX_FANOUT_TASKS", default=100)
NOTIFICATIONS_RESEND_AFTER_MINUTES = env.float("NOTIFICATIONS_RESEND_AFTER_MINUTES", default=10)
NOTIFICATIONS_SWEEP_LIMIT = env.int("NOTIFICATIONS_SWEEP_LIMIT", default=20000)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=8)

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "contest.api.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "config.api.CappedPageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"export": "30/hour", "login": "10/minute"},
    # REMOTE_ADDR already holds the client's address (config.proxies.TrustedProxyMiddleware):
    # DRF must not read X-Forwarded-For itself, which any client can write.
    "NUM_PROXIES": 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jiebang API",
    "DESCRIPTION": "Open-challenge (揭榜挂帅) contest submission management.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc served from our own static files: /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets that share a field name ("status", "kind") get stable component names.
    "ENUM_NAME_OVERRIDES": {
        "ContestStatusEnum": "contest.enums.ContestStatus",
        "ScenarioStatusEnum": "contest.enums.ScenarioStatus",
        "RoundStatusEnum": "contest.enums.RoundStatus",
        "RoundKindEnum": "contest.enums.RoundKind",
        "OrganizationKindEnum": "contest.enums.OrganizationKind",
        "OrganizingRoleEnum": "contest.enums.OrganizingRole",
        "ContestRoleEnum": "contest.enums.Role",
        "DocumentKindEnum": "contest.enums.DocumentKind",
        "ReviewStatusEnum": "judging.enums.ReviewStatus",
        "ConflictSourceEnum": "judging.enums.ConflictSource",
        "AssignmentSourceEnum": "judging.enums.AssignmentSource",
    },
}

# --- Login throttling (django-axes) ---------------------------------------------------------
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
# Lock a username at one client address: failures elsewhere (a guesser, or every user behind a
# shared proxy) never lock the owner out. The address is the one config/proxies.py resolves.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_ip"
AXES_RESET_ON_SUCCESS = True

# --- Accounts ------------------------------------------------------------------------------
# Seconds an e-mail confirmation link stays valid (contest/email_verification.py).
EMAIL_VERIFICATION_MAX_AGE = env.int("EMAIL_VERIFICATION_MAX_AGE", default=3 * 24 * 3600)
# Hours an API token lives after it was issued (contest/api/authentication.py).
AUTH_TOKEN_TTL_HOURS = env.float("AUTH_TOKEN_TTL_HOURS", default=24)
# (attempts, seconds) per scope (contest/ratelimit.py).
ACCOUNT_RATE_LIMITS = {
    "password_reset_address": (3, 3600),
    "password_reset_client": (20, 3600),
    "signup_client": (20, 3600),
    "verification_resend": (5, 3600),
}

# One handler, on the root logger (and on the dev server's, which does not propagate): every
# record is printed once. Django's own "django" logger gets no handler of its own (its default
# console handler printed each django.* line a second time, through the root, when DEBUG was on).
LOG_LEVEL = env("LOG_LEVEL", default="WARNING")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        # One JSON object a line (python-json-logger); the record's `request` object is left out.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
            "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time"],
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": env("LOG_FORMAT", default="") or "text",
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # Configuring "django" resets its children: the dev server's request lines keep INFO here.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
if LOGGING["handlers"]["console"]["formatter"] not in LOGGING["formatters"]:
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
