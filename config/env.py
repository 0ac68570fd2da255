"""The `.env` file, read by every entry point before it picks the settings module.

`manage.py`, `config/wsgi.py`, `config/asgi.py` and `config/celery.py` call `load_env()` first, so a
`DJANGO_SETTINGS_MODULE` written in `.env` takes effect (the process environment still wins
over the file). `ENV_FILE` names another file than `.env` in the project root.
"""

import os
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS_MODULE = "config.settings.dev"


def env_file() -> Path:
    return Path(os.environ.get("ENV_FILE") or BASE_DIR / ".env")


def read_env_file() -> None:
    """Copy the file's variables into the environment, keeping any already set."""
    environ.Env.read_env(env_file(), overwrite=False)


def load_env() -> None:
    """For entry points: read the file, then fall back to the development settings."""
    read_env_file()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS_MODULE)
