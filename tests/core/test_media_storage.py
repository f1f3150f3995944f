"""MEDIA_STORAGE=s3: uploads go to an S3-compatible bucket as private objects, and come back
through the application (moto stands in for the store, in process)."""

from __future__ import annotations

from datetime import date
from typing import Any

import boto3
import pytest
from django.core.files.storage import storages
from moto import mock_aws

from gongkai.disclosure import actions
from gongkai.disclosure.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
BUCKET = "gongkai-media-test"


@pytest.fixture
def s3_storage(settings: Any, monkeypatch: Any) -> Any:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": BUCKET, "region_name": "us-east-1", "default_acl": "private",
                            "querystring_auth": True, "file_overwrite": False},
            },
        }  # fmt: skip
        yield client


@pytest.mark.django_db
def test_an_attachment_is_a_private_object_in_the_bucket_and_downloads_through_the_portal(
    world: Any, client: Any, s3_storage: Any
) -> None:
    assert type(storages["default"]).__name__ == "S3Storage"
    item = actions.create_item(actor=world.clerk_a, organisation=world.unit_a, title="预算公开附件",
                               formed_on=date(2025, 9, 1))  # fmt: skip
    att = actions.add_attachment(actor=world.clerk_a, item=item, name="预算表.pdf", data=PDF)
    actions.publish_item(actor=world.reviewer, item=item, published_on=date(2025, 9, 2))

    stored = Attachment.objects.get(pk=att.pk)
    body = s3_storage.get_object(Bucket=BUCKET, Key=stored.file.name)["Body"].read()
    assert body == PDF
    grants = s3_storage.get_object_acl(Bucket=BUCKET, Key=stored.file.name)["Grants"]
    assert not any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)

    response = client.get(f"/attachments/{att.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
