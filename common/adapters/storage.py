"""Object Storage adapter (S3 API through boto3): presigned URLs, HEAD and delete of media objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO
from urllib.parse import quote

from common.adapters.ports import OpenUpload, PartsNotJoined, StoredObject, StoredPart
from common.runtime.config import Settings


def _no_upload(exc: Exception) -> bool:
    return getattr(exc, "response", {}).get("Error", {}).get("Code") in ("NoSuchUpload", "404")


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

    def presign_part(self, key: str, upload_id: str, part_number: int, size: int, expires_s: int) -> str:
        # Content-Length is signed, as for a whole PUT: the URL takes this part's exact size and nothing larger.
        params = {
            "Bucket": self.bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
            "ContentLength": size,
        }
        return str(self._client.generate_presigned_url("upload_part", Params=params, ExpiresIn=expires_s))

    def list_parts(self, key: str, upload_id: str) -> list[StoredPart] | None:
        """The parts stored so far (None when the upload is gone: completed or aborted)."""
        from botocore.exceptions import ClientError

        parts: list[StoredPart] = []
        marker = 0
        while True:
            try:
                page = self._client.list_parts(
                    Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumberMarker=marker, MaxParts=1000
                )
            except ClientError as exc:
                if _no_upload(exc):
                    return None
                raise
            for p in page.get("Parts", []):
                parts.append(StoredPart(int(p["PartNumber"]), int(p["Size"]), str(p["ETag"]).strip('"')))
            if not page.get("IsTruncated"):
                return parts
            marker = int(page["NextPartNumberMarker"])

    def open_uploads(self, prefix: str, limit: int = 1000) -> Iterator[OpenUpload]:
        """Multipart uploads started under `prefix` and neither completed nor aborted (at most `limit`)."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Prefix": prefix, "MaxUploads": min(limit, 1000)}
        seen = 0
        while seen < limit:
            page = self._client.list_multipart_uploads(**args)
            for u in page.get("Uploads", []):
                seen += 1
                yield OpenUpload(str(u["Key"]), str(u["UploadId"]), u["Initiated"])
            if not page.get("IsTruncated"):
                return
            args |= {"KeyMarker": page["NextKeyMarker"], "UploadIdMarker": page["NextUploadIdMarker"]}

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
            if not _no_upload(exc):
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

    def put(self, key: str, body: BinaryIO, content_type: str) -> None:
        # upload_fileobj switches to a multipart upload past 8 MB, so a long recording never sits in memory whole.
        self._client.upload_fileobj(body, self.bucket, key, ExtraArgs={"ContentType": content_type})

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)
