"""`tsur deploy pages` puts the static pages in the site bucket with the API address and sign-in set."""

import json

import boto3
from moto import mock_aws

from tsur.deploy import page_config, upload_pages

OUTPUTS = {"OperatorsUserPoolClientId": "client123",
           "OperatorsSignInDomain": "tsur-prod-1.auth.eu-central-1.amazoncognito.com",
           "AdminPageUrl": "https://d111.cloudfront.net/admin/", "AdminSiteBucketName": "site"}


def test_the_pages_are_uploaded_with_their_content_types_and_the_config(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="site")
        keys = upload_pages(s3, "site", page_config("https://api.example/api/", OUTPUTS, "eu-central-1"))
        assert {"admin/index.html", "widget/tsur-widget.js", "track/index.html", "admin/config.js", "api/index.html",
                "api/api.js", "api/config.js"} <= set(keys)
        assert keys.count("api/config.js") == 1  # the deployed one, not the local file
        head = s3.head_object(Bucket="site", Key="widget/tsur-widget.js")
        assert "javascript" in head["ContentType"]
        config = s3.get_object(Bucket="site", Key="admin/config.js")["Body"].read().decode()
    settings = json.loads(config.removeprefix("window.TSUR_CONFIG = ").rstrip(";\n"))
    assert settings == {"api": "https://api.example/api", "auth": "cognito", "client_id": "client123",
                        "cognito_domain": OUTPUTS["OperatorsSignInDomain"], "redirect_uri": OUTPUTS["AdminPageUrl"],
                        "region": "eu-central-1"}
