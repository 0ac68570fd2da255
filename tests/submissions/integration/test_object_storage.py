"""Solution files on a real S3-compatible server (moto's standalone server, started by the
`s3_server` fixture): upload → submit → download → SHA-256, over the API, with the same
guarantees as on the media folder (receipts, nothing left by a refused upload, the sweep)."""

import datetime as dt
import hashlib
from pathlib import Path

import httpx
import pytest
from django.urls import reverse

from submissions import files, services
from submissions.errors import DeadlinePassedError
from submissions.models import SolutionFile, SolutionVersion

from ..conftest import DEADLINE, PNG, full_files, pdf, release, upload

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def url(name, **kwargs):
    return reverse(f"submissions-api:{name}", kwargs=kwargs)


def _upload_and_submit(api_client, solution, member, captain, proposal: bytes):
    api_client.force_authenticate(member)
    data = {
        "title": "智能风控方案",
        "proposal": upload("方案书.pdf", proposal, "text/html"),  # the client's declared type is a lie
        "commitment": upload("承诺书.png", PNG, "image/png"),
    }
    response = api_client.post(url("solution-versions", pk=solution.pk), data, format="multipart")
    assert response.status_code == 201, response.json()
    api_client.force_authenticate(captain)
    receipt = api_client.post(url("solution-submit", pk=solution.pk), {"version": 1})
    assert receipt.status_code == 201, receipt.json()
    return response.json(), receipt.json()


def test_upload_submit_download_sha256_on_object_storage(
    clock, api_client, object_storage, round1, solution, member, captain, tmp_path
):
    """9 MiB: spooled to disk while received (over 2 MiB), a multipart upload to the store
    (over 8 MiB)."""
    server, bucket = object_storage
    round1.max_upload_bytes = 16 * 1024 * 1024
    round1.save()
    proposal = pdf("对象存储") + b"%" + b"x" * (9 * 1024 * 1024) + b"\n"
    version, receipt = _upload_and_submit(api_client, solution, member, captain, proposal)

    stored = SolutionVersion.objects.get(solution=solution).files.get(kind="proposal")
    assert stored.sha256 == hashlib.sha256(proposal).hexdigest()
    assert receipt["sha256"] == version["sha256"]
    # In the bucket under the generated names, nothing in the media folder but the (empty) spool.
    assert server.keys(bucket) == sorted(f.file.name for f in SolutionFile.objects.all())
    media = Path(tmp_path / "media")
    assert not media.exists() or [p for p in media.rglob("*") if p.is_file()] == []
    head = server.client().head_object(Bucket=bucket, Key=stored.file.name)
    assert head["ContentType"] == "application/pdf"

    api_client.force_authenticate(member)
    response = api_client.get(url("file-download", pk=stored.pk))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(server.endpoint + f"/{bucket}/{stored.file.name}?")
    assert "X-Amz-Expires=60" in location and "X-Amz-Signature=" in location
    fetched = httpx.get(location)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == stored.sha256 == hashlib.sha256(proposal).hexdigest()
    assert fetched.headers["content-type"] == "application/pdf"
    assert fetched.headers["content-disposition"].startswith("attachment;")
    assert "%E6%96%B9%E6%A1%88%E4%B9%A6.pdf" in fetched.headers["content-disposition"]  # 方案书.pdf

    # Someone who may not see the solution gets no URL at all.
    from tests.factories.contest import UserFactory

    api_client.force_authenticate(UserFactory())
    assert api_client.get(url("file-download", pk=stored.pk)).status_code == 404


def test_download_streams_through_the_view_when_redirects_are_off(
    clock, settings, api_client, object_storage, solution, member, captain
):
    settings.FILE_DOWNLOAD_REDIRECT = False
    proposal = pdf("经由网站") + b"%" + b"y" * 50_000 + b"\n"
    _upload_and_submit(api_client, solution, member, captain, proposal)
    stored = SolutionVersion.objects.get(solution=solution).files.get(kind="proposal")
    api_client.force_authenticate(member)
    response = api_client.get(url("file-download", pk=stored.pk))
    assert response.status_code == 200 and response.streaming
    assert hashlib.sha256(release(response)).hexdigest() == hashlib.sha256(proposal).hexdigest()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_refused_upload_leaves_no_object(clock, monkeypatch, object_storage, solution, member):
    """A deadline passing while the files are stored refuses the upload; the objects go too."""
    server, bucket = object_storage
    clock(DEADLINE.replace(microsecond=0) + dt.timedelta(milliseconds=500))
    store = files.store_upload
    stored_names = []

    def store_then_tick(*args, **kwargs):
        name = store(*args, **kwargs)
        stored_names.append(name)
        clock(DEADLINE + dt.timedelta(seconds=1))
        return name

    monkeypatch.setattr(files, "store_upload", store_then_tick)
    with pytest.raises(DeadlinePassedError):
        services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    assert stored_names, "the upload got as far as the object store"
    assert server.keys(bucket) == []
    assert not SolutionVersion.objects.filter(solution=solution).exists()


def test_orphan_sweep_on_object_storage(clock, object_storage, submitted, captain):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    server, bucket = object_storage
    kept = sorted(SolutionFile.objects.values_list("file", flat=True))
    assert kept
    stray = default_storage.save(f"solutions/{submitted.pk}/stray.pdf", ContentFile(b"%PDF-1.4 stray"))
    assert server.keys(bucket) == sorted([*kept, stray])

    # The object store's clock stamps the objects. Younger than the grace period: kept (its
    # upload may still be committing); older: deleted, and only the stray one.
    stamped = server.client().head_object(Bucket=bucket, Key=stray)["LastModified"]
    clock(stamped + services.ORPHAN_GRACE - dt.timedelta(minutes=5))
    assert services.orphan_files_sweep() == 0
    clock(stamped + services.ORPHAN_GRACE + dt.timedelta(minutes=5))
    assert services.orphan_files_sweep() == 1
    assert server.keys(bucket) == kept
    assert services.orphan_files_sweep() == 0


def test_refusal_reaches_the_client_when_the_store_cannot_delete(
    clock, settings, monkeypatch, object_storage, solution, member
):
    """The object store becomes unreachable between storing and clean-up: the client still gets
    the refusal, not the store's error, and what is left is the orphan sweep's."""
    from config.settings.base import default_storage_setting, object_storage_options
    from tests.s3server import _free_port

    server, bucket = object_storage
    clock(DEADLINE.replace(microsecond=0) + dt.timedelta(milliseconds=500))
    store = files.store_upload
    stored = []
    unreachable = object_storage_options(server.storage_url(bucket)) | {
        "endpoint_url": f"http://127.0.0.1:{_free_port()}"
    }

    def store_then_lose_the_store(*args, **kwargs):
        stored.append(store(*args, **kwargs))
        if len(stored) == len(full_files()):
            settings.STORAGES = {**settings.STORAGES, "default": default_storage_setting(unreachable, expire=60)}
            clock(DEADLINE + dt.timedelta(seconds=1))
        return stored[-1]

    monkeypatch.setattr(files, "store_upload", store_then_lose_the_store)
    with pytest.raises(DeadlinePassedError):
        services.solution_version_create(actor=member, solution=solution, title="T", uploads=full_files())
    assert not SolutionVersion.objects.filter(solution=solution).exists()
    assert server.keys(bucket) == sorted(stored)  # for the sweep
