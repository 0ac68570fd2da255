"""Where files are stored, as the settings read it from the environment (config/settings/base.py)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings.base import default_storage_setting, object_storage_options

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.unit


def test_storage_url_with_endpoint_prefix_region_and_encoded_secret():
    options = object_storage_options("s3://AKIA1:se%2Fcr%2Bet@minio.internal:9000/jiebang-files/prod/?region=cn-east-1")
    assert options == {
        "bucket_name": "jiebang-files",
        "location": "prod",
        "endpoint_url": "https://minio.internal:9000",
        "region_name": "cn-east-1",
        "access_key": "AKIA1",
        "secret_key": "se/cr+et",
        "addressing_style": "path",
    }


def test_storage_url_plain_http_and_aws_itself():
    assert object_storage_options("s3+http://k:s@127.0.0.1:9000/b")["endpoint_url"] == "http://127.0.0.1:9000"
    # No host: AWS itself, credentials from boto3's chain (environment, instance role).
    assert object_storage_options("s3:///bucket?region=cn-north-1") == {
        "bucket_name": "bucket",
        "location": "",
        "region_name": "cn-north-1",
        "addressing_style": "auto",
    }


@pytest.mark.parametrize("url", ["http://host/bucket", "s3://k:s@host/", "file:///srv/media"])
def test_storage_url_refused(url):
    with pytest.raises(ImproperlyConfigured):
        object_storage_options(url)


def test_object_storage_is_private_and_signed():
    setting = default_storage_setting({"bucket_name": "b"}, expire=45)
    assert setting["BACKEND"] == "config.object_storage.ObjectStorage"
    assert setting["OPTIONS"]["querystring_auth"] is True
    assert setting["OPTIONS"]["querystring_expire"] == 45
    assert setting["OPTIONS"]["default_acl"] is None
    assert default_storage_setting(None, expire=45) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def _prod_storages(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FILE_STORAGE_URL" and not k.startswith("AWS_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/jiebang",
        REDIS_URL="redis://127.0.0.1:6379/0",
        ALLOWED_HOSTS="jiebang.example.com",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        **extra,
    )
    code = "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(s.STORAGES))"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_stores_in_the_media_folder_by_default():
    storages = _prod_storages()
    assert storages["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert storages["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_production_stores_in_the_object_store_by_url_or_by_variables():
    by_url = _prod_storages(FILE_STORAGE_URL="s3://k:s@s3.example.com/files?region=cn-east-1")
    assert by_url["default"]["BACKEND"] == "config.object_storage.ObjectStorage"
    assert by_url["default"]["OPTIONS"]["bucket_name"] == "files"
    assert by_url["staticfiles"]["BACKEND"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    by_variables = _prod_storages(
        AWS_STORAGE_BUCKET_NAME="files",
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_S3_REGION_NAME="cn-east-1",
        AWS_ACCESS_KEY_ID="k",
        AWS_SECRET_ACCESS_KEY="s",
    )
    assert by_variables["default"]["OPTIONS"] == by_url["default"]["OPTIONS"] | {"location": ""}


def test_aws_itself_by_variables_uses_its_own_addressing_and_credentials():
    options = _prod_storages(AWS_STORAGE_BUCKET_NAME="files", AWS_S3_REGION_NAME="cn-north-1")["default"]["OPTIONS"]
    assert (options["bucket_name"], options["region_name"], options["addressing_style"]) == (
        "files",
        "cn-north-1",
        "auto",
    )
    assert not {"endpoint_url", "access_key", "secret_key"} & set(options)  # boto3's chain: env, instance role
