"""Four rules of the network in one table each: a broken TLS version, a server bound to every interface by a
host bandit does not read, a secret in a URL, a logging listener that runs any configuration."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

CASES = [
    # (source, expected codes)
    ("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n", ["CM-OLD-TLS"]),
    ("import ssl\nctx = ssl.SSLContext(protocol=ssl.PROTOCOL_SSLv3)\n", ["CM-OLD-TLS"]),
    ("from ssl import SSLContext, PROTOCOL_TLSv1_1\nctx = SSLContext(PROTOCOL_TLSv1_1)\n", ["CM-OLD-TLS"]),
    ("import ssl\nctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1\n", ["CM-OLD-TLS"]),
    ("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n", []),
    ("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_SSLv23)\n", []),  # an old name of PROTOCOL_TLS
    ("import ssl\nctx = ssl.create_default_context()\nctx.minimum_version = ssl.TLSVersion.TLSv1_2\n", []),
    ("import socket\ns = socket.socket()\ns.bind(('', 8080))\n", ["CM-BIND-ALL"]),
    ("import socket\nsocket.create_server(('::', 80), family=socket.AF_INET6)\n", ["CM-BIND-ALL"]),
    ("import socketserver\nADDRESS = ('', 9999)\nsocketserver.TCPServer(ADDRESS, H)\n", ["CM-BIND-ALL"]),
    ("import socketserver\nHOST, PORT = '', 9999\nsocketserver.UDPServer((HOST, PORT), H)\n", ["CM-BIND-ALL"]),
    ("from http.server import HTTPServer\nHTTPServer(('', 8000), Handler).serve_forever()\n", ["CM-BIND-ALL"]),
    ("import socket\ns = socket.socket()\ns.bind(('127.0.0.1', 8080))\n", []),
    ("import socket\ns = socket.socket()\ns.bind((host, port))\n", []),  # a host we cannot read
    ("import socketserver\nsocketserver.TCPServer(('localhost', 9999), H)\n", []),
    ("import socketserver\nHOST = ''\nHOST, PORT = '127.0.0.1', 9999\nsocketserver.TCPServer((HOST, PORT), H)\n", []),
    ("import requests\nrequests.get('https://bob:hunter2@example.com/feed')\n", ["CM-SECRET-IN-URL"]),
    ("import requests\nrequests.get(f'https://api.example.com/v1/items?api_key={key}&page=2')\n", ["CM-SECRET-IN-URL"]),
    ("import requests\nurl = 'https://api.example.com/login?password=' + password\n", ["CM-SECRET-IN-URL"]),
    ("conn.request('GET', '/path?apiKey=value&other=1')\n", []),  # a path of the app's own API
    ("page = '<script>var ws = new WebSocket(\"ws://localhost/ws\"); send(\"?token=\" + t)</script>'\n", []),
    ("import httpx\nhttpx.post('https://hooks.example.com/x?token=abc', json=body)\n", ["CM-SECRET-IN-URL"]),
    ("import requests\nrequests.get('https://api.example.com/v1/items', headers={'Authorization': key})\n", []),
    ("url = 'https://user:***@example.com/'\n", []),  # a masked one, as in a log line
    ("url = f'https://example.com/reset?user={name}'\n", []),
    ("doc = 'pass the token= option to the tool'\n", []),  # not a URL
    ("import logging.config\nt = logging.config.listen(9030, verify=None)\n", ["CM-CONFIG-LISTEN"]),
    ("from logging import config\nt = config.listen(verify=None)\n", ["CM-CONFIG-LISTEN"]),
    ("import logging.config\nt = logging.config.listen(9030, verify=check_signature)\n", []),
    ("import logging.config\nt = logging.config.listen(9030)\n", []),  # bandit's B612 has it
]  # fmt: skip


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_rule(source: str, expected: list[str], codes: Codes) -> None:
    assert [code for _, code in codes(source)] == expected
