"""The playground page at `/` and its static files, through Django's test client."""

from __future__ import annotations

import pytest

PAGE_ASSETS = ("/static/playground/playground.js", "/static/playground/playground.css")


def test_it_never_puts_the_token_in_the_page_without_debug(client, settings):
    settings.DEBUG = False
    settings.DEV_AUTH_TOKEN = "token-for-the-page"
    html = client.get("/").content.decode()
    assert 'data-testid="token"' in html
    assert "token-for-the-page" not in html


def test_it_prefills_the_token_in_debug_mode(client, settings):
    settings.DEBUG = True
    settings.DEV_AUTH_TOKEN = "token-for-the-page"
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'data-testid="token"' in html
    assert 'value="token-for-the-page"' in html


def test_it_escapes_the_token_in_the_page(client, settings):
    settings.DEBUG = True
    settings.DEV_AUTH_TOKEN = 'a"b<c>'
    html = client.get("/").content.decode()
    assert 'value="a&quot;b&lt;c&gt;"' in html
    assert 'a"b<c>' not in html


def test_it_references_its_own_static_files_and_no_cdn(client):
    html = client.get("/").content.decode()
    for asset in PAGE_ASSETS:
        assert asset in html
    assert "https://" not in html
    assert "http://" not in html


@pytest.mark.parametrize(
    ("path", "content_type"),
    [(PAGE_ASSETS[0], "text/javascript"), (PAGE_ASSETS[1], "text/css")],
    ids=["js", "css"],
)
def test_its_static_files_are_served(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert content_type in response["Content-Type"]
    assert b"".join(response.streaming_content)


def test_it_only_answers_get(client):
    assert client.post("/").status_code == 405


def test_the_favicon_every_browser_asks_for_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"\x00\x00\x01\x00"), "an ICO file"
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
