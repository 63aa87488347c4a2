"""Opening Chroma: an embedded store under its write lock, or a server; lost connections."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from retrieval.common.errors import StoreError, StoreLockedError


class WriteLock:
    """An exclusive, non-blocking lock on an embedded store directory.

    A second writer is refused at once rather than left waiting; the lock is
    released by the kernel when the holder exits, even on ``kill -9``.
    """

    def __init__(self, directory: Path):
        self.path = Path(directory) / "newsbot-write.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            os.close(fd)
            raise StoreLockedError(
                f"the store at {self.path.parent} is being written by process {holder}; "
                "wait for it to finish (or use server mode for concurrent writers)"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> "WriteLock":
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def embedded_client(path: Path):
    """A Chroma client on a local directory, telemetry off."""
    import chromadb
    from chromadb.config import Settings

    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False)
        )
    except Exception as exc:
        raise StoreError(f"cannot open the store at {path}: {exc}") from exc


def server_client(host: str, port: int, *, ssl: bool = False, headers: dict[str, str] | None = None):
    """A Chroma client for a server started with ``chroma run``, telemetry off."""
    import chromadb
    from chromadb.config import Settings

    url = f"{'https' if ssl else 'http'}://{host}:{port}"
    try:
        client = chromadb.HttpClient(
            host=host, port=port, ssl=ssl, headers=headers or {},
            settings=Settings(anonymized_telemetry=False),
        )
        client.heartbeat()
    except Exception as exc:
        raise StoreError(
            f"cannot reach the Chroma server at {url} ({first_line(exc)}); start it with "
            f"`chroma run --path DIR --port {port}` or check [store] host and port"
        ) from exc
    return client


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0]}" if text else exc.__class__.__name__


def as_store_error(exc: BaseException) -> StoreError | None:
    """The user-facing error for a lost connection to a Chroma server, else None."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    lost = names & {"ConnectError", "ConnectTimeout", "ReadTimeout", "ReadError",
                    "RemoteProtocolError", "WriteError", "PoolTimeout", "ConnectionError"}
    if not lost:
        return None
    return StoreError(
        f"lost the connection to the Chroma server ({first_line(exc)}); "
        "nothing half-written is kept: run the command again once the server is back"
    )
