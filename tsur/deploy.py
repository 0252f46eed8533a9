"""`tsur deploy pages`: upload the static pages to the stack's site bucket, with the API address set.

The admin page, the widget, the tracking page, the API's documentation page and the demo page go to the
AdminSiteBucket that CloudFront serves. `admin/config.js`, `track/config.js` and `api/config.js` are
written with the API's address and the Cognito sign-in settings, and the widget's script gets the API's
address as its default, so the same files work in every stage and an agency embeds the widget with one
script tag.
"""

from __future__ import annotations

import json
import mimetypes
import re
from pathlib import Path
from typing import Any

import click

WEB = Path(__file__).resolve().parents[1] / "web"
SITES = ("admin", "widget", "track", "api", "demo")
CONFIGURED = ("admin", "track", "api")  # the pages that call the API: their config.js names it
WIDGET_SCRIPT = "widget/tsur-widget.js"
# The one line of the widget's script the deploy step rewrites: its default API address.
WIDGET_DEFAULTS = re.compile(r"^(?P<indent>[ ]*)const DEPLOYED = \{.*\};$", re.MULTILINE)


def page_config(api_url: str, outputs: dict[str, str], region: str) -> dict[str, str]:
    config = {"api": api_url.rstrip("/"), "auth": "cognito" if "OperatorsUserPoolClientId" in outputs else "local"}
    if config["auth"] == "cognito":
        config.update(cognito_domain=outputs["OperatorsSignInDomain"], client_id=outputs["OperatorsUserPoolClientId"],
                      redirect_uri=outputs.get("AdminPageUrl", ""), region=region)
    return config


def config_script(config: dict[str, str]) -> str:
    return f"window.TSUR_CONFIG = {json.dumps(config, ensure_ascii=False)};\n"


def widget_script(source: str, api_url: str) -> str:
    """The widget's script with `api_url` as the API it calls when its tag has no `data-api`."""
    defaults = json.dumps({"api": api_url.rstrip("/")})
    script, count = WIDGET_DEFAULTS.subn(lambda m: f"{m['indent']}const DEPLOYED = {defaults};", source)
    if count != 1:
        raise click.ClickException(f"{WIDGET_SCRIPT}: expected one `const DEPLOYED = {{…}};` line, found {count}")
    return script


def _body(key: str, path: Path, config: dict[str, str]) -> bytes:
    if key == WIDGET_SCRIPT:
        return widget_script(path.read_text(encoding="utf-8"), config["api"]).encode()
    return path.read_bytes()


def upload_pages(s3: Any, bucket: str, config: dict[str, str], web: Path = WEB) -> list[str]:
    uploaded = []
    for site in SITES:
        for path in sorted((web / site).rglob("*")):
            if not path.is_file() or path.name == "config.js":
                continue
            key = path.relative_to(web).as_posix()
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            s3.put_object(Bucket=bucket, Key=key, Body=_body(key, path, config), ContentType=content_type,
                          CacheControl="no-cache")
            uploaded.append(key)
    for site in CONFIGURED:
        s3.put_object(Bucket=bucket, Key=f"{site}/config.js", Body=config_script(config).encode(),
                      ContentType="application/javascript", CacheControl="no-cache")
        uploaded.append(f"{site}/config.js")
    return uploaded


@click.group()
def deploy() -> None:
    """Развёртывание в AWS / deploying to AWS."""


@deploy.command("pages")
@click.option("--stack", "stack_name", required=True, help="the CloudFormation stack (e.g. tsur-prod)")
@click.option("--api-url", required=True, help="the API's address, e.g. https://xxxx.execute-api…/api")
def pages(stack_name: str, api_url: str) -> None:
    """Upload web/ to the stack's site bucket with the API address and sign-in settings."""
    import boto3

    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    s3 = boto3.client("s3")
    keys = upload_pages(s3, outputs["AdminSiteBucketName"], page_config(api_url, outputs, s3.meta.region_name))
    site = outputs.get("SiteUrl", "https://<site>")
    click.echo(f"{len(keys)} files uploaded; admin page: {outputs.get('AdminPageUrl', '—')}")
    click.echo(f"widget: <div id=\"tsur-appeal\"></div><script src=\"{site}/widget/tsur-widget.js\" "
               "data-target=\"#tsur-appeal\"></script> (list the agency's site in WidgetOrigins)")
