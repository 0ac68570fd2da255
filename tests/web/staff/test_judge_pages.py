import re

import pytest
from django.urls import reverse

from judging.enums import ReviewStatus
from judging.models import ConflictOfInterest, JudgeAssignment, Review
from tests.web.staff.helpers import IDENTIFYING, score_data, speak_english

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def _page(client, user, url, **extra):
    client.force_login(user)
    return client.get(url, **extra)


def test_judge_home_lists_own_assignments_with_progress(client, staff):
    response = _page(client, staff.judge, reverse("judge_home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-assignment="{staff.assignment.pk}"' in body
    assert f'data-assignment="{staff.other_assignment.pk}"' not in body
    assert "已提交 0 / 1" in body


def test_judge_home_progress_counts_submitted_reviews(client, staff):
    client.force_login(staff.judge)
    client.post(reverse("judge_assignment", args=[staff.assignment.pk]), score_data(staff))
    speak_english(client)
    body = client.get(reverse("judge_home")).content.decode()
    assert re.search(r"1 / 1\s*submitted", body)


def test_conflicted_assignment_is_hidden_from_the_judge_home(client, staff):
    body = _page(client, staff.conflicted_judge, reverse("judge_home")).content.decode()
    assert f'data-assignment="{staff.conflicted_assignment.pk}"' not in body


@pytest.mark.parametrize(
    "who, status",
    [
        ("judge", 200),
        ("other_judge", 404),
        ("unassigned_judge", 404),
        ("conflicted_judge", 404),
        ("organizer", 404),
        ("captain", 404),
        ("publisher", 404),
    ],
)
def test_scoring_page_is_only_for_the_assigned_judge(client, staff, who, status):
    response = _page(client, getattr(staff, who), reverse("judge_assignment", args=[staff.assignment.pk]))
    assert response.status_code == status


def test_conflicted_judge_cannot_open_their_own_conflicted_assignment(client, staff):
    url = reverse("judge_assignment", args=[staff.conflicted_assignment.pk])
    assert _page(client, staff.conflicted_judge, url).status_code == 404
    assert client.post(url, score_data(staff)).status_code == 404
    assert not Review.objects.filter(assignment=staff.conflicted_assignment).exists()


def test_judge_pages_require_login(client, staff):
    for url in (reverse("judge_home"), reverse("judge_assignment", args=[staff.assignment.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_scoring_sheet_shows_rubric_guidance_and_number_inputs(client, staff):
    body = _page(client, staff.judge, reverse("judge_assignment", args=[staff.assignment.pk])).content.decode()
    innovation = staff.criteria[0]
    assert "技术路线是否新颖" in body
    assert f'<label for="id_score_{innovation.pk}"' in body
    field = re.search(rf'<input[^>]*id="id_score_{innovation.pk}"[^>]*>', body).group(0)
    for attr in ('type="number"', 'min="0"', 'max="10.00"', 'step="0.50"', 'data-weight="2.000"'):
        assert attr in field
    assert "js/scoring.js" in body


def test_scoring_sheet_speaks_english_on_request(client, staff):
    speak_english(client)
    body = _page(client, staff.judge, reverse("judge_assignment", args=[staff.assignment.pk])).content.decode()
    assert "Innovation" in body and "Is the approach new?" in body and "Save draft" in body


def test_file_links_go_through_the_authorised_download_view(client, staff):
    body = _page(client, staff.judge, reverse("judge_assignment", args=[staff.assignment.pk])).content.decode()
    url = reverse("submissions-api:file-download", kwargs={"pk": staff.file.pk})
    assert f'href="{url}"' in body
    response = client.get(url)
    assert response.status_code == 200
    assert f"solution-{staff.solution.pk}-v1-proposal.pdf" in response["Content-Disposition"]
    response.close()


def _judge_pages(client, staff) -> list[str]:
    client.force_login(staff.judge)
    urls = [
        reverse("judge_home"),
        reverse("judge_assignment", args=[staff.assignment.pk]),
        reverse("judge_conflict", args=[staff.assignment.pk]),
    ]
    bodies = [client.get(url).content.decode() for url in urls]
    speak_english(client)
    bodies += [client.get(url).content.decode() for url in urls]
    # After a draft save and a failed submit, too.
    bodies.append(client.post(urls[1], score_data(staff, values=("8", "", "15"))).content.decode())
    return bodies


def test_blind_round_pages_never_name_the_team_members_organizations_or_uploader(client, staff):
    for body in _judge_pages(client, staff):
        leaks = [name for name in IDENTIFYING if name in body]
        assert leaks == []


def test_open_round_shows_the_team_so_the_blind_check_means_something(client, staff):
    staff.round.blind_review = False
    staff.round.save()
    body = _page(client, staff.judge, reverse("judge_assignment", args=[staff.assignment.pk])).content.decode()
    assert "破晓先锋队" in body and "破晓先锋队方案书.pdf" in body


def test_save_draft_keeps_partial_scores(client, staff):
    client.force_login(staff.judge)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    response = client.post(url, score_data(staff, values=("8", "", ""), action="draft", comment="初评"))
    assert response.status_code == 302 and response["Location"] == url
    review = Review.objects.get(assignment=staff.assignment)
    assert review.status == ReviewStatus.DRAFT and review.comment == "初评"
    assert {s.criterion_id: str(s.value) for s in review.scores.all()} == {staff.criteria[0].pk: "8.00"}
    body = client.get(url).content.decode()
    assert 'value="8.00"' in body


def test_submit_locks_the_review_and_shows_the_weighted_total(client, staff):
    client.force_login(staff.judge)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    response = client.post(url, score_data(staff))
    assert response.status_code == 302 and response["Location"] == reverse("judge_home")
    review = Review.objects.get(assignment=staff.assignment)
    assert review.status == ReviewStatus.SUBMITTED
    body = client.get(url).content.decode()
    # (2·8 + 1·7.5 + 1·15) / (2·10 + 1·10 + 1·20) × 100 = 77
    assert "77.00" in body
    assert 'name="action" value="submit"' not in body and "disabled" in body


def test_submitted_review_cannot_be_changed_by_posting_again(client, staff):
    client.force_login(staff.judge)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    client.post(url, score_data(staff))
    client.post(url, score_data(staff, values=("1", "1", "1")))
    review = Review.objects.get(assignment=staff.assignment)
    assert sorted(str(s.value) for s in review.scores.all()) == ["15.00", "7.50", "8.00"]


@pytest.mark.parametrize(
    "values, bad_index, english",
    [
        (("11", "5", "5"), 0, "less than or equal to 10"),
        (("8", "7.3", "5"), 1, "multiple of step size 0.50"),
        (("8", "-1", "5"), 1, "greater than or equal to 0"),
        (("8", "abc", "5"), 1, "Enter a number"),
    ],
)
def test_bad_scores_are_shown_next_to_the_field_in_the_users_language(client, staff, values, bad_index, english):
    client.force_login(staff.judge)
    speak_english(client)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    response = client.post(url, score_data(staff, values=values))
    body = response.content.decode()
    bad = staff.criteria[bad_index]
    assert response.status_code == 200
    error = re.search(rf'<ul class="errorlist" id="id_score_{bad.pk}_error">(.*?)</ul>', body, re.S)
    assert error and english in error.group(1)
    assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*id="id_score_{bad.pk}"', body)
    assert not Review.objects.filter(assignment=staff.assignment).exists()


def test_bad_score_error_is_in_chinese_by_default(client, staff):
    client.force_login(staff.judge)
    response = client.post(
        reverse("judge_assignment", args=[staff.assignment.pk]), score_data(staff, values=("11", "5", "5"))
    )
    error = re.search(rf'id="id_score_{staff.criteria[0].pk}_error">(.*?)</ul>', response.content.decode(), re.S)
    assert "小于或等于" in error.group(1)


def test_submit_with_missing_scores_marks_each_empty_field(client, staff):
    client.force_login(staff.judge)
    speak_english(client)
    response = client.post(
        reverse("judge_assignment", args=[staff.assignment.pk]), score_data(staff, values=("8", "", ""))
    )
    body = response.content.decode()
    for criterion in staff.criteria[1:]:
        assert f'id="id_score_{criterion.pk}_error"' in body
    assert f'id="id_score_{staff.criteria[0].pk}_error"' not in body
    assert "Score every criterion before submitting." in body
    assert not Review.objects.filter(assignment=staff.assignment, status=ReviewStatus.SUBMITTED).exists()


def test_closed_window_makes_the_sheet_read_only(client, staff):
    from django.utils import timezone

    staff.round.judging_closes_at = timezone.now()
    staff.round.save()
    client.force_login(staff.judge)
    speak_english(client)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    body = client.get(url).content.decode()
    assert "read-only" in body and 'value="submit"' not in body
    response = client.post(url, score_data(staff))
    assert response.status_code == 302
    assert not Review.objects.filter(assignment=staff.assignment).exists()


def test_declaring_a_conflict_needs_a_reason(client, staff):
    client.force_login(staff.judge)
    speak_english(client)
    url = reverse("judge_conflict", args=[staff.assignment.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.content.decode()
    assert JudgeAssignment.objects.get(pk=staff.assignment.pk).active


def test_declaring_a_conflict_ends_the_assignment(client, staff):
    client.force_login(staff.judge)
    response = client.post(reverse("judge_conflict", args=[staff.assignment.pk]), {"reason": "与该团队成员曾为同事"})
    assert response.status_code == 302 and response["Location"] == reverse("judge_home")
    assert not JudgeAssignment.objects.get(pk=staff.assignment.pk).active
    conflict = ConflictOfInterest.objects.get(judge=staff.judge)
    assert conflict.reason == "与该团队成员曾为同事" and conflict.solution_id == staff.solution.pk
    assert client.get(reverse("judge_assignment", args=[staff.assignment.pk])).status_code == 404


def test_judge_pages_have_no_inline_script(client, staff):
    for body in _judge_pages(client, staff):
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
        assert not re.search(r"\son[a-z]+=", body)


def test_returned_review_shows_the_reason_and_can_be_submitted_again(client, staff):
    from judging.services.scoring import review_return

    client.force_login(staff.judge)
    url = reverse("judge_assignment", args=[staff.assignment.pk])
    client.post(url, score_data(staff))
    review_return(
        actor=staff.organizer, review=Review.objects.get(assignment=staff.assignment), reason="创新性评分偏高"
    )
    body = client.get(url).content.decode()
    assert "创新性评分偏高" in body and 'value="submit"' in body
    client.post(url, score_data(staff, values=("6", "7.5", "15")))
    review = Review.objects.get(assignment=staff.assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert str(review.scores.get(criterion=staff.criteria[0]).value) == "6.00"
