from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from contest.models import User
from notifications.models import Channel, Notification
from tests.factories.contest import OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.unit]


def test_sign_up_mails_a_confirmation_link_and_keeps_preferred_language(client):
    org = OrganizationFactory()
    response = client.post(
        reverse("signup"),
        {
            "username": "lisi",
            "email": "lisi@example.com",
            "full_name": "李四",
            "organization": org.pk,
            "preferred_language": "en",
            "password1": "a-Strong-pass-2021",
            "password2": "a-Strong-pass-2021",
        },
    )
    assert response.status_code == 302 and response["Location"] == reverse("signup_done")
    user = User.objects.get(username="lisi")
    assert user.organization == org and user.preferred_language == "en"
    assert not user.has_verified_email
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    (message,) = mail.outbox
    assert message.to == ["lisi@example.com"] and "Confirm" in message.subject  # in the chosen language
    # Not signed in yet (the answer must be the same for an address that has an account)...
    assert client.get(reverse("profile")).status_code == 302
    # ...but the password works, before and after the address is confirmed.
    response = client.post(reverse("login"), {"username": "lisi", "password": "a-Strong-pass-2021"})
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


def test_sign_up_errors_next_to_fields_in_chinese(client):
    response = client.post(
        reverse("signup"),
        {
            "username": "",
            "email": "not-an-address",
            "password1": "x",
            "password2": "y",
            "preferred_language": "zh-hans",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_username_error"' in body and 'id="id_email_error"' in body
    assert 'aria-invalid="true"' in body
    assert "此项为必填项" in body and "该电子邮箱已注册账号" not in body


def test_form_errors_follow_the_chosen_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("signup"), {"username": "", "preferred_language": "en"})
    body = response.content.decode()
    assert "This field is required." in body and "此项为必填项" not in body


def test_login_page_and_wrong_password(client):
    user = UserFactory()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("login"), {"username": user.username, "password": "pass-1234-word"})
    assert response.status_code == 302


def test_logout_is_a_post(client):
    client.force_login(UserFactory())
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("profile")).status_code == 302


def test_password_reset_sends_a_working_link(client):
    user = UserFactory(email="reset@example.com")
    response = client.post(reverse("password_reset"), {"email": "reset@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link.split("testserver", 1)[1].strip()
    response = client.get(path, follow=True)
    assert response.status_code == 200 and response.context["validlink"]
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "New-pass-9876", "new_password2": "New-pass-9876"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("New-pass-9876")


def test_profile_updates_language_and_organization(client):
    user = UserFactory()
    org = OrganizationFactory()
    client.force_login(user)
    response = client.post(
        reverse("profile"),
        {"full_name": "王五", "email": user.email, "phone": "", "organization": org.pk, "preferred_language": "en"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.preferred_language == "en" and user.organization == org
    page = client.get(reverse("profile"))
    assert 'lang="en"' in page.content.decode()


def test_profile_requires_login(client):
    assert client.get(reverse("profile")).status_code == 302


def test_unread_badge_counts_only_own_in_app_notices(client):
    user, other = UserFactory(), UserFactory()
    for i in range(3):
        Notification.objects.create(
            recipient=user, kind="k", channel=Channel.IN_APP, subject=f"s{i}", body="b", dedup_key=f"u{i}"
        )
    Notification.objects.create(recipient=user, kind="k", channel=Channel.EMAIL, subject="e", body="b", dedup_key="e")
    Notification.objects.create(recipient=other, kind="k", channel=Channel.IN_APP, subject="o", body="b", dedup_key="o")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.context["nav"]["unread"] == 3
    assert "data-unread-badge" in response.content.decode()


def test_notification_centre_marks_read_and_hides_others(client):
    user, other = UserFactory(), UserFactory()
    mine = Notification.objects.create(
        recipient=user, kind="k", channel=Channel.IN_APP, subject="我的通知", body="正文", dedup_key="m"
    )
    theirs = Notification.objects.create(
        recipient=other, kind="k", channel=Channel.IN_APP, subject="别人的通知", body="b", dedup_key="t"
    )
    client.force_login(user)
    body = client.get(reverse("notification_list")).content.decode()
    assert "我的通知" in body and "别人的通知" not in body
    assert client.get(reverse("notification_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notification_detail", args=[mine.pk])).status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None
    Notification.objects.create(recipient=user, kind="k", channel=Channel.IN_APP, subject="x", body="b", dedup_key="x")
    client.post(reverse("notification_read_all"))
    assert not Notification.objects.filter(recipient=user, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize(
    "link, expected",
    [
        ("/api/v1/scenarios/7/", "/scenarios/7/"),
        ("http://127.0.0.1:8000/api/v1/solutions/3/", "/solutions/3/"),
        ("/api/v1/rounds/1/results/", ""),
        ("/team/", "/team/"),
        ("https://evil.example.com/x", ""),
    ],
)
def test_notice_links_lead_to_pages(client, link, expected):
    user = UserFactory()
    notice = Notification.objects.create(
        recipient=user, kind="k", channel=Channel.IN_APP, subject="s", body="b", dedup_key="l", link=link
    )
    client.force_login(user)
    assert client.get(reverse("notification_detail", args=[notice.pk])).context["link"] == expected


@pytest.mark.parametrize(
    "target, expected",
    [("/team/", "/accounts/login/?next=%2Fteam%2F"), ("https://evil.example.com/", "/accounts/login/")],
)
def test_sign_up_leads_back_only_to_this_site(client, target, expected):
    """The confirmation link carries the sign-up's `next` when it is on this site."""
    data = {
        "username": "zhao",
        "email": "zhao@example.com",
        "full_name": "赵六",
        "preferred_language": "zh-hans",
        "password1": "a-Strong-pass-2021",
        "password2": "a-Strong-pass-2021",
        "next": target,
    }
    response = client.post(reverse("signup"), data)
    assert response.status_code == 302 and response["Location"] == reverse("signup_done")
    link = next(word for word in mail.outbox[0].body.split() if "/accounts/verify/" in word)
    assert "evil" not in link
    parts = urlsplit(link)
    response = client.post(f"{parts.path}?{parts.query}" if parts.query else parts.path)
    assert response.status_code == 302 and response["Location"] == expected
