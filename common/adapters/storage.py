"""Object Storage adapter (S3 API through boto3): presigned URLs, HEAD and delete of media objects."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from common.adapters.ports import PartsNotJoined, StoredObject
from common.runtime.config import Settings


class Storage:
    def __init__(self, settings: Settings) -> None:
        import boto3  # lazy: the auth function never pays for it
        from botocore.config import Config

        self.bucket = settings.S3_BUCKET
        self._client: Any = boto3.client(
            "s3",
            endpoint_url=settings.S3_ENDPOINT_URL or None,
            region_name=settings.S3_REGION,
            aws_access_key_id=settings.S3_ACCESS_KEY_ID,
            aws_secret_access_key=settings.S3_SECRET_ACCESS_KEY,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path"},
                connect_timeout=3,
                read_timeout=10,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )

    def presign_put(self, key: str, content_type: str, size: int, expires_s: int) -> str:
        # Content-Type and Content-Length are signed: the URL accepts only the declared type and exact size (a
        # browser sets Content-Length from the file itself).
        return str(
            self._client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size},
                ExpiresIn=expires_s,
            )
        )

    def start_multipart(self, key: str, content_type: str) -> str:
        return str(
            self._client.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType=content_type)["UploadId"]
        )

    def presign_part(self, key: str, upload_id: str, part_number: int, expires_s: int) -> str:
        params = {"Bucket": self.bucket, "Key": key, "UploadId": upload_id, "PartNumber": part_number}
        return str(self._client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires_s))

    def complete_multipart(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        from botocore.exceptions import ClientError

        listing = {"Parts": [{"PartNumber": n, "ETag": f'"{etag.strip(chr(34))}"'} for n, etag in sorted(parts)]}
        try:
            self._client.complete_multipart_upload(
                Bucket=self.bucket, Key=key, UploadId=upload_id, MultipartUpload=listing
            )
        except ClientError as exc:
            raise PartsNotJoined(exc.response.get("Error", {}).get("Code", "")) from None

    def abort_multipart(self, key: str, upload_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
                raise

    def presign_get(self, key: str, expires_s: int, filename: str | None = None) -> str:
        params = {"Bucket": self.bucket, "Key": key}
        if filename:
            params["ResponseContentDisposition"] = f"inline; filename*=UTF-8''{quote(filename, safe='')}"
        return str(self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_s))

    def head(self, key: str) -> StoredObject | None:
        from botocore.exceptions import ClientError

        try:
            meta = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredObject(
            size=int(meta["ContentLength"]),
            etag=str(meta.get("ETag", "")).strip('"'),
            content_type=str(meta.get("ContentType", "")),
        )

    def copy_if_unchanged(self, source: str, target: str, etag: str) -> bool:
        """Server-side copy of `source` to `target`, only if `source` still has `etag`; False when it changed."""
        from botocore.exceptions import ClientError

        try:
            self._client.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource={"Bucket": self.bucket, "Key": source},
                CopySourceIfMatch=f'"{etag}"',
                MetadataDirective="COPY",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412", "NoSuchKey", "404"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)
