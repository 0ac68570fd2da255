"""Multipart uploads of solution documents, size-checked before the services see a byte."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticatedOrReadOnly

from config.api import ScopedAPIView
from submissions import selectors
from submissions.errors import FileTooLargeError
from submissions.files import UPLOAD_KINDS, upload_handlers_for

# Room for multipart boundaries, headers and the text fields on top of the files' bytes.
MULTIPART_SLACK = 256 * 1024
DEFAULT_UPLOAD_LIMIT = 50 * 1024 * 1024


def _uploads_from(request):
    """(kind, file) pairs from the multipart body; one file per kind except attachments."""
    unknown = sorted(set(request.FILES) - set(UPLOAD_KINDS))
    if unknown:
        raise serializers.ValidationError({name: [_("Unknown document kind.")] for name in unknown})
    uploads = []
    for kind in UPLOAD_KINDS:
        files = request.FILES.getlist(kind)
        if len(files) > 1 and kind != "attachment":
            raise serializers.ValidationError({kind: [_("Upload one file for this document.")]})
        uploads += [(kind, f) for f in files]
    return uploads


class UploadApi(ScopedAPIView):
    """Size is checked twice before the files reach the services: the declared Content-Length
    up front (nothing is read), then the upload handler stops reading past the limit (for
    clients that send chunked or lying bodies)."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [IsAuthenticatedOrReadOnly]
    # Larger than the global body limit: `dispatch` checks the round's own before reading.
    body_limit = staticmethod(lambda request, kwargs: None)

    def dispatch(self, request, *args, **kwargs):
        self.limit_handler = None
        if request.method == "POST":
            limit = selectors.upload_limit_for(kwargs.get("pk"), default=DEFAULT_UPLOAD_LIMIT)
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit + MULTIPART_SLACK:
                error = FileTooLargeError(extra={"limit": limit})
                return JsonResponse(
                    {"code": error.code, "detail": str(error.detail), "extra": error.extra}, status=error.status_code
                )
            self.limit_handler, request.upload_handlers = upload_handlers_for(request, limit=limit + MULTIPART_SLACK)
        return super().dispatch(request, *args, **kwargs)

    def _parsed_uploads(self, request):
        data = request.data  # parses the body through the limited handler
        if self.limit_handler is not None and self.limit_handler.exceeded:
            raise FileTooLargeError(extra={"limit": self.limit_handler.limit - MULTIPART_SLACK})
        return data, _uploads_from(request)
