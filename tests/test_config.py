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


# --- the .env file and the settings module --------------------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "from django.conf import settings as s; import json; "
    "print(json.dumps([s.SETTINGS_MODULE, s.DEBUG, s.ALLOWED_HOSTS]))"
)
# Variables a developer's shell (or pytest) may have set and which the .env file must decide.
_DECIDED_BY_THE_FILE = (
    "DJANGO_SETTINGS_MODULE", "ENV_FILE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_BACKEND",
    "DATABASE_URL", "ALLOW_SQLITE", "REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER",
    "LOG_FORMAT",
)  # fmt: skip


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in _DECIDED_BY_THE_FILE}
    env.update(extra)
    return env


def _prod_dotenv(tmp_path, **overrides):
    """A production .env as an operator would write it (DEBUG=True left over from the example)."""
    values = {
        "DJANGO_SETTINGS_MODULE": "config.settings.prod",
        "DEBUG": "True",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "jiebang.example.com",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ALLOW_SQLITE": "True",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    values.update(overrides)
    return "".join(f"{k}={v}\n" for k, v in values.items() if v is not None)


def _run(args, *, cwd=ROOT, env):
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_settings_module_in_dotenv_takes_effect_for_manage_py(tmp_path):
    """A project copy with a .env in its root saying prod: manage.py runs prod, DEBUG off."""
    project = tmp_path / "project"
    project.mkdir()
    for entry in ROOT.iterdir():
        if entry.name in (".env", ".venv", ".git", "config", "manage.py", "var", "db.sqlite3"):
            continue
        (project / entry.name).symlink_to(entry)
    # Copied, not linked: Python imports next to a script's real file, and BASE_DIR (where .env
    # is looked for) follows the real file of config/env.py.
    shutil.copy(ROOT / "manage.py", project / "manage.py")
    shutil.copytree(ROOT / "config", project / "config", ignore=shutil.ignore_patterns("__pycache__"))
    (project / ".env").write_text(_prod_dotenv(tmp_path))
    result = _run(["manage.py", "shell", "-c", PRINT_SETTINGS], cwd=project, env=_clean_env())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["config.settings.prod", False, ["jiebang.example.com"]]


@pytest.mark.parametrize(
    "entry",
    [
        "import config.wsgi",
        "import config.asgi",
        "import config.celery",
        "import manage, sys; sys.argv = ['manage.py', 'check']; manage.main()",
    ],
)
def test_settings_module_in_env_file_takes_effect_for_every_entry_point(tmp_path, entry):
    env_file = tmp_path / "prod.env"
    env_file.write_text(_prod_dotenv(tmp_path))
    code = f"{entry}\nimport django; django.setup()\n{PRINT_SETTINGS}"
    result = _run(["-c", code], env=_clean_env(ENV_FILE=str(env_file)))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == ["config.settings.prod", False, ["jiebang.example.com"]]


def test_the_process_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / "prod.env"
    env_file.write_text(_prod_dotenv(tmp_path))
    env = _clean_env(ENV_FILE=str(env_file), DJANGO_SETTINGS_MODULE="config.settings.dev")
    result = _run(["manage.py", "shell", "-c", PRINT_SETTINGS], env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1])[:2] == ["config.settings.dev", True]


def _example_secret_key():
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.startswith("SECRET_KEY="):
            return line.split("=", 1)[1]
    raise AssertionError("no SECRET_KEY in .env.example")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": _example_secret_key()}, "SECRET_KEY"),
        ({"SECRET_KEY": "dev-insecure-change-me"}, "SECRET_KEY"),
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "a" * 60}, "SECRET_KEY"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS"),
        ({"EMAIL_BACKEND": None}, "EMAIL_BACKEND"),  # the default: the file back-end
        ({"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"}, "EMAIL_BACKEND"),
        ({"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}, "EMAIL_BACKEND"),
    ],
)
def test_production_refuses_to_start(tmp_path, override, message):
    env_file = tmp_path / "prod.env"
    env_file.write_text(_prod_dotenv(tmp_path, **override))
    result = _run(["manage.py", "check"], env=_clean_env(ENV_FILE=str(env_file)))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr.splitlines()[-1], result.stderr


def test_production_starts_with_a_complete_env_file(tmp_path):
    env_file = tmp_path / "prod.env"
    env_file.write_text(_prod_dotenv(tmp_path))
    result = _run(["manage.py", "check"], env=_clean_env(ENV_FILE=str(env_file)))
    assert result.returncode == 0, result.stderr


# --- Redis roles ------------------------------------------------------------------------------

PRINT_ROLES = (
    "import django; django.setup(); from django.conf import settings as s; import json; "
    "c = s.CACHES['default']; print(json.dumps([c['BACKEND'].rsplit('.', 1)[-1], c.get('LOCATION', ''), "
    "s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER]))"
)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, ["LocMemCache", "", "memory://", True]),
        ({"REDIS_URL": "redis://r:6379/0"}, ["RedisCache", "redis://r:6379/0", "redis://r:6379/0", False]),
        (
            {"REDIS_URL": "redis://r:6379/0", "CACHE_URL": "redis://cache:6379/1"},
            ["RedisCache", "redis://cache:6379/1", "redis://r:6379/0", False],
        ),
        (
            {"CELERY_BROKER_URL": "redis://broker:6379/0", "CACHE_URL": "redis://cache:6379/1"},
            ["RedisCache", "redis://cache:6379/1", "redis://broker:6379/0", False],
        ),
        ({"CACHE_URL": "redis://cache:6379/1"}, ["RedisCache", "redis://cache:6379/1", "memory://", True]),
        # Empty values, as in .env.example, mean unset.
        (
            {"REDIS_URL": "redis://r:6379/0", "CACHE_URL": "", "CELERY_BROKER_URL": ""},
            ["RedisCache", "redis://r:6379/0", "redis://r:6379/0", False],
        ),
    ],
)
def test_broker_and_cache_are_separate_roles_defaulting_to_redis_url(variables, expected):
    env = _clean_env(DJANGO_SETTINGS_MODULE="config.settings.dev", ENV_FILE=os.devnull, **variables)
    result = _run(["-c", PRINT_ROLES], env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


# --- logging ----------------------------------------------------------------------------------


def test_each_log_line_is_printed_once_with_debug_on():
    """Django's own "django" logger had a console handler of its own when DEBUG was on, and
    propagated to the root's: each django.* line came out twice."""
    code = (
        "import django, logging; django.setup(); from django.conf import settings; assert settings.DEBUG; "
        "logging.getLogger('django.request').warning('once-django'); logging.getLogger('contest').warning('once-app'); "
        "logging.getLogger('django.server').info('once-request-line')"
    )
    env = _clean_env(DJANGO_SETTINGS_MODULE="config.settings.dev", ENV_FILE=os.devnull)
    result = _run(["-c", code], env=env)
    assert result.returncode == 0, result.stderr
    counts = [result.stderr.count(word) for word in ("once-django", "once-app", "once-request-line")]
    assert counts == [1, 1, 1], result.stderr


def test_env_example_as_it_is_gives_working_development_settings():
    """Every variable of .env.example, empty ones included, is understood (an empty value is unset)."""
    code = (
        "import config, django; django.setup(); from django.conf import settings as s; import json; "
        "print(json.dumps([s.SETTINGS_MODULE, s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION']]))"
    )
    result = _run(["-c", code], env=_clean_env(ENV_FILE=str(ROOT / ".env.example")))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["config.settings.dev", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"]
