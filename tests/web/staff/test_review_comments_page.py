"""Issue 16, item 5 on the judge's scoring page: two labelled comment fields, both stored."""

import pytest
from django.urls import reverse

from judging.enums import ReviewStatus
from judging.models import Review

from .helpers import score_data

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_scoring_page_has_a_comment_for_the_team_and_a_confidential_one(client, staff):
    client.force_login(staff.judge)
    url = reverse("judge_assignment", args=[staff.assignment.pk])

    body = client.get(url).content.decode()
    assert 'name="team_comment"' in body and 'name="comment"' in body
    assert "data-team-comment" in body and "data-confidential-comment" in body

    data = score_data(staff, action="submit", comment="仅供主办方")
    data["team_comment"] = "请补充成本测算"
    response = client.post(url, data)

    assert response.status_code == 302
    review = Review.objects.get(assignment=staff.assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert (review.team_comment, review.comment) == ("请补充成本测算", "仅供主办方")
