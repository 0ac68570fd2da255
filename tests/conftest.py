import shutil

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    """Every test writes files into its own media folder, removed afterwards."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache, so API throttle counters (e.g. the login scope
    of the token endpoint) never carry over from earlier tests."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
