"""Tests of ingest.fetch: address vetting, redirects, size and time caps.

Every server is an http.server on 127.0.0.1 started here; nothing touches the
network or DNS (resolution is injected where a name is needed).
"""

from __future__ import annotations

import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import ingest.fetch as fetch_module
from ingest.fetch import Fetcher, is_public_address, parse_ip_literal
from retrieval.common.errors import FetchError, SourceError

PAGE = b"<html><body><p>Hello from the test server.</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    """Routes of the test server, by path."""

    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        route = {
            "/page": self._page,
            "/redirect-page": lambda: self._redirect("/page"),
            "/redirect-ftp": lambda: self._redirect("ftp://example.com/file"),
            "/redirect-file": lambda: self._redirect("file:///etc/passwd"),
            "/redirect-loopback": lambda: self._redirect(f"http://127.0.0.1:{self.server.server_port}/page"),
            "/redirect-loop": lambda: self._redirect("/redirect-loop"),
            "/big-length": self._big_length,
            "/big-stream": self._big_stream,
            "/trickle": self._trickle,
            "/silent": self._silent,
            "/404": lambda: self._status(404),
            "/500": lambda: self._status(500),
        }.get(self.path.split("?")[0])
        try:
            if route is None:
                self._status(404)
            else:
                route()
        except OSError:
            pass  # the client gave up, as several tests make it do

    def _page(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.send_header("X-Seen-Host", self.headers.get("Host", ""))
        self.end_headers()
        self.wfile.write(PAGE)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _status(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _big_length(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "5000")
        self.end_headers()
        self.wfile.write(b"x" * 5000)

    def _big_stream(self) -> None:
        # HTTP/1.0 without Content-Length: the body ends when the server closes.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        for _ in range(50):
            self.wfile.write(b"y" * 100)

    def _trickle(self) -> None:
        # One byte every 0.2 s: no single read times out, the whole fetch must.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        while not self.stop.wait(0.2):
            self.wfile.write(b"z")
            self.wfile.flush()

    def _silent(self) -> None:
        self.stop.wait(10)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The base URL of a test server on 127.0.0.1."""
    stop = threading.Event()
    handler = type("Handler", (_Handler,), {"stop": stop})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def _no_dns(*args: object, **kwargs: object) -> list:
    raise AssertionError("an IP literal must not be resolved")


def _resolver(table: dict[str, list[str]]):
    """A getaddrinfo stand-in answering from ``table``."""

    def resolve(host: str, port: int, *args: object, **kwargs: object) -> list:
        if host not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in table[host]
        ]

    return resolve


# --- refusing non-public destinations --------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f.0.0.1",
        "0x7f.1",
        "127.1",
        "127.0.0.1.",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "169.254.169.254",
        "10.0.0.1",
        "192.168.1.1",
        "172.16.0.1",
        "100.64.0.1",
        "0.0.0.0",
        "0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "[fd00::1]",
        "[fe80::1]",
        "[::]",
        "[ff02::1]",
    ],
)
def test_default_fetcher_refuses_non_public_addresses(host: str) -> None:
    url = f"http://{host}/page"
    with pytest.raises(FetchError) as caught:
        Fetcher(resolver=_no_dns).fetch(url)
    message = str(caught.value)
    assert message.startswith(url) and "\n" not in message


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "db.localhost", "localhost."])
def test_default_fetcher_refuses_localhost_names(host: str) -> None:
    with pytest.raises(FetchError, match="localhost"):
        Fetcher(resolver=_no_dns).fetch(f"http://{host}:8080/")


def test_a_name_is_refused_when_any_of_its_addresses_is_private() -> None:
    resolver = _resolver({"mixed.test": ["93.184.216.34", "10.1.2.3"]})
    with pytest.raises(FetchError, match="non-public address 10.1.2.3"):
        Fetcher(resolver=resolver).fetch("http://mixed.test/")


def test_a_name_resolving_to_loopback_is_refused() -> None:
    with pytest.raises(FetchError, match="non-public"):
        Fetcher(resolver=_resolver({"evil.test": ["127.0.0.1"]})).fetch("http://evil.test/")


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("1.2.3.example", None),
    ],
)
def test_parse_ip_literal_reads_every_spelling(spelling: str, address: str | None) -> None:
    parsed = parse_ip_literal(spelling)
    assert (str(parsed) if parsed else None) == address


@pytest.mark.parametrize("spelling", ["256.1.1.1", "08.0.0.1", "1.2.3.4.5", "1.16777216"])
def test_parse_ip_literal_rejects_bad_numeric_hosts(spelling: str) -> None:
    with pytest.raises(ValueError):
        parse_ip_literal(spelling)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("fc00::1", False),
    ],
)
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url", ["ftp://example.com/x", "file:///etc/passwd", "gopher://x/", "javascript:alert(1)"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https") as caught:
        Fetcher(allow_private=True).fetch(url)
    assert str(caught.value).startswith(url)


def test_unknown_host_is_reported_as_not_found() -> None:
    with pytest.raises(FetchError, match="host not found"):
        Fetcher(resolver=_resolver({})).fetch("http://nowhere.test/")


# --- fetching ---------------------------------------------------------------


def test_allow_private_fetches_from_the_local_server(server: str) -> None:
    result = Fetcher(allow_private=True).fetch(f"{server}/page")
    assert result.content == PAGE
    assert result.content_type == "text/html"
    assert result.charset == "utf-8"
    assert result.url == f"{server}/page"


def test_redirects_are_followed_and_the_final_url_reported(server: str) -> None:
    result = Fetcher(allow_private=True).fetch(f"{server}/redirect-page")
    assert result.content == PAGE
    assert result.url == f"{server}/page"


@pytest.mark.parametrize("route", ["/redirect-ftp", "/redirect-file"])
def test_a_redirect_to_another_scheme_is_refused(server: str, route: str) -> None:
    with pytest.raises(FetchError, match="redirected to .*only http and https") as caught:
        Fetcher(allow_private=True).fetch(f"{server}{route}")
    assert str(caught.value).startswith(f"{server}{route}")


def test_a_redirect_loop_stops(server: str) -> None:
    with pytest.raises(FetchError, match="too many redirects"):
        Fetcher(allow_private=True, max_redirects=3).fetch(f"{server}/redirect-loop")


@pytest.fixture
def public_host(server: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Fetcher, str, list[tuple[str, int]]]:
    """A default Fetcher for which ``public.test`` is a public host served by ``server``.

    Its resolver answers 93.184.216.34 first, then 127.0.0.1 (a DNS rebinding
    attempt); connections to 93.184.216.34 are routed to the local server.
    Returns the fetcher, the base URL of ``public.test`` and the list of
    addresses the fetcher connected to.
    """
    local_port = int(server.rsplit(":", 1)[1])
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    real_connect = socket.create_connection
    connected: list[tuple[str, int]] = []

    def resolve(host: str, port: int, *args: object) -> list:
        assert host == "public.test"
        return _resolver({host: next(answers)})(host, port)

    def connect(address: tuple[str, int], *args: object, **kwargs: object) -> socket.socket:
        connected.append(address)
        assert address[0] == "93.184.216.34", "connected to an address that was not vetted"
        return real_connect(("127.0.0.1", local_port), *args, **kwargs)

    monkeypatch.setattr(fetch_module.socket, "create_connection", connect)
    return Fetcher(resolver=resolve), f"http://public.test:{local_port}", connected


def test_the_connection_goes_to_the_vetted_address(public_host: tuple) -> None:
    fetcher, base, connected = public_host
    result = fetcher.fetch(f"{base}/page")
    assert result.content == PAGE
    assert connected == [("93.184.216.34", int(base.rsplit(":", 1)[1]))]


def test_every_redirect_hop_is_checked_again(public_host: tuple) -> None:
    fetcher, base, connected = public_host
    url = f"{base}/redirect-loopback"
    with pytest.raises(FetchError, match="redirected to http://127.0.0.1.*non-public") as caught:
        fetcher.fetch(url)
    assert str(caught.value).startswith(url)
    assert len(connected) == 1  # the loopback hop was never connected to


def test_oversize_by_content_length(server: str) -> None:
    with pytest.raises(FetchError, match="larger than the 1 kB limit"):
        Fetcher(allow_private=True, max_bytes=1000).fetch(f"{server}/big-length")


def test_oversize_while_streaming(server: str) -> None:
    with pytest.raises(FetchError, match="larger than the 1 kB limit"):
        Fetcher(allow_private=True, max_bytes=1000).fetch(f"{server}/big-stream")
    assert len(Fetcher(allow_private=True).fetch(f"{server}/big-stream").content) == 5000


def test_the_default_size_limit_is_reported_in_megabytes() -> None:
    assert fetch_module.format_size_limit(20_000_000) == "20 MB"


def test_a_trickling_server_hits_the_overall_deadline(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 1 s"):
        Fetcher(allow_private=True, timeout=1).fetch(f"{server}/trickle")
    assert time.monotonic() - started < 4


def test_a_silent_server_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out after 1 s"):
        Fetcher(allow_private=True, timeout=1).fetch(f"{server}/silent")
    assert time.monotonic() - started < 4


@pytest.mark.parametrize("status", [404, 500])
def test_error_statuses_are_errors(server: str, status: int) -> None:
    with pytest.raises(FetchError, match=f"HTTP {status}") as caught:
        Fetcher(allow_private=True).fetch(f"{server}/{status}")
    assert isinstance(caught.value, SourceError)
    assert "\n" not in str(caught.value)


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(FetchError, match="connection refused") as caught:
        Fetcher(allow_private=True, timeout=2).fetch(url)
    assert str(caught.value).startswith(url)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_https_verifies_the_certificate(tmp_path: Path) -> None:
    """A self-signed certificate is refused: TLS is on, with verification."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handler = type("Handler", (_Handler,), {"stop": threading.Event()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(FetchError, match="TLS certificate not valid"):
            Fetcher(allow_private=True, timeout=5).fetch(f"https://127.0.0.1:{httpd.server_port}/page")
    finally:
        httpd.shutdown()
        httpd.server_close()
