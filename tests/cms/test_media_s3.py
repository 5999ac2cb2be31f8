"""Media on S3-compatible storage (MEDIA_STORAGE=s3), shared by every web node.

moto's S3 server runs in this process on a free port; the nodes are real, separate processes with
their own (empty, temporary) MEDIA_ROOT, configured only through the environment variables the
README documents. One uploads an image, a second renders it, a third finds that rendition made.
"""

import io
import json
import sys
from urllib.request import urlopen

import boto3
import pytest
from moto.server import ThreadedMotoServer
from PIL import Image as PILImage

from wagtail.images import get_image_model

from tests.fixtures.nodes import Node, free_port, node_env

pytestmark = pytest.mark.django_db(transaction=True)

BUCKET = "smakom-media"
REGION = "eu-north-1"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/media/*",
        }
    ],
}

UPLOAD = """
import io
import django
django.setup()
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.images import get_image_model
data = io.BytesIO()
Image.new("RGB", (640, 480), (200, 30, 30)).save(data, "PNG")
image = get_image_model().objects.create(title="Uppladdad", file=ImageFile(data, name="foto.png"))
print("image", image.pk, image.file.name, image.width, image.height)
"""

RENDER = """
import sys
import django
django.setup()
from wagtail.images import get_image_model
image = get_image_model().objects.get(pk=int(sys.argv[1]))
rendition = image.get_rendition("fill-200x100")
print("rendition", rendition.file.name, rendition.url, rendition.width, rendition.height)
"""


@pytest.fixture
def s3():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    endpoint = f"http://{server._ip_address}:{server._port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto accepts any)
    )
    client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    # As the README says to set up the bucket: anyone may read media (the site's images).
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    yield endpoint, client
    server.stop()


def run(script, *args, env) -> list[str]:
    node = Node([sys.executable, "-c", script, *args], env)
    node.process.wait(timeout=120)
    output = node.stop()
    assert node.process.returncode == 0, output
    return output.strip().splitlines()[-1].split()


def keys(client) -> list[str]:
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_an_image_uploaded_on_one_node_is_rendered_once_for_all(transactional_db, s3):
    endpoint, client = s3
    env = node_env()
    env.update(
        MEDIA_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=BUCKET,
        AWS_S3_ENDPOINT_URL=endpoint,
        AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106
    )

    _, pk, original, width, height = run(UPLOAD, env=env)
    assert (width, height) == ("640", "480")
    assert keys(client) == [f"media/{original}"]

    # Another node (its MEDIA_ROOT has never seen the file) renders it from the bucket …
    _, name, url, width, height = run(RENDER, pk, env=env)
    assert (width, height) == ("200", "100")
    assert keys(client) == sorted([f"media/{original}", f"media/{name}"])
    assert url == f"{endpoint}/{BUCKET}/media/{name}"  # plain, cacheable: no signed query
    with urlopen(url) as response:  # noqa: S310 (moto on this machine)
        assert PILImage.open(io.BytesIO(response.read())).size == (200, 100)

    # … and a third finds it made: same file, nothing new in the bucket, one rendition row.
    assert run(RENDER, pk, env=env)[1:3] == [name, url]
    assert len(keys(client)) == 2
    assert get_image_model().objects.get(pk=pk).renditions.count() == 1


def test_unknown_media_storage_is_refused():
    env = node_env()
    env["MEDIA_STORAGE"] = "ftp"
    node = Node([sys.executable, "-c", "import django; django.setup()"], env)
    node.process.wait(timeout=120)
    output = node.stop()
    assert node.process.returncode != 0
    assert "MEDIA_STORAGE must be 'filesystem' or 's3'" in output
