import pytest
from django.urls import reverse

from judging.services.scoring import review_submit
from tests.factories.contest import UserFactory
from tests.judging.helpers import full_scores

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


@pytest.mark.parametrize("model", ["rubric", "judgepoolmember", "conflictofinterest", "judgeassignment", "review"])
def test_admin_pages_render_read_only(world, client, model):
    review = review_submit(judge=world.judge, assignment_id=world.assignment.pk, scores=full_scores(world))
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:judging_{model}_changelist")).status_code == 200
    obj_id = {"rubric": world.rubric.pk, "judgeassignment": world.assignment.pk, "review": review.pk}.get(model)
    if obj_id:
        assert client.get(reverse(f"admin:judging_{model}_change", args=[obj_id])).status_code == 200
    assert client.get(reverse(f"admin:judging_{model}_add")).status_code == 403
