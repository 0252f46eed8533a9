"""moto in server mode, and the environment that points boto3 (ours and the app's) at it."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

from tsur.local.runtime import LOCAL_REGION

# Not credentials: moto accepts anything, and these make sure nothing ever reaches a real account.
FAKE_KEY_ID = "testing"
FAKE_SECRET = "testing"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ensure_port_free(port: int, host: str = "127.0.0.1") -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise RuntimeError(f"порт {host}:{port} занят / port is already in use") from exc


def start_moto(port: int, host: str = "127.0.0.1") -> ThreadedMotoServer:
    # ThreadedMotoServer.start() waits forever if its thread cannot bind, so check first.
    ensure_port_free(port, host)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per AWS call is noise here
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    return server


def aws_environment(endpoint_url: str) -> dict[str, str]:
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": FAKE_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_DEFAULT_REGION": LOCAL_REGION,
        "AWS_REGION": LOCAL_REGION,
    }


def point_boto3_at(endpoint_url: str) -> None:
    """Set the process environment so every boto3 client talks to moto, never to a real account."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        os.environ.pop(name, None)
    os.environ.update(aws_environment(endpoint_url))


def client(service: str, endpoint_url: str | None = None) -> Any:
    """A low-level client; without `endpoint_url` it follows AWS_ENDPOINT_URL like the app's clients do."""
    if endpoint_url is None:
        return boto3.client(service, region_name=LOCAL_REGION)  # type: ignore[call-overload]
    return boto3.client(service, region_name=LOCAL_REGION,  # type: ignore[call-overload]
                        endpoint_url=endpoint_url, aws_access_key_id=FAKE_KEY_ID,
                        aws_secret_access_key=FAKE_SECRET)
