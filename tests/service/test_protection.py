"""The cap on request bodies of any framing, and the pages' protections: a CSP without
inline scripts, every user or server string escaped, no token kept by the pages."""

import asyncio
import json
import re
from pathlib import Path

import pytest
from service_helpers import AUTH, STUDY, TOKEN

from autost.service.protection import CONTENT_SECURITY_POLICY, MAX_BODY_BYTES

CHUNK = 64 * 1024
FIFTY_MB = 50 * 1024 * 1024
INJECTED = "<img src=x onerror=window.injected=1>:max"


def post_chunked(app, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict, int]:
    """POST 50 MB to /api/searches as a chunked body straight into the ASGI app: (status,
    JSON reply, bytes the app took from the client)."""
    sent = 0
    replies = []

    async def receive():
        nonlocal sent
        sent += CHUNK
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": sent < FIFTY_MB}

    async def send(message):
        replies.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/api/searches",
             "raw_path": b"/api/searches", "query_string": b"", "root_path": "",
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8642),
             "headers": [(b"transfer-encoding", b"chunked"),
                         (b"content-type", b"application/json"), *headers]}
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in replies if m["type"] == "http.response.body")
    return replies[0]["status"], json.loads(body), sent


@pytest.mark.parametrize("headers", [[], [(b"authorization", f"Bearer {TOKEN}".encode())]],
                         ids=["no-token", "token"])
def test_chunked_body_over_the_cap_is_refused_after_reading_the_cap(client, headers):
    status, reply, taken = post_chunked(client.app, headers)
    assert status == 413
    assert reply == {"error": "request body over 256 KiB; a search with its own space file "
                              "needs far less"}
    assert taken == MAX_BODY_BYTES + CHUNK  # the chunk that crossed the cap, then no more
    assert client.get("/api/jobs").json() == {"jobs": []}


def test_chunked_body_under_the_cap_is_read(client):
    body = json.dumps({"space": "autost-tiny", "budget": 3}).encode()
    r = client.post("/api/searches", content=iter([body[:10], body[10:]]), headers={
        **AUTH, "Content-Type": "application/json"})
    assert r.status_code == 202, r.text
    assert r.json()["params"] == {"space": "autost-tiny", "budget": 3}


def pages(client) -> list[str]:
    job = client.post("/api/searches", headers=AUTH, json={"space": "autost-tiny",
                                                            "budget": 3}).json()["id"]
    arch_id = client.get(f"/api/studies/{STUDY}/top").json()["rows"][0]["arch_id"]
    return ["/", f"/studies/{STUDY}", f"/studies/{STUDY}/table", f"/candidates/{arch_id}",
            f"/compare?study={STUDY}", "/submit", f"/jobs/{job}", "/studies/nope"]


def test_every_page_has_the_policy_and_no_inline_script(client):
    for path in pages(client):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert r.headers["x-content-type-options"] == "nosniff"
        scripts = re.findall(r"<script([^>]*)>", r.text)
        assert all('src="/' in s or s == ' type="application/json" id="page-args"'
                   for s in scripts), (path, scripts)
        assert not re.search(r"\son[a-z]+\s*=", r.text), path
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]
    api = client.get(f"/api/studies/{STUDY}")
    assert api.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_query_reaches_the_page_as_escaped_data_only(client):
    r = client.get(f"/studies/{STUDY}", params={"objective": [INJECTED, "energy:min"]})
    assert "<img" not in r.text
    args = re.search(r'<script type="application/json" id="page-args">(.*?)</script>', r.text,
                     re.S).group(1)
    assert "\\u003cimg src=x onerror=window.injected=1\\u003e:max" in args
    assert json.loads(args)["objectives"] == [INJECTED, "energy:min"]
    api = client.get(f"/api/studies/{STUDY}/pareto", params={"objective": [INJECTED,
                                                                             "energy:min"]})
    assert api.status_code == 422 and api.headers["content-type"] == "application/json"


def test_the_script_keeps_no_token_and_writes_no_html_from_data():
    script = (Path(__file__).parents[2] / "autost" / "service" / "static" /
              "autost.js").read_text()
    assert "localStorage" not in script and "sessionStorage" not in script
    assert "document.cookie" not in script
    # the one innerHTML is the server's own autoescaped table fragment
    assert re.findall(r"(\w+(?:\.\w+|\([^)]*\))*)\.innerHTML =", script) == [
        'document.getElementById("table")']
