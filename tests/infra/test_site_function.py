"""The CloudFront Function in infra/template.json that maps folder addresses to their index.html, run by node."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from tsur.local.template import TEMPLATE_PATH

NODE = shutil.which("node")


def run(uri: str, querystring: dict[str, Any] | None = None) -> dict[str, Any]:
    if NODE is None:
        pytest.skip("node is not installed: the CloudFront Function is checked with it (apt-get install nodejs)")
    template = json.loads(TEMPLATE_PATH.read_text())
    code = template["Resources"]["SiteIndexFunction"]["Properties"]["FunctionCode"]
    event = {"request": {"method": "GET", "uri": uri, "querystring": querystring or {}, "headers": {}}}
    script = f"{code}\nprocess.stdout.write(JSON.stringify(handler({json.dumps(event)})));"
    return dict(json.loads(subprocess.run([NODE, "-e", script], capture_output=True, text=True, check=True,
                                          timeout=30).stdout))


@pytest.mark.parametrize(("uri", "served"), [
    ("/admin/", "/admin/index.html"), ("/track/", "/track/index.html"), ("/demo/", "/demo/index.html"),
    ("/admin/js/main.js", "/admin/js/main.js"), ("/widget/tsur-widget.css", "/widget/tsur-widget.css"),
])
def test_a_folder_serves_its_index_and_files_pass_unchanged(uri: str, served: str) -> None:
    assert run(uri)["uri"] == served


def test_a_folder_without_its_slash_and_the_root_are_redirected_keeping_the_query() -> None:
    moved = run("/track", {"id": {"value": "c_1"}, "token": {"value": "t%2B1"}})
    assert moved["statusCode"] == 301
    assert moved["headers"]["location"]["value"] == "/track/?id=c_1&token=t%2B1"
    assert run("/")["headers"]["location"]["value"] == "/admin/"


def test_the_distribution_runs_it_on_every_viewer_request() -> None:
    template = json.loads(TEMPLATE_PATH.read_text())
    config = template["Resources"]["AdminDistribution"]["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": ["SiteIndexFunction", "FunctionARN"]}}]
    assert "DefaultRootObject" not in config  # the function redirects / to /admin/, so relative links resolve
