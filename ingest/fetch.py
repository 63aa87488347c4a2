"""Fetching web pages and feeds for ingest, safely.

A URL given to newsbot may come from anyone (a Discord user, a feed entry), so
:class:`Fetcher` treats it as untrusted:

* only ``http`` and ``https`` are fetched;
* unless ``allow_private`` is set, destinations that are not public internet
  addresses are refused (loopback, private networks, link-local including the
  cloud metadata address, CGNAT, multicast, reserved, IPv6 ULA, IPv4 embedded
  in IPv6, and every numeric spelling of those such as ``2130706433`` or
  ``0x7f.1``);
* a host name is resolved once, *every* address it resolves to is checked, and
  the connection goes to a checked address (so DNS cannot be re-bound between
  the check and the connection); TLS still verifies the certificate against
  the host name;
* redirects are followed by hand, each hop checked again;
* the body is capped in size (by ``Content-Length`` and while streaming) and
  the whole fetch is capped in time.

Only the standard library is used.
"""

from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from retrieval.common.errors import FetchError

# The status codes after which a ``Location`` header is followed.
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# How much of the body is read per call.
_CHUNK = 64 * 1024

# Carrier-grade NAT space; listed explicitly since older Pythons count it as
# neither private nor global.
_CGNAT = ipaddress.ip_network("100.64.0.0/10")

# IPv6 prefixes that embed an IPv4 address in their last 32 bits (NAT64).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))

# One part of a legacy (inet_aton style) IPv4 literal: decimal, octal, hex.
_IPV4_PART = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)

Resolver = Callable[..., list]


@dataclass
class FetchResult:
    """What a fetch returned.

    ``url`` is the final URL, after redirects.  ``content_type`` is the media
    type without parameters (``text/html``), ``charset`` the declared charset,
    each ``None`` when the server did not say.
    """

    url: str
    content: bytes
    content_type: str | None
    charset: str | None


def format_size_limit(max_bytes: int) -> str:
    """``20_000_000`` -> ``"20 MB"``: a size limit as shown in error messages."""
    if max_bytes >= 1_000_000:
        return f"{max_bytes / 1_000_000:g} MB"
    if max_bytes >= 1_000:
        return f"{max_bytes / 1_000:g} kB"
    return f"{max_bytes} bytes"


def printable(text: str) -> str:
    """``text`` with its non-printable characters escaped (a newline as ``\\n``).

    Error messages name URLs and paths and must stay on one line.
    """
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def parse_ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The IP address that ``host`` spells, or ``None`` if it is a name.

    Besides the standard forms this understands the legacy IPv4 spellings that
    ``inet_aton`` (and so most HTTP clients and resolvers) accept: decimal
    ``2130706433``, octal ``0177.0.0.1``, hex ``0x7f.0.0.1`` and the short
    forms ``127.1`` / ``127.0.1``.  As in the WHATWG URL standard, a host
    whose last label is a number is an IPv4 address: when it is not a valid
    one, :class:`ValueError` is raised, so it is never sent to DNS.
    """
    if host.endswith("."):
        host = host[:-1]  # a fully qualified name's trailing dot
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if ":" in host:
        raise ValueError(f"{host!r} is not a valid IPv6 address")
    labels = host.split(".")
    if not _IPV4_PART.fullmatch(labels[-1]):
        return None
    if len(labels) > 4 or not all(_IPV4_PART.fullmatch(label) for label in labels):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    parts = [_parse_ipv4_part(label) for label in labels]
    # Every part but the last is one byte; the last fills the remaining bytes.
    *leading, last = parts
    if any(p > 0xFF for p in leading) or last >= 1 << (8 * (5 - len(parts))):
        raise ValueError(f"{host!r} is not a valid IPv4 address")
    value = last
    for i, part in enumerate(leading):
        value |= part << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_part(part: str) -> int:
    """One dotted part of a legacy IPv4 literal: ``0x..`` hex, ``0..`` octal."""
    if part[:2].lower() == "0x":
        return int(part[2:] or "0", 16)
    if len(part) > 1 and part.startswith("0"):
        return int(part, 8)  # raises ValueError on digits 8 and 9
    return int(part)


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether ``ip`` is a public internet address that may be fetched from."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded)
    elif ip in _CGNAT:
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4, Teredo or NAT64 address."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a vetted address, whatever ``host`` resolves to.

    ``host`` is only used for the ``Host`` header and for TLS (SNI and
    certificate verification); the TCP connection goes to ``addresses``, tried
    in order.  :meth:`abort` may be called from another thread to unblock a
    read that would otherwise overrun the overall deadline.
    """

    def __init__(
        self,
        host: str,
        port: int,
        addresses: list[str],
        timeout: float,
        tls: ssl.SSLContext | None,
    ):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses
        self._tls = tls
        self._lock = threading.Lock()
        # http.client drops ``self.sock`` once the response owns the socket,
        # so the socket to abort is kept here.
        self._live: socket.socket | None = None
        self.aborted = False

    def connect(self) -> None:
        """Connect to the first vetted address that accepts, then start TLS."""
        last_error: OSError | None = None
        for address in self._addresses:
            try:
                sock = socket.create_connection((address, self.port), self.timeout)
            except OSError as error:
                last_error = error
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls is not None:
                try:
                    sock = self._tls.wrap_socket(sock, server_hostname=self.host)
                except BaseException:
                    sock.close()
                    raise
            with self._lock:
                self.sock = self._live = sock
                if self.aborted:
                    self._shutdown()
            return
        assert last_error is not None  # addresses is never empty
        raise last_error

    def abort(self) -> None:
        """Stop the connection now: pending and later reads see end of file."""
        with self._lock:
            self.aborted = True
            self._shutdown()

    def _shutdown(self) -> None:
        if self._live is not None:
            try:
                # The plain socket call, also for TLS: it only wakes the reader.
                socket.socket.shutdown(self._live, socket.SHUT_RDWR)
            except OSError:
                pass


class Fetcher:
    """Fetches http(s) URLs with the safety rules described in this module.

    ``timeout`` (seconds) applies to connecting and to each read; on top of
    that a whole fetch, redirects included, may take at most ``2 * timeout``.
    ``resolver`` has the signature of :func:`socket.getaddrinfo`, which is the
    default.
    """

    def __init__(
        self,
        timeout: float = 15.0,
        max_bytes: int = 20_000_000,
        allow_private: bool = False,
        max_redirects: int = 5,
        user_agent: str = "newsbot/0.1",
        resolver: Resolver = socket.getaddrinfo,
    ):
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.allow_private = allow_private
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self._resolver = resolver
        self._tls = ssl.create_default_context()

    def fetch(self, url: str) -> FetchResult:
        """Fetch ``url``, following redirects; raise :class:`FetchError`."""
        if not url.isprintable():
            raise FetchError(printable(url), "not a valid URL (it holds control characters)")
        deadline = time.monotonic() + 2 * self.timeout
        current = url
        for _ in range(self.max_redirects + 1):
            status, reason, location, result = self._fetch_once(url, current, deadline)
            if status in _REDIRECT_STATUSES:
                if not location:
                    raise FetchError(url, f"HTTP {status} redirect without a Location")
                current = urljoin(current, location)
                continue
            if not 200 <= status < 300:
                raise FetchError(url, f"HTTP {status} {reason}".strip())
            assert result is not None
            return result
        raise FetchError(url, f"too many redirects (more than {self.max_redirects})")

    def check_url(self, url: str) -> tuple[str, int, list[str]]:
        """Vet ``url``: return its host, port and the addresses to connect to.

        Raises :class:`FetchError` naming ``url`` when the scheme is not http(s)
        or the destination is refused or cannot be resolved.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError(url, "not a valid URL") from None
        if parts.scheme.lower() not in ("http", "https"):
            raise FetchError(url, "only http and https URLs can be fetched")
        host = parts.hostname
        if not host:
            raise FetchError(url, "the URL has no host")
        port = port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            literal = parse_ip_literal(host)
        except ValueError:
            raise FetchError(url, "not a valid host address") from None
        if literal is not None:
            self._check_address(url, literal)
            return host, port, [str(literal)]
        name = host.rstrip(".").lower()
        if not self.allow_private and (name == "localhost" or name.endswith(".localhost")):
            raise FetchError(url, "refusing to fetch from localhost")
        addresses = self._resolve(url, host, port)
        for address in addresses:
            try:
                ip = ipaddress.ip_address(address.split("%", 1)[0])
            except ValueError:
                raise FetchError(url, f"host resolved to an invalid address {address!r}") from None
            self._check_address(url, ip)
        return host, port, addresses

    def _check_address(self, url: str, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
        if not self.allow_private and not is_public_address(ip):
            raise FetchError(url, f"refusing to fetch from non-public address {ip}")

    def _resolve(self, url: str, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to, deduplicated, in resolver order."""
        try:
            infos = self._resolver(host, port, 0, socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise FetchError(url, "host not found") from None
        except OSError as error:
            raise FetchError(url, f"host lookup failed ({_short(error)})") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise FetchError(url, "host not found")
        return addresses

    def _fetch_once(
        self, url: str, current: str, deadline: float
    ) -> tuple[int, str, str | None, FetchResult | None]:
        """One request to ``current``; ``url`` is the URL errors are named by.

        Returns the status, its reason, the ``Location`` header and, for a
        non-redirect status, the result with the body read.
        """
        try:
            host, port, addresses = self.check_url(current)
        except FetchError as error:
            if current == url:
                raise
            raise FetchError(url, f"redirected to {printable(current)}: {error.reason}") from None
        parts = urlsplit(current)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(url, self._timeout_reason())
        tls = self._tls if parts.scheme.lower() == "https" else None
        conn = _PinnedConnection(host, port, addresses, min(self.timeout, remaining), tls)
        watchdog = threading.Timer(remaining, conn.abort)
        watchdog.daemon = True
        watchdog.start()
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            conn.request(
                "GET",
                path,
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": "*/*",
                    "Accept-Encoding": "identity",
                    "Connection": "close",
                },
            )
            response = conn.getresponse()
            status = response.status
            if status in _REDIRECT_STATUSES or not 200 <= status < 300:
                return status, response.reason, response.getheader("Location"), None
            content = self._read_body(url, response)
            if conn.aborted:
                raise FetchError(url, self._timeout_reason())
            content_type = response.getheader("Content-Type")
            return status, response.reason, None, FetchResult(
                url=current,
                content=content,
                content_type=response.headers.get_content_type() if content_type else None,
                charset=response.headers.get_content_charset(),
            )
        except FetchError:
            raise
        except Exception as error:  # noqa: BLE001 - every network failure becomes a FetchError
            if conn.aborted:
                raise FetchError(url, self._timeout_reason()) from None
            raise FetchError(url, self._describe(error)) from None
        finally:
            watchdog.cancel()
            conn.close()

    def _read_body(self, url: str, response: http.client.HTTPResponse) -> bytes:
        """Read the body, refusing it as soon as it passes ``max_bytes``."""
        too_big = f"larger than the {format_size_limit(self.max_bytes)} limit"
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > self.max_bytes:
            raise FetchError(url, too_big)
        chunks: list[bytes] = []
        size = 0
        while chunk := response.read1(_CHUNK):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(url, too_big)
            chunks.append(chunk)
        return b"".join(chunks)

    def _timeout_reason(self) -> str:
        return f"timed out after {self.timeout:g} s"

    def _describe(self, error: Exception) -> str:
        """A short, one-line reason for a network failure."""
        if isinstance(error, (TimeoutError, socket.timeout)):
            return self._timeout_reason()
        if isinstance(error, ConnectionRefusedError):
            return "connection refused"
        if isinstance(error, (ConnectionResetError, http.client.RemoteDisconnected)):
            return "connection closed by the server"
        if isinstance(error, ssl.SSLCertVerificationError):
            return f"TLS certificate not valid ({_short(error.verify_message or error)})"
        if isinstance(error, ssl.SSLError):
            return f"TLS error ({_short(error.reason or error)})"
        if isinstance(error, http.client.IncompleteRead):
            return "connection closed before the whole page was received"
        if isinstance(error, http.client.InvalidURL):
            return "not a valid URL"
        if isinstance(error, http.client.HTTPException):
            return "the server sent an invalid HTTP response"
        if isinstance(error, OSError):
            return f"could not connect ({_short(error.strerror or error)})"
        return f"fetch failed ({type(error).__name__})"


def _short(reason: object) -> str:
    """``reason`` as one short line."""
    return " ".join(str(reason).split())[:200]
