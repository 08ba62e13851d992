"""A researcher's session: a notebook opened in a real JupyterLab, every cell run, no error output.

JupyterLab runs on the loopback address with a random token; Debian's Chromium, driven by
Playwright, opens the notebook, runs all cells from the Run menu and reads what the page shows.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

NOTEBOOK = "01_voortgang_per_actielijn.ipynb"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def jupyterlab(tmp_path):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks; its URL and token."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed; .ci/run should have installed it")
        pytest.skip("chromium not installed (apt-get install chromium)")
    root = tmp_path / "werk"
    shutil.copytree(ROOT / "notebooks", root)
    settings = tmp_path / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    # no news check at start (this machine has no internet; a toast would cover the menu)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}', encoding="utf-8"
    )
    # every cell rendered (no windowing), so every output can be read from the page
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        '{"windowingMode": "none"}', encoding="utf-8"
    )
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "lab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
            "--ServerApp.open_browser=False",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab did not start: {server.stderr.read()[-2000:]}")
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not answer within 90 s")
    try:
        yield url, token, chromium
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_a_notebook_runs_all_its_cells_in_jupyterlab_without_errors(jupyterlab):
    from playwright.sync_api import sync_playwright

    url, token, chromium = jupyterlab
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}", wait_until="domcontentloaded")
        page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=90_000)  # the kernel is connected
        page.wait_for_timeout(2000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()  # the Run menu, as a researcher would
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        deadline = time.monotonic() + 180
        code_cells = page.locator(".jp-CodeCell")
        while time.monotonic() < deadline:
            prompts = [code_cells.nth(i).locator(".jp-InputPrompt").inner_text() for i in range(code_cells.count())]
            if prompts and all(pr.strip().startswith("[") and pr.strip()[1:-2].strip().isdigit() for pr in prompts):
                break
            page.wait_for_timeout(500)
        else:
            pytest.fail(f"not every cell ran: {prompts}")
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").all_inner_texts()
        assert errors == []
        # what the notebook is for: a table, a figure and the section were shown
        assert page.locator(".jp-OutputArea-output table.dataframe").count() >= 2
        assert page.locator(".jp-OutputArea-output img").count() >= 2  # the figure, and the figure in the section
        assert "Voortgang per actielijn" in page.locator(".jp-OutputArea-output .nap-fragment").first.inner_text()
        page.screenshot(path=str(Path(os.environ.get("NAP_SCREENSHOTS", "/tmp")) / "jupyterlab.png"), full_page=False)
        browser.close()
