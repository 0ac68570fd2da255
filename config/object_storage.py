"""The S3-compatible storage backend of STORAGES["default"] when object storage is configured."""

import mimetypes

from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class ObjectStorage(S3Storage):
    """S3Storage whose objects get the type of their generated name, never the type the
    uploading client declared (an upload claiming text/html is stored as what it really is)."""

    object_storage = True  # read by config.storage.download_response

    def _get_write_parameters(self, name, content=None):
        params = self.get_object_parameters(name)
        params.setdefault("ContentType", mimetypes.guess_type(name)[0] or "application/octet-stream")
        return params

    def open_stream(self, name: str):
        """The object's body as a stream read from the store as it is sent (S3File would first
        copy the whole object into a temporary file)."""
        key = self._normalize_name(clean_name(name))
        try:
            return self.bucket.Object(key).get()["Body"]
        except self.connection.meta.client.exceptions.NoSuchKey as exc:
            raise FileNotFoundError(name) from exc
