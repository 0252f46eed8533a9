"""`LocalStack`: moto, the CloudFormation resources, the app behind its API, pollers, schedules, demo agency.

Start order matters: boto3's environment and the app's env vars must exist before `app.py` is imported,
and saved data is restored before anything can write. Stop runs the other way round, with a final dump of
the data while moto is still up.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chalice import Chalice

from tsur.local import template
from tsur.local.agency import AgencyReceiver, AgencyServer
from tsur.local.api_server import make_api_server, serve_in_thread, stop_server
from tsur.local.app_loader import REPO_ROOT, app_environment, load_app, schedule_runners, sqs_pollers
from tsur.local.aws import aws_environment, client, ensure_port_free, point_boto3_at, start_moto
from tsur.local.mailbox import MailboxServer
from tsur.local.moto_transactions import like_dynamodb
from tsur.local.rate_limit import FrontLimits
from tsur.local.runtime import LOCAL_REGION, log
from tsur.local.state import StateStore
from tsur.local.static_files import StaticSites

LOOPBACK = "127.0.0.1"
LOCAL_SENDER_ADDRESS = "no-reply@tsur.local"
LOCAL_SENDER = f"ЦУР <{LOCAL_SENDER_ADDRESS}>"
LOCAL_OPERATORS_ADDRESS = "operators@tsur.local"  # alerts (410 Gone) land in the local mailbox too
# POST /v1/social/vk answers any community with these (local demo values; the credentials file lists them).
DEMO_VK = {"VK_CONFIRMATION_CODE": "tsur-local-confirm", "VK_SECRET": "tsur-local-vk-secret"}
SITE_LABELS = {"demo": "Демо виджета / widget demo:", "admin": "Админка / admin:",
               "api": "Документация API / API docs:"}
STOP_TIMEOUT_S = 8.0


@dataclass(frozen=True)
class LocalOptions:
    host: str = LOOPBACK
    port: int = 8000
    aws_port: int = 5000
    agency_port: int = 8001
    mail_port: int = 8025
    answer_review: str = "auto"
    state_dir: Path = Path("local")
    fresh: bool = False
    schedule_interval: float = 60.0
    visibility_timeout: int = 20
    max_receive_count: int = 5
    demo_data: bool = True
    save_interval: float = 15.0
    rate_limit: int | None = None  # requests per client IP in the window; None: infra/template.json's, 0: off
    stage: str = "local"
    app_file: Path = field(default=REPO_ROOT / "app.py")
    web_root: Path = field(default=REPO_ROOT / "web")

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def aws_url(self) -> str:
        return f"http://{LOOPBACK}:{self.aws_port}"

    @property
    def agency_url(self) -> str:
        return f"http://{LOOPBACK}:{self.agency_port}"

    @property
    def mailbox_url(self) -> str:
        return f"http://{LOOPBACK}:{self.mail_port}"

    @property
    def credentials_file(self) -> Path:
        return self.state_dir.resolve() / "credentials.json"

    @property
    def saved_state_dir(self) -> Path:
        return self.state_dir.resolve() / "state"


def executor_secrets(credentials: dict[str, Any]) -> dict[str, str]:
    """Each webhook target's secret: the executors' and the social-media connectors' (`connector:vk`)."""
    targets = [*credentials.get("executors", []), *credentials.get("connectors", [])]
    return {str(e["id"]): str(e["webhook_secret"]) for e in targets if e.get("webhook_secret")}


def write_private_text(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(path, 0o600)  # also when the file was already there


def write_private_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_text(path, json.dumps(data, ensure_ascii=False, indent=2))


class LocalStack:
    def __init__(self, options: LocalOptions) -> None:
        self.options = options
        self.app: Chalice | None = None
        self.agency: AgencyServer | None = None
        self.state: StateStore | None = None
        self.credentials_file: Path | None = None
        self.limits: FrontLimits | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._cleanup = ExitStack()

    def start(self) -> None:
        """Bring everything up; on failure, tear down what was started and re-raise."""
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the API, the workers, dump the data, stop the agency and moto. Safe to call twice."""
        self._cleanup.close()

    def _on_stop(self, what: str, func: Callable[..., Any], *args: Any) -> None:
        def quietly() -> None:
            try:
                func(*args)
            except Exception as exc:
                log.error("stopping %s failed: %s", what, exc)
        self._cleanup.callback(quietly)

    def _start(self) -> None:
        opts = self.options
        ports = ((opts.host, opts.port), (LOOPBACK, opts.aws_port), (LOOPBACK, opts.agency_port),
                 (LOOPBACK, opts.mail_port))
        for host, port in ports:
            ensure_port_free(port, host)  # fail before starting anything, with a clear message
        if opts.fresh:
            shutil.rmtree(opts.saved_state_dir, ignore_errors=True)
            opts.credentials_file.unlink(missing_ok=True)
        self._start_aws()
        self.agency = AgencyServer(AgencyReceiver(), LOOPBACK, opts.agency_port)
        self.agency.start()
        self._on_stop("demo agency", self.agency.stop)
        self._restore_state(self._create_resources())
        self._start_mail()
        self._on_stop("workers", self._stop_workers)
        self.app = self._load_app()
        self._load_credentials()
        self._start_workers(self.app)
        self.limits = FrontLimits(template.api_limits(), opts.rate_limit)
        api = make_api_server(self.app, opts.web_root, opts.host, opts.port, opts.stage, self.limits)
        self._on_stop("API server", stop_server, api, serve_in_thread(api))

    def _create_resources(self) -> dict[str, str]:
        opts = self.options
        outputs = template.create_stack(client("cloudformation"), opts.stage, {
            "QueueVisibilityTimeout": str(opts.visibility_timeout),
            "MaxReceiveCount": str(opts.max_receive_count), "WidgetOrigins": opts.api_url})
        os.environ.update(app_environment(outputs))
        # For operators' commands (`tsur deliveries …`, `tsur dlq …`) against this running stack.
        write_private_json(opts.state_dir.resolve() / "env.json", {
            **aws_environment(opts.aws_url), "TSUR_STAGE": opts.stage, "ALLOW_LOOPBACK_WEBHOOKS": "1",
            **app_environment(outputs)})
        return outputs

    def _load_app(self) -> Chalice:
        app = load_app(self.options.app_file)
        from chalicelib.services import deps

        deps.from_environment.cache_clear()  # like a new Lambda container: no clients of an earlier start
        return app

    def _start_aws(self) -> None:
        opts = self.options
        self._cleanup.enter_context(like_dynamodb())  # restored after moto has stopped
        moto = start_moto(opts.aws_port)
        self._on_stop("moto", moto.stop)
        point_boto3_at(opts.aws_url)
        os.environ.update({
            "TSUR_STAGE": opts.stage,
            "PUBLIC_BASE_URL": opts.api_url,
            "CORS_ORIGINS": opts.api_url,
            "ADMIN_ORIGINS": opts.api_url,
            "ALLOW_LOOPBACK_WEBHOOKS": "1",
            "ANSWER_REVIEW": opts.answer_review,
            "TRACKING_PAGE_URL": f"{opts.api_url}/track/",
            "MAIL_FROM": LOCAL_SENDER,
            "OPERATORS_ALERT_EMAIL": LOCAL_OPERATORS_ADDRESS,
            "SESSION_SECRET": self._session_secret(),
            **DEMO_VK,
        })

    def _session_secret(self) -> str:
        """Signs operators' sessions; kept in the state folder so sign-ins survive a restart."""
        path = self.options.saved_state_dir / "session_secret"
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            write_private_text(path, secrets.token_urlsafe(32))
        return path.read_text().strip()

    def _start_mail(self) -> None:
        client("ses").verify_email_identity(EmailAddress=LOCAL_SENDER_ADDRESS)  # SES sends only from verified
        mailbox = MailboxServer(LOCAL_REGION, LOOPBACK, self.options.mail_port)
        mailbox.start()
        self._on_stop("mailbox", mailbox.stop)

    def _restore_state(self, outputs: dict[str, str]) -> None:
        self.state = StateStore(self.options.saved_state_dir, outputs, client("dynamodb"), client("s3"))
        restored = self.state.restore()
        if any(restored.values()):
            log.info("restored saved data: %s", ", ".join(f"{k}={v}" for k, v in restored.items()))
        # Registered only after a complete restore, so a failed start never overwrites saved data.
        self._on_stop("final save", self.state.dump)
        self._spawn("state-saver", self.state.run, self.options.save_interval)

    def _load_credentials(self) -> None:
        opts = self.options
        assert self.agency is not None
        previous = json.loads(opts.credentials_file.read_text("utf-8")) if opts.credentials_file.is_file() else None
        if opts.demo_data:
            from tsur.local.demo import seed_demo  # imports app code: only after the env is set

            credentials = seed_demo(self.agency.base_url, previous=previous)
            write_private_json(opts.credentials_file, credentials)
        elif previous is not None:
            credentials = previous
        else:
            return
        self.credentials_file = opts.credentials_file
        self.agency.receiver.set_secrets(executor_secrets(credentials))

    def _start_workers(self, app: Chalice) -> None:
        opts = self.options
        for poller in sqs_pollers(app, client("sqs"), opts.stage):
            self._spawn(f"sqs-{poller.function_name}", poller.run)
        for runner in schedule_runners(app, opts.stage, opts.schedule_interval):
            self._spawn(f"schedule-{runner.name}", runner.run)

    def _spawn(self, name: str, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=(self._stopping, *args), name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _stop_workers(self) -> None:
        self._stopping.set()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("%s is still busy; leaving it behind", thread.name)

    def _rate_limit_line(self) -> str:
        limits = template.api_limits()
        per_client = self.limits.per_client if self.limits else limits.per_client
        client = f"{per_client} за {limits.window_s // 60} мин с адреса" if per_client else "без лимита на адрес"
        return f"{client} (/v1/appeals, /v1/uploads, /v1/social/); {limits.rate_per_s:g}/с на всех"

    def banner(self) -> str:
        opts = self.options
        sites = StaticSites(opts.web_root).site_names()
        pages = " ".join(f"{opts.api_url}/{name}/" for name in sites)
        lines = [
            "ЦУР локально / TSUR local — всё запущено / up and running",
            f"  API:                                  {opts.api_url}/",
            f"  Проверка / health:                    {opts.api_url}/health",
            f"  Лимит / rate limit:                   {self._rate_limit_line()}",
            *[f"  {label:<38}{opts.api_url}/{name}/" for name, label in SITE_LABELS.items() if name in sites],
            f"  Демо-исполнитель / demo agency:       {opts.agency_url}/",
            f"  Почта заявителей / residents' mail:   {opts.mailbox_url}/",
            f"  moto (AWS endpoint):                  {opts.aws_url}",
            f"  Доступы / credentials:                {self.credentials_file or '— (без демо-данных / no demo data)'}",
            f"  Данные / saved data:                  {opts.saved_state_dir}",
            f"  Страницы / pages from web/:           {pages or '—'}",
            "Остановить / stop: Ctrl-C",
        ]
        return "\n".join(lines)
