"""The clerks' page in Bengali, Hindi and English, with every input a counter has, in real
headless Chromium: a signed file of each rendition, a PDF and a photo (sent with their own media
type; the page shows whatever the service answers), and a live QR scan through Chromium's fake
camera fed with a video of a QR code. Bengali and Devanagari text is checked to render as real
glyphs, not as tofu boxes. Screenshots are saved in the test's tmp dir.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import segno
from PIL import Image

from api import Settings, create_app
from vc_engine import doctypes, keys
from vc_engine.formats import vc_di, vc_jwt
from vc_engine.i18n import report as said
from vc_engine.i18n import translate, word
from vc_engine.policy import INDIA
from vc_engine.store import Registry

from browser import browser_page, serve
from factory import NOW, valid_birth_certificate
from service import KMC_ID, make_clients, signed_birth_certificate, tampered, trust_kmc

ED25519 = keys.FileSigner(keys.generate_private_key(keys.KeyAlgorithm.ED25519))
_MULTIKEY = keys.multikey_encode(ED25519.public_key)
METHOD = f"did:key:{_MULTIKEY}#{_MULTIKEY}"
BIRTH = doctypes.DOCTYPES["BTHCER"]
LANGUAGES = ("en", "bn", "hi")


def genuine_jwt() -> bytes:
    return vc_jwt.issue(valid_birth_certificate(), ED25519, kid=METHOD, civil_timezone=INDIA)


def genuine_di() -> bytes:
    return vc_di.issue(
        valid_birth_certificate(), ED25519, verification_method=METHOD, civil_timezone=INDIA
    )


@pytest.fixture
def live(registry: Registry, registry_url: str) -> Iterator[tuple[str, str]]:
    """The service, trusting KMC's RSA key and an Ed25519 key of KMC; a verify-scoped key."""
    trust_kmc(registry)
    since = NOW - timedelta(days=365)
    registry.add_key(
        KMC_ID, ED25519.public_key, certificate=None, valid_from=since, valid_until=None, at=since
    )
    token = make_clients(registry_url)["verify"]
    with serve(create_app(Settings(registry_url=registry_url), clock=lambda: NOW)) as url:
        yield url, token


def open_page(page: Any, url: str, token: str, language: str | None = None) -> None:
    page.goto(url + "/")
    page.wait_for_selector("html[data-ready]")
    if language is not None:
        page.select_option("#lang", language)
        page.wait_for_selector(f"html[data-ready={language}]")
    page.fill("#key-input", token)
    page.click("#key-form button[type=submit]")


def upload(page: Any, path: Path) -> Any:
    """Choose `path` and return the request the page sent for it."""
    with page.expect_request(lambda r: r.url.endswith("/v1/verify")) as sent:
        page.set_input_files("#file", str(path))
    return sent.value


def shown(page: Any) -> None:
    page.wait_for_selector("#result:not([hidden]), #error:not([hidden])")


# Each language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_report_is_said_in_the_chosen_language_with_the_document_types_labels(
    live: tuple[str, str], language: str, tmp_path: Path
) -> None:
    url, token = live
    with browser_page() as page:
        open_page(page, url, token, language)
        assert page.inner_text("#heading") == word("page.heading", language)
        genuine = tmp_path / "birth-certificate.xml"
        genuine.write_bytes(signed_birth_certificate())
        upload(page, genuine)
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#verdict-word") == word("verdict.PASSED.word", language)
        assert page.inner_text("#verdict-text") == word("verdict.PASSED.text", language)
        active = said.ISSUER_ACTIVE(issuer=KMC_ID, name="Kolkata Municipal Corporation")
        assert translate(active, language) in page.inner_text("#checks")
        assert page.inner_text("#doc-title-signed") == BIRTH.title(language)
        claims = page.inner_text("#claims")
        for name in ("name", "dateOfBirth", "placeOfBirth"):
            assert next(f for f in BIRTH.fields if f.name == name).label(language) in claims
        assert "Amit Halder" in claims
        page.screenshot(path=str(tmp_path / f"passed-{language}.png"), full_page=True)

        # The same language after a reload: it is remembered.
        page.reload()
        page.wait_for_selector(f"html[data-ready={language}]")
        assert page.input_value("#lang") == language
        assert page.inner_text("#heading") == word("page.heading", language)

        altered = tmp_path / "altered.xml"
        altered.write_bytes(tampered(signed_birth_certificate()))
        upload(page, altered)
        page.wait_for_selector("#verdict.FAILED")
        assert page.inner_text("#verdict-word") == word("verdict.FAILED.word", language)
        assert translate(said.DIGEST_ALTERED(), language) in page.inner_text("#verdict-text")
        assert "HASH_FAILURE" in page.inner_text("#checks")


def test_switching_language_says_the_shown_report_again(live: tuple[str, str]) -> None:
    url, token = live
    with browser_page() as page:
        open_page(page, url, token)
        page.fill("#paste", genuine_jwt().decode())
        page.click("#verify")
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#verdict-word") == "PASSED"
        page.select_option("#lang", "hi")
        page.wait_for_selector("html[data-ready=hi]")
        assert page.inner_text("#verdict-word") == word("verdict.PASSED.word", "hi")
        assert BIRTH.title("hi") in page.inner_text("#summary")


# Every input


@pytest.mark.parametrize(
    ("name", "make", "media_type"),
    [
        ("birth-certificate.xml", signed_birth_certificate, "application/xml"),
        ("birth-certificate.json", genuine_di, "application/vc+ld+json"),
        ("birth-certificate.jwt", genuine_jwt, "application/vc+jwt"),
    ],
    ids=["signed-xml", "data-integrity", "vc-jwt"],
)
def test_a_file_of_each_rendition_is_sent_as_itself_and_passes(
    live: tuple[str, str], tmp_path: Path, name: str, make: Any, media_type: str
) -> None:
    url, token = live
    file = tmp_path / name
    file.write_bytes(make())
    with browser_page() as page:
        open_page(page, url, token, "bn")
        request = upload(page, file)
        assert request.headers["content-type"] == media_type
        assert request.post_data_buffer == file.read_bytes()
        page.wait_for_selector("#result:not([hidden])")
        assert page.inner_text("#verdict-word") == word("verdict.PASSED.word", "bn")


def qr_image(text: bytes, scale: int) -> Image.Image:
    buffer = io.BytesIO()
    segno.make(text, error="l", micro=False).save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def photo_of_paper(text: bytes) -> Image.Image:
    """A QR code on a sheet, turned a little, on a grey desk: what a phone photo looks like."""
    sheet = Image.new("L", (1100, 1300), 250)
    code = qr_image(text, 6)
    sheet.paste(code, ((1100 - code.width) // 2, 200))
    turned = sheet.rotate(4, expand=True, fillcolor=120)
    desk = Image.new("L", (turned.width + 200, turned.height + 200), 120)
    desk.paste(turned, (100, 100))
    return desk.convert("RGB")


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("page.pdf", "application/pdf"), ("photo.png", "image/png"), ("photo.jpg", "image/jpeg")],
    ids=["pdf", "png-photo", "jpeg-photo"],
)
def test_a_pdf_or_photo_goes_with_its_media_type_and_the_answer_is_shown(
    live: tuple[str, str], tmp_path: Path, name: str, media_type: str
) -> None:
    url, token = live
    file = tmp_path / name
    photo = photo_of_paper(genuine_jwt())
    photo.save(file, format={"pdf": "PDF", "png": "PNG", "jpg": "JPEG"}[name.rsplit(".", 1)[1]])
    with browser_page() as page:
        open_page(page, url, token, "hi")
        request = upload(page, file)
        assert request.headers["content-type"] == media_type
        assert request.post_data_buffer == file.read_bytes()
        shown(page)
        # What the service answers for these bytes, asked directly: the page shows exactly that.
        answer = httpx.post(
            url + "/v1/verify",
            content=file.read_bytes(),
            headers={"Content-Type": media_type, "Authorization": f"Bearer {token}"},
        )
        if answer.status_code == 200:
            indication = answer.json()["indication"]
            assert page.inner_text("#verdict-word") == word(f"verdict.{indication}.word", "hi")
        else:
            assert page.is_visible("#error")
            assert answer.json()["detail"] in page.inner_text("#error")
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)


def write_y4m(path: Path, frame: Image.Image, frames: int = 3) -> None:
    """A still greyscale frame as a YUV 4:2:0 video (Y4M), as Chromium's fake camera reads it."""
    luma = frame.convert("L")
    width, height = luma.size
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + luma.tobytes() + chroma + chroma)


def test_a_qr_code_scanned_with_the_camera_is_decoded_and_verified(
    live: tuple[str, str], tmp_path: Path
) -> None:
    url, token = live
    credential = genuine_jwt()
    frame = Image.new("L", (1280, 720), 255)
    code = qr_image(credential, 5)
    assert code.height <= 720, "the QR code must fit the camera's frame"
    frame.paste(code, ((1280 - code.width) // 2, (720 - code.height) // 2))
    video = tmp_path / "qr.y4m"
    write_y4m(video, frame)
    camera = (
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    with browser_page(camera, permissions=["camera"]) as page:
        open_page(page, url, token, "bn")
        # Generous waits (hang guards, not timings): a loaded machine decodes frames slowly.
        with page.expect_request(lambda r: r.url.endswith("/v1/verify"), timeout=120_000) as sent:
            page.click("#camera")
            # The scanner shows while the camera runs; on a quick machine the code is read and
            # the camera stopped within a frame, so its button's words are not asserted here.
            page.wait_for_selector("#scanner", state="attached", timeout=60_000)
        assert sent.value.headers["content-type"] == "application/vc+jwt"
        assert sent.value.post_data_buffer == credential
        page.wait_for_selector("#result:not([hidden])", timeout=60_000)
        assert page.inner_text("#verdict-word") == word("verdict.PASSED.word", "bn")
        assert page.is_hidden("#scanner")  # the camera is stopped once a code is read
        assert page.evaluate("() => document.getElementById('video').srcObject") is None
        page.screenshot(path=str(tmp_path / "scanned.png"), full_page=True)


# Glyphs

# Renders each distinct letter of a text run in the font the element is shown in, and the
# rendering of a code point no font has (U+10FFFD, private use): a letter drawn as a tofu box
# looks like that one, and two letters drawn as boxes look like each other.
_GLYPHS = """(id) => {
  const node = document.getElementById(id);
  const font = getComputedStyle(node).font;
  const canvas = document.createElement("canvas");
  canvas.width = 160;
  canvas.height = 120;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const draw = (text) => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.font = font;
    context.fillStyle = "#000";
    context.textBaseline = "top";
    context.fillText(text, 40, 20);
    const alpha = context.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    let signature = 0;
    for (let i = 3; i < alpha.length; i += 4) {
      if (alpha[i]) inked += 1;
      signature = (signature * 31 + alpha[i]) % 2147483647;
    }
    return { inked, signature };
  };
  const letters = [...new Set([...node.textContent].filter((c) => /\\p{L}/u.test(c)))];
  return {
    font,
    tofu: draw(String.fromCodePoint(0x10fffd)),
    letters: letters.map((c) => [c, draw(c)]),
  };
}"""


@pytest.mark.parametrize(
    ("language", "block"), [("bn", ("\u0980", "\u09ff")), ("hi", ("\u0900", "\u097f"))]
)
def test_bengali_and_devanagari_render_as_glyphs_not_tofu(
    live: tuple[str, str], tmp_path: Path, language: str, block: tuple[str, str]
) -> None:
    url, token = live
    with browser_page() as page:
        open_page(page, url, token, language)
        found = page.evaluate(_GLYPHS, "lead")
        letters = [(c, drawn) for c, drawn in found["letters"] if block[0] <= c <= block[1]]
        assert len(letters) >= 10, found
        for letter, drawn in letters:
            assert drawn["inked"] > 0, f"{letter!r} draws nothing in {found['font']}"
            assert drawn["signature"] != found["tofu"]["signature"], f"{letter!r} is a tofu box"
        distinct = {json.dumps(drawn, sort_keys=True) for _, drawn in letters}
        assert len(distinct) == len(letters), "some letters are drawn alike: boxes"
        page.locator("#lead").screenshot(path=str(tmp_path / f"lead-{language}.png"))
