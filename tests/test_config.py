import pytest
from django.core.exceptions import ImproperlyConfigured

from config.celery import app

pytestmark = pytest.mark.unit


def test_celery_app_loads_namespaced_settings():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit == 240
    assert conf.task_time_limit == 300
    assert conf.broker_transport_options == {"visibility_timeout": 7200}
    assert conf.task_serializer == "json"


def test_prod_settings_refuse_placeholder_secret(monkeypatch):
    import importlib
    import sys

    monkeypatch.setenv("SECRET_KEY", "dev-insecure-change-me")
    sys.modules.pop("config.settings.prod", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("config.settings.prod")


def test_prod_settings_refuse_missing_secret(monkeypatch):
    import importlib
    import sys

    monkeypatch.delenv("SECRET_KEY", raising=False)
    sys.modules.pop("config.settings.prod", None)
    with pytest.raises(ImproperlyConfigured):
        importlib.import_module("config.settings.prod")


@pytest.mark.django_db
def test_health_endpoint(client):
    assert client.get("/health/").json() == {"status": "ok"}


@pytest.mark.django_db
def test_postgresql_keeps_often_run_statements_prepared():
    """Server-side binding with a prepare threshold: the sixth run of a statement on one
    connection uses a prepared statement, so PostgreSQL no longer parses and plans it."""
    from django.db import connection

    from contest.models import Contest

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    for pk in range(6):
        list(Contest.objects.filter(pk=pk).values_list("name", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "contest_contest"' in sql and "$1" in sql for sql in prepared), prepared


def test_gunicorn_workers_collect_garbage_less_often_after_loading_the_app():
    import gc
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "config" / "gunicorn.conf.py"
    spec = importlib.util.spec_from_file_location("gunicorn_conf", path)
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    before = gc.get_threshold()
    try:
        conf.post_worker_init(worker=None)
        assert gc.get_threshold() == conf.GC_THRESHOLD == (50_000, 50, 100)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
