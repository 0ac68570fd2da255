"""The file, version and receipt output serializers declare their fields: their JSON is pinned to
DRF's generic ModelSerializer rendering of the same model fields (what the API answered before),
the same dict, key order and bytes."""

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from submissions.api.serializers import FileOutputSerializer, ReceiptOutputSerializer, VersionOutputSerializer
from submissions.models import SolutionFile, SolutionVersion, SubmissionReceipt

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ZONES = ["Asia/Shanghai", "UTC", "America/New_York"]


class _GenericFile(serializers.ModelSerializer):
    original_name = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()
    get_original_name = FileOutputSerializer.get_original_name
    get_download_url = FileOutputSerializer.get_download_url

    class Meta:
        model = SolutionFile
        fields = ["id", "kind", "original_name", "content_type", "size", "sha256", "download_url"]


class _GenericVersion(serializers.ModelSerializer):
    files = _GenericFile(many=True)
    created_by = serializers.SerializerMethodField()
    get_created_by = VersionOutputSerializer.get_created_by

    class Meta:
        model = SolutionVersion
        fields = ["number", "round", "title", "abstract", "sha256", "created_by", "created_at", "files"]


class _GenericReceipt(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number")

    class Meta:
        model = SubmissionReceipt
        fields = ["code", "solution", "version", "sha256", "round", "submitted_at"]


GENERIC = {
    FileOutputSerializer: _GenericFile,
    VersionOutputSerializer: _GenericVersion,
    ReceiptOutputSerializer: _GenericReceipt,
}


def test_each_output_names_the_fields_of_its_generic_rendering():
    for serializer_class, generic_class in GENERIC.items():
        assert list(serializer_class().fields) == generic_class.Meta.fields


def _same(serializer_class, instance, context):
    fast = serializer_class(instance, context=context).data
    generic = GENERIC[serializer_class](instance, context=context).data
    assert fast == generic
    assert list(fast) == list(generic)
    assert JSONRenderer().render(fast) == JSONRenderer().render(generic)
    return fast


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("context", [{"full": True}, {"full": False, "blind": True}, {}])
def test_version_and_file_output_equal_drf_generic_rendering(submitted, zone, context):
    loaded = SolutionVersion.objects.select_related("created_by").get(solution=submitted, number=1)
    with timezone.override(zone):
        data = _same(VersionOutputSerializer, loaded, context)
        for file in SolutionFile.objects.select_related("version").filter(version=loaded):
            _same(FileOutputSerializer, file, context)

    assert sorted(f["kind"] for f in data["files"]) == ["commitment", "proposal"]
    assert (data["created_by"] is not None) == bool(context.get("full"))
    assert all(f["original_name"].startswith("solution-") for f in data["files"]) == bool(context.get("blind"))


@pytest.mark.parametrize("zone", ZONES)
def test_receipt_output_equals_drf_generic_rendering(submitted, zone):
    receipt = SubmissionReceipt.objects.select_related("version").get(solution=submitted)
    without_round = SubmissionReceipt(
        solution=submitted, version=receipt.version, code="JB-X", sha256="ab" * 32, submitted_at=receipt.submitted_at
    )
    with timezone.override(zone):
        for instance in (receipt, without_round):
            _same(ReceiptOutputSerializer, instance, {})
