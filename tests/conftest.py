import shutil

import pytest
from django.conf import settings


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Pages and notices speak Chinese only with compiled catalogues; compile them if `make` has not."""
    from tests.web.catalogues import ensure_compiled  # needs settings, configured by pytest-django

    ensure_compiled()


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


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto's standalone server) for this session, or a skip."""
    from tests import s3server

    try:
        server = s3server.start(tmp_path_factory.mktemp("s3") / "moto.log")
    except RuntimeError as exc:
        pytest.skip(f"needs the S3 server from requirements-dev.txt: {exc}")
    yield server
    server.stop()


@pytest.fixture
def object_storage(settings, s3_server):
    """Files of this test go to a fresh bucket of the S3 server, configured by FILE_STORAGE_URL
    as production reads it. Returns (server, bucket)."""
    from config.settings.base import default_storage_setting, object_storage_options

    bucket = s3_server.new_bucket()
    options = object_storage_options(s3_server.storage_url(bucket))
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(options, expire=60)}
    return s3_server, bucket


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"
