"""`madoguchi serve`: pages, static files and WebSockets on one port, and its worker."""

from __future__ import annotations

import asyncio
import os
import re
import signal

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.deployment import (
    Deployment,
    deployment,
    free_port,
    http_get,
    is_running,
    raw_get,
    wait_for,
)

__all__ = ["deployment"]  # the fixture, used by name below


def ping(url: str, *, origin: str) -> str:
    async def exchange() -> str:
        async with connect(url, origin=origin, open_timeout=10) as websocket:  # type: ignore[arg-type]
            await websocket.send("ping")
            return str(await asyncio.wait_for(websocket.recv(), timeout=10))

    return asyncio.run(exchange())


def test_serve_answers_the_help_center_and_its_static_files(deployment: Deployment) -> None:
    server = deployment.serve()
    try:
        status, body = http_get(server.url + "/ja/")
        assert status == 200
        assert b'lang="ja"' in body
        assert http_get(server.url + "/static/css/madoguchi.css")[0] == 200
        assert http_get(server.url + "/api/v1/openapi.json")[0] == 200
    finally:
        assert server.stop() == 0, server.log()


def test_websockets_are_served_on_the_same_port_as_pages(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1")
    try:
        origin = server.url
        assert ping(f"ws://127.0.0.1:{server.port}/ws/ping/", origin=origin) == "pong"
    finally:
        server.stop()


def test_a_websocket_from_a_foreign_origin_is_refused(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1")
    try:
        with pytest.raises(InvalidStatus) as refused:
            ping(f"ws://127.0.0.1:{server.port}/ws/ping/", origin="https://phish.example")
        assert refused.value.response.status_code == 403
    finally:
        server.stop()


def test_serve_listens_on_the_port_named_by_the_port_variable(deployment: Deployment) -> None:
    port = free_port()
    server = deployment.serve("--workers", "1", PORT=str(port))
    try:
        assert http_get(f"http://127.0.0.1:{port}/ja/")[0] == 200
    finally:
        server.stop()


def test_serve_runs_one_background_worker_and_stops_it_when_stopped(
    deployment: Deployment,
) -> None:
    server = deployment.serve("--workers", "2")
    wait_for(lambda: len(server.worker_pids()) == 1, timeout=15, what="the worker child")
    (worker,) = server.worker_pids()

    assert server.stop(signal.SIGTERM) == 0, server.log()

    wait_for(lambda: not is_running(worker), timeout=30, what="the worker to stop with serve")


def test_ctrl_c_stops_serve_and_its_worker(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1")
    wait_for(lambda: len(server.worker_pids()) == 1, timeout=15, what="the worker child")
    (worker,) = server.worker_pids()

    server.stop(signal.SIGINT)

    wait_for(lambda: not is_running(worker), timeout=30, what="the worker to stop with serve")


def test_a_worker_that_dies_is_restarted(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1")
    try:
        wait_for(lambda: len(server.worker_pids()) == 1, timeout=15, what="the worker child")
        (first,) = server.worker_pids()
        os.kill(first, signal.SIGKILL)

        wait_for(
            lambda: [p for p in server.worker_pids() if p != first and is_running(p)],
            timeout=30,
            what="a new worker",
        )
        assert "restarting it" in server.log()
        assert http_get(server.url + "/ja/")[0] == 200
    finally:
        server.stop()


def test_the_worker_exits_when_serve_is_killed(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1")
    wait_for(lambda: len(server.worker_pids()) == 1, timeout=15, what="the worker child")
    (worker,) = server.worker_pids()

    server.stop(signal.SIGKILL)

    wait_for(lambda: not is_running(worker), timeout=30, what="the orphaned worker to exit")


def test_serve_with_no_worker_runs_no_worker(deployment: Deployment) -> None:
    server = deployment.serve("--workers", "1", "--no-worker")
    try:
        assert http_get(server.url + "/ja/")[0] == 200
        assert server.worker_pids() == []
        assert "not started (--no-worker)" in server.log()
    finally:
        server.stop()


def test_serve_leaves_the_worker_to_separate_processes_when_redis_is_configured(
    deployment: Deployment, redis_url: str
) -> None:
    server = deployment.serve("--workers", "1", REDIS_URL=redis_url)
    try:
        assert http_get(server.url + "/ja/")[0] == 200
        assert server.worker_pids() == []
        assert "REDIS_URL is set" in server.log()
    finally:
        server.stop()


def test_serve_refuses_a_port_that_is_not_a_number(deployment: Deployment) -> None:
    result = deployment.run("serve", "--port", "eighty")
    assert result.returncode != 0
    assert "not a port number: 'eighty'" in result.stderr


def test_in_production_serve_trusts_the_local_proxy_for_https_and_redirects_plain_http(
    deployment: Deployment,
) -> None:
    server = deployment.serve(
        "--workers",
        "1",
        "--no-worker",
        DEBUG="0",
        SECRET_KEY="a-production-key-that-is-long-and-random-enough-9f8e7d6c5b4a3f2e1d0c",
        ALLOWED_HOSTS="127.0.0.1",
    )
    try:
        status, headers, _ = raw_get(server.url + "/ja/")
        assert status == 301
        assert headers["location"] == f"https://127.0.0.1:{server.port}/ja/"

        behind_proxy = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        status, headers, body = raw_get(server.url + "/ja/", headers=behind_proxy)
        assert status == 200
        assert headers["strict-transport-security"].startswith("max-age=31536000")

        # Static files carry content hashes in production, so they can be cached for a year.
        stylesheet = re.search(rb'href="(/static/css/madoguchi\.[0-9a-f]{12}\.css)"', body)
        assert stylesheet, body[:500]
        status, headers, _ = raw_get(
            server.url + stylesheet.group(1).decode(), headers=behind_proxy
        )
        assert status == 200
        assert "max-age=315360000" in headers["cache-control"]
    finally:
        server.stop()


def test_serve_names_an_environment_variable_that_is_not_a_number(
    deployment: Deployment,
) -> None:
    result = deployment.run("serve", env=deployment.env(PORT="eighty"))

    assert result.returncode == 1
    assert "PORT: not a port number: 'eighty'" in result.stderr
