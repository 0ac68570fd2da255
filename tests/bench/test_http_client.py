"""The benchmarks' load generator (bench/_http.py) against a small scripted server on loopback.

The server answers by path and records every request with the number of the connection it came
on, so the tests see what went over the wire: which connection was reused, what was sent again.
"""

import asyncio
import json
import os
import socket
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import RequestFactory

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _http import LoadClient, TransportError, encode_multipart  # noqa: E402


@dataclass
class Request:
    connection: int
    path: str
    headers: dict[str, str]
    body: bytes


class ScriptedServer:
    """HTTP/1.1 on loopback. Paths:

    /echo             201 with a JSON body (connection number, bytes received), Content-Length
    /chunked          200, chunked body "hello, world" with a chunk extension and a trailer
    /close            200 with `Connection: close`, but keeps the connection open
    /until-eof        200 without Content-Length: the body ends when the server closes
    /then-close       like /echo, then closes the connection at once (a keep-alive timeout)
    /then-drop-next   like /echo, then reads the next request and closes without answering
    /then-reset-next  like /echo, then reads the next request and resets the connection
    /half             the first bytes of an answer, then closes
    /drop             closes without answering
    /hang             never answers
    /slow             like /echo, 50 ms later
    """

    def __init__(self):
        self.connections = 0
        self.requests: list[Request] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = self.connections
        then = None
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return  # the client closed the connection
                request_line, *lines = head[:-4].decode("latin-1").split("\r\n")
                _method, path, _version = request_line.split(" ")
                headers = {}
                for line in lines:
                    name, _, value = line.partition(":")
                    headers[name.lower()] = value.strip()
                body = await reader.readexactly(int(headers["content-length"]))
                self.requests.append(Request(connection, path, headers, body))

                if then == "/then-drop-next" or path == "/drop":
                    return
                if then == "/then-reset-next":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return
                if path == "/hang":
                    await reader.read()
                    return
                if path == "/half":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Le")
                    return
                if path == "/chunked":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"5\r\nhello\r\n7;note=x\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n"
                    )
                elif path == "/close":
                    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye")
                elif path == "/until-eof":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nno length, ends with the connection"
                    )
                    return
                else:
                    if path == "/slow":
                        await asyncio.sleep(0.05)
                    content = json.dumps({"connection": connection, "received": len(body)}).encode()
                    writer.write(
                        b"HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nIdempotent-Replayed: true\r\n"
                        b"Content-Length: %d\r\n\r\n%s" % (len(content), content)
                    )
                    if path == "/then-close":
                        return
                    then = path
                await writer.drain()
        finally:
            writer.close()


def run(scenario):
    """Run `await scenario(server, base_url)` in a new event loop, with a new ScriptedServer."""

    async def main():
        server = ScriptedServer()
        listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        try:
            return await scenario(server, f"http://127.0.0.1:{port}")
        finally:
            listener.close()
            await listener.wait_closed()

    return asyncio.run(main())


async def post(http: LoadClient, path: str, body: bytes = b"{}", **headers):
    return await http.post(path, headers=headers, body=body, content_type="application/json")


def post_in_turn(*requests: tuple[str, bytes]):
    """Send (path, body) requests one after another on one LoadClient; returns the server, the
    replies and the client."""

    async def scenario(server, url):
        async with LoadClient(url) as http:
            replies = [await post(http, path, body) for path, body in requests]
        return server, replies, http

    return run(scenario)


def test_content_length_body_and_the_request_on_the_wire():
    async def scenario(server, url):
        async with LoadClient(url) as http:
            reply = await http.post(
                "/echo", headers={"Idempotency-Key": "k-1"}, body=b'{"version": 3}', content_type="application/json"
            )
        return server, url, reply

    server, url, reply = run(scenario)
    assert reply.status_code == 201
    assert reply.json() == {"connection": 1, "received": 14}
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers.get("Idempotent-Replayed") == "true"  # any case
    assert reply.text == '{"connection": 1, "received": 14}'
    (request,) = server.requests
    assert request.path == "/echo"
    assert request.body == b'{"version": 3}'
    assert request.headers["idempotency-key"] == "k-1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["host"] == url.removeprefix("http://")


def test_chunked_body_and_the_connection_is_reused_after_it():
    _server, (chunked, after), http = post_in_turn(("/chunked", b"{}"), ("/echo", b"{}"))
    assert chunked.content == b"hello, world"
    assert after.json()["connection"] == 1  # the chunked body and its trailer were read to the end
    assert http.connections_opened == 1


def test_keep_alive_two_requests_on_one_connection():
    server, (first, second), _http = post_in_turn(("/echo", b"a" * 100_000), ("/echo", b"b"))
    assert first.json() == {"connection": 1, "received": 100_000}
    assert second.json() == {"connection": 1, "received": 1}
    assert server.connections == 1


def test_connection_close_is_honoured():
    server, (closing, after), _http = post_in_turn(("/close", b"{}"), ("/echo", b"{}"))
    assert closing.content == b"bye"
    # The server left the connection open; the client must not send on it again.
    assert after.json()["connection"] == 2
    assert [(r.connection, r.path) for r in server.requests] == [(1, "/close"), (2, "/echo")]


def test_body_until_eof_then_a_new_connection():
    _server, (until_eof, after), _http = post_in_turn(("/until-eof", b"{}"), ("/echo", b"{}"))
    assert until_eof.text == "no length, ends with the connection"
    assert after.json()["connection"] == 2


def test_idle_connection_closed_by_the_server_is_replaced():
    async def scenario(server, url):
        async with LoadClient(url) as http:
            await post(http, "/then-close")
            await asyncio.sleep(0.05)  # the server's FIN arrives while the connection is idle
            after = await post(http, "/echo", Idempotency_Key="k-2")
        return server, after, http

    server, after, http = run(scenario)
    assert after.status_code == 201
    assert after.json()["connection"] == 2
    assert [(r.connection, r.path) for r in server.requests] == [(1, "/then-close"), (2, "/echo")]
    assert http.connections_opened == 2


@pytest.mark.parametrize("closing", ["/then-drop-next", "/then-reset-next"])
def test_request_on_a_connection_the_server_is_closing_is_sent_again(closing):
    """The server reads the request on the kept-alive connection and closes (FIN) or resets it
    without an answer, as a keep-alive timeout racing the request would."""

    async def scenario(server, url):
        async with LoadClient(url) as http:
            await post(http, closing)
            after = await http.post(
                "/echo", headers={"Idempotency-Key": "k-3"}, body=b"payload", content_type="application/json"
            )
        return server, after

    server, after = run(scenario)
    assert after.status_code == 201
    assert after.json() == {"connection": 2, "received": 7}
    assert [(r.connection, r.path, r.body) for r in server.requests] == [
        (1, closing, b"{}"),
        (1, "/echo", b"payload"),
        (2, "/echo", b"payload"),
    ]
    assert server.requests[1].headers["idempotency-key"] == server.requests[2].headers["idempotency-key"] == "k-3"


def seen_by_the_server_when_the_last_fails(*paths: str) -> list[tuple[int, str]]:
    """Post `paths` in turn on one client, the last failing with TransportError; returns the
    (connection, path) of every request the server read."""

    async def scenario(server, url):
        async with LoadClient(url) as http:
            for path in paths[:-1]:
                await post(http, path)
            with pytest.raises(TransportError):
                await post(http, paths[-1])
        return server

    return [(r.connection, r.path) for r in run(scenario).requests]


def test_a_resent_request_is_sent_only_once_more():
    assert seen_by_the_server_when_the_last_fails("/echo", "/drop") == [(1, "/echo"), (1, "/drop"), (2, "/drop")]


def test_no_resend_on_a_new_connection():
    assert seen_by_the_server_when_the_last_fails("/drop") == [(1, "/drop")]


def test_no_resend_once_the_answer_has_started():
    assert seen_by_the_server_when_the_last_fails("/echo", "/half") == [(1, "/echo"), (1, "/half")]


def test_timeout_raises_transport_error():
    async def scenario(server, url):
        async with LoadClient(url, timeout=0.2) as http:
            with pytest.raises(TransportError, match="within 0.2 s"):
                await post(http, "/hang")

    run(scenario)


def test_refused_connection_raises_transport_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused

        async def scenario():
            async with LoadClient(f"http://127.0.0.1:{port}") as http:
                with pytest.raises(TransportError):
                    await post(http, "/echo")

        asyncio.run(scenario())


def test_at_most_max_connections():
    async def scenario(server, url):
        async with LoadClient(url, max_connections=2) as http:
            replies = await asyncio.gather(*(post(http, "/slow") for _ in range(6)))
        return server, replies, http

    server, replies, http = run(scenario)
    assert [r.status_code for r in replies] == [201] * 6
    assert server.connections == http.connections_opened == 2


def test_encode_multipart_as_django_reads_it():
    pdf = b"%PDF-1.4\n" + os.urandom(200_000) + b"\r\n--not-a-boundary\r\n" + os.urandom(1000)
    body, content_type = encode_multipart(
        {
            "proposal": ("方案书.pdf", pdf, "application/pdf"),
            "appendix": ("附件 2.txt", b"", "text/plain"),
        }
    )
    assert content_type.startswith("multipart/form-data; boundary=")

    request = RequestFactory().generic("POST", "/upload/", data=body, content_type=content_type)
    proposal, appendix = request.FILES["proposal"], request.FILES["appendix"]
    assert proposal.name == "方案书.pdf"
    assert proposal.content_type == "application/pdf"
    assert proposal.read() == pdf
    assert appendix.name == "附件 2.txt"
    assert appendix.read() == b""
    assert list(request.POST) == []
