"""The in-app notification centre: own notices only (anyone else's is 404)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from notifications import selectors, services
from notifications.models import Notification

from .serializers import (
    MarkAllReadOutputSerializer,
    NotificationListQuerySerializer,
    NotificationOutputSerializer,
    UnreadCountOutputSerializer,
)

ERRORS = {
    403: OpenApiResponse(description="Not signed in (`not_authenticated`)."),
    404: OpenApiResponse(description="No such notice among yours."),
}


@extend_schema_view(
    list=extend_schema(
        summary="My notices, newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only unread notices.")],
    ),
    retrieve=extend_schema(summary="One of my notices", responses={200: NotificationOutputSerializer, **ERRORS}),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationOutputSerializer
    permission_classes = [IsAuthenticated]
    queryset = Notification.objects.none()
    filter_backends = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        unread = False
        if self.action == "list":
            query = NotificationListQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            unread = query.validated_data["unread"]
        return selectors.notification_list_for_user(user=self.request.user, unread_only=unread)

    @extend_schema(summary="Number of my unread notices", responses={200: UnreadCountOutputSerializer, **ERRORS})
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": selectors.notification_unread_count(user=request.user)})

    @extend_schema(
        summary="Mark one of my notices read", request=None, responses={200: NotificationOutputSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"], url_path="read")
    def mark_read(self, request, pk=None):
        notice = get_object_or_404(selectors.notification_list_for_user(user=request.user), pk=pk)
        notice = services.notification_mark_read(user=request.user, notification=notice)
        return Response(NotificationOutputSerializer(notice).data)

    @extend_schema(
        summary="Mark all my notices read", request=None, responses={200: MarkAllReadOutputSerializer, **ERRORS}
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def mark_all_read(self, request):
        marked = services.notification_mark_all_read(user=request.user)
        return Response({"marked": marked, "unread": 0})
