"""The cluster's worker warm-up (a Dask worker plugin) and the settings of a ``local:N`` cluster."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

pytest.importorskip("distributed")

from salesnb.report import _cluster, _cluster_worker

SETTINGS = {"cwd": "/nb", "warm_imports": [], "preload": None, "zygote": None, "topic": "t"}


class FakeWorker:
    address = "tcp://127.0.0.1:4242"


@pytest.fixture
def worker_env(monkeypatch):
    """Let the plugin set the worker's variables; put them back afterwards."""
    monkeypatch.setenv("SALESNB_WORKER", "")
    monkeypatch.setenv("SALESNB_WORKER_PID", "")


def test_setup_names_the_worker_and_starts_the_service_in_the_background(monkeypatch, worker_env):
    started, release = threading.Event(), threading.Event()
    calls = []

    def slow_service(settings):
        calls.append(settings)
        started.set()
        release.wait(5)

    monkeypatch.setattr(_cluster_worker, "service", slow_service)
    _cluster_worker.Warmup(SETTINGS).setup(FakeWorker())  # returns before the service is up
    assert os.environ["SALESNB_WORKER"] == FakeWorker.address  # before any kernel starts
    assert os.environ["SALESNB_WORKER_PID"] == str(os.getpid())
    assert started.wait(5)
    release.set()
    assert calls == [SETTINGS]


def test_a_failing_warm_up_is_not_an_error(monkeypatch, worker_env):
    failed = threading.Event()
    errors = []

    def broken(settings):
        failed.set()
        raise RuntimeError("no zygote today")

    monkeypatch.setattr(_cluster_worker, "service", broken)
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    _cluster_worker.Warmup(SETTINGS).setup(FakeWorker())
    assert failed.wait(5)
    for thread in threading.enumerate():
        if thread.name == "salesnb-warmup":
            thread.join(5)
    assert errors == []  # the first report starts the service again and reports what goes wrong


def test_teardown_closes_the_service_once(monkeypatch):
    class FakeService:
        closed = 0

        def close(self):
            FakeService.closed += 1

    monkeypatch.setattr(_cluster_worker, "_SERVICE", FakeService())
    plugin = _cluster_worker.Warmup(SETTINGS)
    asyncio.run(plugin.teardown(FakeWorker()))
    asyncio.run(plugin.teardown(FakeWorker()))
    assert FakeService.closed == 1
    assert _cluster_worker._SERVICE is None


def test_a_local_cluster_runs_with_the_packs_dask_settings():
    import dask

    keys = sorted(_cluster.LOCAL_CONFIG)
    with _cluster.connect("local:1") as client:
        [seen] = client.run(lambda: [dask.config.get(key) for key in keys]).values()
        # the scheduler runs here and read its settings when it started
        scheduler = client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures)
    assert dict(zip(keys, seen, strict=True)) == _cluster.LOCAL_CONFIG
    assert scheduler == 0
