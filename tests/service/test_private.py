"""A private server (``autost serve --private``, the default off loopback): reads need the
token, as a bearer header or as the login page's HttpOnly, SameSite=Strict cookie."""

import pytest
from service_helpers import AUTH, STUDY, TOKEN, Server, make_client

from autost.service.auth import SESSION_COOKIE


@pytest.fixture
def private(db_url):
    with make_client(db_url, private=True) as c:
        yield c


def test_reads_without_the_token_get_401_or_the_login_page(private):
    r = private.get(f"/api/studies/{STUDY}")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"error": "this server is private: send the header 'Authorization: "
                                 "Bearer TOKEN' with reads too"}
    page = private.get(f"/studies/{STUDY}?page=1", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=%2Fstudies%2F{STUDY}%3Fpage%3D1"
    for path in ("/", "/plotly.min.js", "/static/autost.js", "/api/openapi.json"):
        assert private.get(path, follow_redirects=False).status_code in (303, 401), path
    assert private.get("/login").status_code == 200


def test_the_bearer_header_reads(private):
    assert private.get(f"/api/studies/{STUDY}", headers=AUTH).json()["name"] == STUDY


def test_the_login_page_sets_a_cookie_that_reads_but_never_writes(private):
    wrong = private.post("/login", data={"token": "guess", "next": "/"})
    assert wrong.status_code == 401 and "wrong token" in wrong.text
    assert SESSION_COOKIE not in private.cookies
    r = private.post("/login", data={"token": TOKEN, "next": f"/studies/{STUDY}"},
                     follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/studies/{STUDY}"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
    assert private.get(f"/studies/{STUDY}").status_code == 200
    assert private.get(f"/api/studies/{STUDY}").json()["name"] == STUDY
    write = private.post("/api/searches", json={"space": "autost-tiny", "budget": 3})
    assert write.status_code == 401  # the cookie is for reads; a write needs the header


def test_login_goes_on_to_pages_of_this_server_only(private):
    for goal in ("https://elsewhere.example/", "//elsewhere.example/x", "javascript:x"):
        r = private.post("/login", data={"token": TOKEN, "next": goal},
                         follow_redirects=False)
        assert r.headers["location"] == "/", goal


def test_an_open_server_reads_without_a_token(client):
    assert client.get(f"/api/studies/{STUDY}").status_code == 200


@pytest.mark.slow
def test_off_loopback_the_default_is_private(db_url):
    import signal
    import urllib.error

    server = Server(db_url, options=("--host", "0.0.0.0"))
    try:
        assert server.first_line.endswith("reads need the token)\n")
        with pytest.raises(urllib.error.HTTPError) as e:
            server.get(f"/api/studies/{STUDY}")
        assert e.value.code == 401
    finally:
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0
