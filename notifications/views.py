"""The notification centre: the signed-in user's in-app notices."""

import re
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .models import Channel, Notification
from .services import notification_mark_all_read, notification_mark_read

# Notices written by services may point at API resources; show the matching web page instead.
_API_TO_PAGE = (
    (re.compile(r"^/api/v1/scenarios/(\d+)/?$"), "scenario_detail"),
    (re.compile(r"^/api/v1/solutions/(\d+)/?$"), "solution_detail"),
    (re.compile(r"^/api/v1/teams/(\d+)/?$"), "team_detail"),
)


def _page_for(link: str) -> str:
    if not link:
        return ""
    path = urlsplit(link).path if "://" in link else link
    for pattern, name in _API_TO_PAGE:
        match = pattern.match(path)
        if match:
            return reverse(name, args=[int(match.group(1))])
    return "" if path.startswith("/api/") else link


def _own_notices(user):
    return Notification.objects.filter(recipient=user, channel=Channel.IN_APP)


@login_required
def notification_list(request):
    qs = _own_notices(request.user).order_by("-id")
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {
            "page": page,
            "unread_only": bool(request.GET.get("unread")),
            "querystring": "unread=1" if request.GET.get("unread") else "",
        },
    )


@login_required
def notification_detail(request, pk):
    notice = get_object_or_404(_own_notices(request.user), pk=pk)
    notification_mark_read(user=request.user, notification=notice)
    link = _page_for(notice.link)
    if link and not url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        link = ""
    return render(request, "notifications/notification_detail.html", {"notice": notice, "link": link})


@login_required
@require_POST
def notification_read(request, pk):
    notice = get_object_or_404(_own_notices(request.user), pk=pk)
    notification_mark_read(user=request.user, notification=notice)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    notification_mark_all_read(user=request.user)
    return redirect("notification_list")
