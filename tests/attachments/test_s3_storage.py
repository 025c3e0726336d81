"""Attachments in an S3-compatible object store: moto's standalone server speaks the real S3
protocol on loopback; django-storages and boto3 talk to it as to any bucket. Upload (E8), list
(E9), download through the service (E10) and the 302 to a presigned URL, fetched with urllib."""

import socket
import urllib.request

import boto3
import pytest
from moto.server import ThreadedMotoServer

from attachments.models import Attachment
from tests.support.attachments import HTML_BYTES, attachment_form, png_bytes, post_attachment
from tests.support.client import envelope_result
from tests.support.endpoints import E9, E10

pytestmark = pytest.mark.django_db

BUCKET = "crm-attachments"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    ).create_bucket(Bucket=BUCKET)
    yield url
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_endpoint):
    settings.CRM_ATTACHMENT_STORAGE = "s3"
    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "addressing_style": "path",
                "signature_version": "s3v4",
                **CREDENTIALS,
            },
        },
    }


def bucket_objects(endpoint: str) -> dict[str, bytes]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    listed = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read() for item in listed}


@pytest.fixture(autouse=True)
def _empty_bucket(s3_endpoint):
    yield
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])


def test_an_upload_lands_in_the_bucket_under_its_random_key(client, own_ticket, s3_storage, s3_endpoint):
    envelope_result(post_attachment(client))
    attachment = Attachment.objects.get()
    assert bucket_objects(s3_endpoint) == {attachment.storage_key: png_bytes()}


def test_a_refused_upload_leaves_the_bucket_empty(client, own_ticket, s3_storage, s3_endpoint):
    assert post_attachment(client, attachment_form(content=HTML_BYTES)).status_code == 415
    assert bucket_objects(s3_endpoint) == {}


def test_list_and_download_through_the_service(api, client, own_ticket, s3_storage):
    item = envelope_result(post_attachment(client))
    assert envelope_result(api.call(E9, query={"ticketNo": "TT1130"})) == [item]
    response = api.call(E10, query={"id": item["id"]})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(png_bytes()))


def test_with_redirect_on_the_download_is_a_302_to_a_presigned_url(
    api, client, own_ticket, s3_storage, settings
):
    settings.CRM_ATTACHMENT_REDIRECT = True
    item = envelope_result(post_attachment(client, attachment_form(filename="Rechnung März.png")))
    response = api.call(E10, query={"id": item["id"]})
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert "X-Amz-Expires=300" in location
    with urllib.request.urlopen(location, timeout=10) as fetched:
        assert fetched.read() == png_bytes()
        assert fetched.headers["Content-Type"] == "image/png"
        disposition = fetched.headers["Content-Disposition"]
        assert disposition == "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.png"


def test_the_objects_are_not_public(client, own_ticket, s3_storage, s3_endpoint):
    envelope_result(post_attachment(client))
    key = Attachment.objects.get().storage_key
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_endpoint}/{BUCKET}/{key}", timeout=10)
    assert refused.value.code == 403
