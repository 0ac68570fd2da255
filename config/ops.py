"""Probes for load balancers and orchestrators.

`/health/`: the process answers (no dependency is asked, so a database outage does not get
every web process restarted). `/ready/`: this process can serve: the database answers, every
migration is applied, the cache and the broker answer; 503 names the failed checks. Neither
says more than a check's name, `ok` and an exception's class: no URL, host or message.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery import app

logger = logging.getLogger(__name__)

READY_CACHE_KEY = "ops:ready"
BROKER_TIMEOUT_SECONDS = 2


@never_cache
@require_safe
def health(request):
    return JsonResponse({"status": "ok"})


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_migrations():
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        raise PendingMigrations(len(pending))


def check_cache():
    # A key of this probe's own: probes of other processes at the same moment cannot overwrite it.
    token = uuid.uuid4().hex
    key = f"{READY_CACHE_KEY}:{token}"
    cache.set(key, token, timeout=10)
    if cache.get(key) != token:
        raise CacheMiss()
    cache.delete(key)


def check_broker():

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # tasks run in this process: there is no broker to reach
    with app.connection_for_write(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)


class PendingMigrations(Exception):
    pass


class CacheMiss(Exception):
    pass


# Migrations are asked only once the database answered.
CHECKS = {"database": check_database, "migrations": check_migrations, "cache": check_cache, "broker": check_broker}


@never_cache
@require_safe
def ready(request):
    results = {}
    for name, check in CHECKS.items():
        if name == "migrations" and results["database"] != "ok":
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as exc:
            # The detail (which may name hosts or users) goes to the log only.
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = f"failed: {type(exc).__name__}"
        else:
            results[name] = "ok"
    ok = all(value == "ok" for value in results.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results}, status=200 if ok else 503)
