"""`tsur deploy pages` puts the static pages in the site bucket with the API address and sign-in set."""

import json
import re

import boto3
import pytest
from moto import mock_aws

from tsur.deploy import WEB, page_config, upload_pages

OUTPUTS = {"OperatorsUserPoolClientId": "client123",
           "OperatorsSignInDomain": "tsur-prod-1.auth.eu-central-1.amazoncognito.com",
           "AdminPageUrl": "https://d111.cloudfront.net/admin/", "AdminSiteBucketName": "site"}
API = "https://abc.execute-api.eu-central-1.amazonaws.com/api"


@pytest.fixture
def site(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        keys = upload_pages(s3, "site", page_config(API + "/", OUTPUTS, "eu-central-1"))
        yield keys, lambda key: s3.get_object(Bucket="site", Key=key)


def test_the_pages_are_uploaded_with_their_content_types_and_the_config(site):
    keys, get = site
    assert {"admin/index.html", "widget/tsur-widget.js", "track/index.html", "admin/config.js",
            "track/config.js", "demo/index.html", "api/index.html", "api/api.js", "api/config.js"} <= set(keys)
    assert keys.count("api/config.js") == 1  # the deployed one, not the local file
    assert "javascript" in get("widget/tsur-widget.js")["ContentType"]
    for page in ("admin", "track", "api"):
        config = get(f"{page}/config.js")["Body"].read().decode()
        settings = json.loads(config.removeprefix("window.TSUR_CONFIG = ").rstrip(";\n"))
        assert settings == {"api": API, "auth": "cognito", "client_id": "client123",
                            "cognito_domain": OUTPUTS["OperatorsSignInDomain"],
                            "redirect_uri": OUTPUTS["AdminPageUrl"], "region": "eu-central-1"}


def test_the_deployed_widget_and_so_the_demo_page_call_the_api_not_the_cloudfront_site(site):
    _, get = site
    script = get("widget/tsur-widget.js")["Body"].read().decode()
    defaults, = re.findall(r"const DEPLOYED = (\{.*\});", script)
    assert json.loads(defaults) == {"api": API}
    source = (WEB / "widget" / "tsur-widget.js").read_text()
    assert script.replace(defaults, '{"api": ""}') == source  # nothing else of the script changed
    assert "DEPLOYED.api" in script
    demo = get("demo/index.html")["Body"].read().decode()
    tag, = re.findall(r"<script [^>]*tsur-widget\.js[^>]*>", demo)
    assert "data-api" not in tag  # the demo page embeds the widget as an agency would, with one tag
