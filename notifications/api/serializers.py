from rest_framework import serializers

from notifications.models import Notification


class NotificationOutputSerializer(serializers.ModelSerializer):
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "language", "subject", "body", "link", "created_at", "read_at", "read"]
        read_only_fields = fields

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationListQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


class UnreadCountOutputSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkAllReadOutputSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()
