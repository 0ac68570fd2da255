"""The project's URLs plus POST /bench/upload-floor/: the floor under every upload on this stack.

It does what any upload must (gunicorn and Django's middleware, multipart parsing, SHA-256,
writing the file) and nothing of the application (no authentication, no database, no idempotency,
no checks). The deadline rush sends the same bodies to it in the same run, as its baseline.
"""

import hashlib
import uuid

from django.core.files.storage import default_storage
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as project_urlpatterns
from submissions.files import upload_handlers_for


@csrf_exempt
def upload_floor(request):
    # The application's upload handlers (their chunk size), without its size limit.
    request.upload_handlers = upload_handlers_for(request, limit=2**62)[1]
    upload = request.FILES["proposal"]
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    name = default_storage.save(f"floor/{uuid.uuid4().hex}.pdf", upload)
    return JsonResponse({"name": name, "sha256": digest.hexdigest()}, status=201)


urlpatterns = [path("bench/upload-floor/", upload_floor), *project_urlpatterns]
