"""The file, version and receipt output serializers write their rows by hand: the same dict, key
order and JSON bytes as DRF's generic ModelSerializer rendering of their declared fields."""

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from submissions.api.serializers import FileOutputSerializer, ReceiptOutputSerializer, VersionOutputSerializer
from submissions.models import SolutionFile, SolutionVersion, SubmissionReceipt

pytestmark = [pytest.mark.django_db, pytest.mark.unit]

ZONES = ["Asia/Shanghai", "UTC", "America/New_York"]


def _same(serializer_class, instance, context):
    fast = serializer_class(instance, context=context).data
    generic = serializers.ModelSerializer.to_representation(serializer_class(context=context), instance)
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
