"""A lean HTTP/1.1 load generator for the benchmarks: asyncio streams, keep-alive, nothing else.

The load generator runs on the same cores as the server it measures, so every millisecond it
spends is taken from the server. This client does only what a benchmark needs: POST a body that
is already encoded, over a pool of kept-alive connections, and read the answer. No redirects,
cookies, proxies, TLS or compression.

    async with LoadClient("http://127.0.0.1:8000", max_connections=100) as http:
        body, content_type = encode_multipart({"proposal": ("方案书.pdf", pdf, "application/pdf")})
        reply = await http.post("/upload/", headers={"Idempotency-Key": key}, body=body, content_type=content_type)
        reply.status_code, reply.headers.get("Content-Type"), reply.json()

Any failure to send a request or read its answer raises `TransportError`. A kept-alive
connection the server closed while it was idle is the one failure retried here: when it breaks
before the first byte of the answer, the request is sent again, once, on a new connection.
The benchmarks can afford that resend: every API request they make carries an Idempotency-Key.
"""

import asyncio
import contextlib
import json
import uuid
from urllib.parse import urlsplit


class TransportError(OSError):
    """The request could not be sent or its answer could not be read."""


class Headers(dict):
    """Response headers: names are stored lower-cased and can be looked up in any case."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)


class Reply:
    """One HTTP response: status code, headers and the whole body."""

    __slots__ = ("status_code", "headers", "content")

    def __init__(self, status_code: int, headers: Headers, content: bytes):
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.content)

    def __repr__(self) -> str:
        return f"<Reply {self.status_code}>"


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer

    def is_usable(self) -> bool:
        """False when the server has closed the connection while it sat idle in the pool."""
        return not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        self.writer.close()


# How a connection the server has closed breaks when a request is sent on it.
_BROKEN_BEFORE_ANSWER = (ConnectionResetError, BrokenPipeError, asyncio.IncompleteReadError)
# Everything else that can go wrong while sending a request or reading its answer.
_FAILURES = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


class _StaleConnection(Exception):
    """A reused connection broke before the first byte of the answer: the server had closed it."""


class LoadClient:
    """Keep-alive HTTP/1.1 client for one server, at most `max_connections` connections at a time."""

    def __init__(self, base_url: str, *, max_connections: int = 100, timeout: float = 60.0):
        url = urlsplit(base_url)
        if url.scheme != "http":
            raise ValueError(f"only http:// URLs are supported, not {base_url!r}")
        self.base_url = base_url
        self.max_connections = max_connections
        self.timeout = timeout
        self._host = url.hostname
        self._port = url.port or 80
        self._host_header = url.netloc.encode("ascii")
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []  # a stack: the most recently used connection is reused first
        self._open: set[_Connection] = set()
        self.connections_opened = 0

    async def __aenter__(self) -> "LoadClient":
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        connections, self._idle = list(self._open), []
        self._open.clear()
        for connection in connections:
            connection.close()
        for connection in connections:
            with contextlib.suppress(OSError):  # a reset while closing changes nothing
                await connection.writer.wait_closed()

    async def post(self, path: str, *, headers: dict, body: bytes, content_type: str) -> Reply:
        """POST `body` to `path` and return the whole answer; raises TransportError."""
        lines = [
            f"POST {path} HTTP/1.1\r\nHost: ".encode("ascii"),
            self._host_header,
            f"\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n".encode("latin-1"),
        ]
        lines += (f"{name}: {value}\r\n".encode("latin-1") for name, value in headers.items())
        lines.append(b"\r\n")
        head = b"".join(lines)
        async with self._slots:
            try:
                async with asyncio.timeout(self.timeout):
                    return await self._exchange(head, body)
            except TimeoutError as exc:
                raise TransportError(f"no answer to POST {path} within {self.timeout} s") from exc

    async def _exchange(self, head: bytes, body: bytes) -> Reply:
        connection = self._take_idle()
        if connection is not None:
            try:
                return await self._send(connection, head, body, reused=True)
            except _StaleConnection:
                pass  # the server closed it while it was idle: send again, on a new connection
        return await self._send(await self._connect(), head, body, reused=False)

    def _take_idle(self) -> _Connection | None:
        while self._idle:
            connection = self._idle.pop()
            if connection.is_usable():
                return connection
            self._discard(connection)
        return None

    async def _connect(self) -> _Connection:
        try:
            reader, writer = await asyncio.open_connection(self._host, self._port)
        except OSError as exc:
            raise TransportError(f"cannot connect to {self.base_url}: {exc!r}") from exc
        connection = _Connection(reader, writer)
        self._open.add(connection)
        self.connections_opened += 1
        return connection

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)

    async def _send(self, connection: _Connection, head: bytes, body: bytes, *, reused: bool) -> Reply:
        """One request on one connection, which then goes back to the pool or is closed."""
        try:
            try:
                connection.writer.write(head)
                connection.writer.write(body)
                await connection.writer.drain()
                reply_head = await connection.reader.readuntil(b"\r\n\r\n")
            except _BROKEN_BEFORE_ANSWER as exc:
                if reused and not getattr(exc, "partial", b""):
                    raise _StaleConnection from exc
                raise
            reply, keep_alive = await _read_reply(connection.reader, reply_head)
        except BaseException as exc:
            self._discard(connection)
            if isinstance(exc, _FAILURES):
                raise TransportError(f"{exc!r} on a connection to {self.base_url}") from exc
            raise  # a stale connection, a cancellation or a timeout: the caller deals with it
        if keep_alive:
            self._idle.append(connection)
        else:
            self._discard(connection)
        return reply


async def _read_reply(reader: asyncio.StreamReader, head: bytes) -> tuple[Reply, bool]:
    """Parse the status line and headers, read the body; also whether the connection may be reused."""
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    version, status, _reason = (status_line + " ").split(" ", 2)
    if not version.startswith("HTTP/1."):
        raise ValueError(f"not an HTTP/1.x status line: {status_line!r}")
    status_code = int(status)
    headers = Headers()
    for line in header_lines:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    connection_tokens = {token.strip() for token in headers.get("connection", "").lower().split(",")}
    keep_alive = "keep-alive" in connection_tokens if version == "HTTP/1.0" else "close" not in connection_tokens

    if 100 <= status_code < 200:  # an interim answer (100 Continue): the real one follows
        return await _read_reply(reader, await reader.readuntil(b"\r\n\r\n"))
    if status_code in (204, 304):
        content = b""
    elif "chunked" in headers.get("transfer-encoding", "").lower():
        content = await _read_chunked(reader)
    elif "content-length" in headers:
        content = await reader.readexactly(int(headers["content-length"]))
    else:
        content = await reader.read()  # the body ends when the server closes the connection
        keep_alive = False
    return Reply(status_code, headers, content), keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0], 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields, up to the empty line
                pass
            return b"".join(chunks)
        chunk = await reader.readexactly(size + 2)
        if chunk[-2:] != b"\r\n":
            raise ValueError("chunk not followed by CRLF")
        chunks.append(chunk[:-2])


def encode_multipart(fields: dict[str, tuple[str, bytes, str]]) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578) of file fields: {name: (filename, data, content type)}.

    Returns the body and its Content-Type. Names and file names are sent as UTF-8 with `"`, CR
    and LF percent-escaped, as browsers send them (Django reads them so).
    """
    boundary = f"bench-{uuid.uuid4().hex}"
    parts = []
    for name, (filename, data, content_type) in fields.items():
        parts.append(
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{_escape(name)}"; filename="{_escape(filename)}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
        )
        parts.append(data)
        parts.append(b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _escape(value: str) -> str:
    return value.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
