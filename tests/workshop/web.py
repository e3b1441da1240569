"""A participant's laptop in the test: HTTPS and websockets to the workshop's proxy by host name.

The host name (e.g. ``workshop.test``) is resolved to an address of this
machine by the client itself, as ``curl --resolve`` does, so no /etc/hosts
entry is needed: TLS gets the name as SNI and checks the certificate against
it, and the Host header carries it, exactly as a browser on a laptop sends.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import ssl
import uuid
from dataclasses import dataclass


def certificate_of(address: str, port: int) -> str:
    """The PEM certificate the proxy presents (the trust a participant accepts after comparing the fingerprint)."""
    return ssl.get_server_certificate((address, port))


@dataclass(frozen=True)
class Laptop:
    """Reaches ``https://host:port`` at ``address``, trusting ``ca`` (PEM) and checking the host name."""

    host: str
    port: int
    address: str
    ca: str

    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cadata=self.ca)
        context.check_hostname = True  # the certificate must name the host the participant typed
        return context

    def request(self, path: str, method: str = "GET", token: str | None = None, body: bytes | None = None,
                ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of one request through the proxy."""
        laptop = self

        class Connection(http.client.HTTPSConnection):
            def connect(self) -> None:
                raw = socket.create_connection((laptop.address, laptop.port), timeout=30)
                self.sock = laptop.context().wrap_socket(raw, server_hostname=laptop.host)

        connection = Connection(self.host, self.port, timeout=60)
        headers = {"Authorization": f"token {token}"} if token else {}
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            connection.close()

    def run_in_kernel(self, prefix: str, token: str, code: str) -> str:
        """Start a kernel through the proxy, run ``code`` over the kernel's websocket, return its printed output."""
        status, _, body = self.request(f"{prefix}api/kernels", "POST", token, b"{}")
        assert status == 201, body
        kernel = json.loads(body)["id"]
        try:
            return asyncio.run(self._execute(f"{prefix}api/kernels/{kernel}/channels?token={token}", code))
        finally:
            self.request(f"{prefix}api/kernels/{kernel}", "DELETE", token)

    async def _execute(self, path: str, code: str) -> str:
        from tornado.httpclient import HTTPRequest
        from tornado.netutil import OverrideResolver, Resolver
        from tornado.websocket import websocket_connect

        resolver = OverrideResolver(Resolver(), {(self.host, self.port): (self.address, self.port)})
        origin = f"https://{self.host}:{self.port}"  # a browser sends it; JupyterLab compares it with the Host header
        request = HTTPRequest(f"wss://{self.host}:{self.port}{path}", ssl_options=self.context(),
                              headers={"Origin": origin}, connect_timeout=30, request_timeout=30)
        connection = await websocket_connect(request, resolver=resolver)
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "msg_type": "execute_request", "session": uuid.uuid4().hex, "username": "test",
                  "version": "5.3", "date": "2026-01-01T00:00:00Z"}
        await connection.write_message(json.dumps({
            "header": header, "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        try:
            while True:
                raw = await asyncio.wait_for(connection.read_message(), timeout=120)
                assert raw is not None, "the kernel's websocket closed"
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["msg_type"] == "stream":
                    return str(message["content"]["text"])
                if message["msg_type"] == "error":
                    raise AssertionError(message["content"])
        finally:
            connection.close()
