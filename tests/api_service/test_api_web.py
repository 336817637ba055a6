"""The clerks' web page in real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): a genuine document shows PASSED with its claims in their own script; a tampered
one shows FAILED with the reason. Screenshots are saved in the test's tmp dir.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api import Settings, create_app
from vc_engine.store import Registry

from browser import browser_page, serve
from factory import NOW
from service import make_clients, signed_birth_certificate, tampered, trust_kmc


@pytest.fixture
def live(registry: Registry, registry_url: str) -> Iterator[tuple[str, str]]:
    """The service on a loopback port, and a verify-scoped key."""
    trust_kmc(registry)
    token = make_clients(registry_url)["verify"]
    app = create_app(Settings(registry_url=registry_url), clock=lambda: NOW)
    with serve(app) as url:
        yield url, token


@pytest.fixture
def page():
    with browser_page() as opened:
        yield opened


def test_clerk_sees_passed_with_claims_then_failed_with_the_reason(
    live: tuple[str, str], page, tmp_path: Path
) -> None:
    url, token = live
    page.goto(url + "/")
    page.fill("#key-input", token)
    page.click("#key-form button[type=submit]")
    assert page.is_visible("#key-saved")

    genuine = tmp_path / "birth-certificate.xml"
    genuine.write_bytes(signed_birth_certificate())
    page.set_input_files("#file", str(genuine))
    page.wait_for_selector("#result:not([hidden])")
    assert page.inner_text("#verdict-word") == "PASSED"
    assert "equivalent to the original" in page.inner_text("#verdict-text")
    assert "Kolkata Municipal Corporation" in page.inner_text("#summary")
    claims = page.inner_text("#claims")
    assert "অমিত হালদার" in claims  # the holder's name in Bengali
    assert "Amit Halder" in claims
    assert "rgb(19, 112, 45)" in page.eval_on_selector("#verdict", "e => getComputedStyle(e).color")
    page.screenshot(path=str(tmp_path / "passed.png"), full_page=True)

    page.fill("#paste", tampered(signed_birth_certificate()).decode())
    page.click("#verify")
    page.wait_for_selector("#verdict.FAILED", timeout=10_000)
    text = page.inner_text("#verdict-text")
    assert "NOT equivalent" in text
    assert "digest" in text.lower()
    assert "HASH_FAILURE" in page.inner_text("#checks")
    assert "rgb(179, 38, 30)" in page.eval_on_selector("#verdict", "e => getComputedStyle(e).color")
    page.screenshot(path=str(tmp_path / "failed.png"), full_page=True)


def test_a_refused_key_is_said_in_plain_words(live: tuple[str, str], page) -> None:
    url, _ = live
    page.goto(url + "/")
    page.fill("#key-input", "vcc_0000000000000000.wrong")
    page.click("#key-form button[type=submit]")
    page.fill("#paste", signed_birth_certificate().decode())
    page.click("#verify")
    page.wait_for_selector("#error:not([hidden])")
    assert "key was refused" in page.inner_text("#error")
    assert page.is_visible("#key-form")  # asked for the key again
