from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # the usual pair, each line at fault
    """
    import ssl
    def context():
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        return ctx
    """,
    """
    from ssl import CERT_NONE, SSLContext, PROTOCOL_TLS_CLIENT
    ctx = SSLContext(PROTOCOL_TLS_CLIENT)
    ctx.verify_mode = CERT_NONE
    """,
    # cert_reqs, as a constant and as a string (urllib3)
    """
    import ssl, socket
    def connect(host):
        return ssl.wrap_socket(socket.create_connection((host, 443), 10), cert_reqs=ssl.CERT_NONE)
    """,
    """
    import urllib3
    http = urllib3.PoolManager(cert_reqs="CERT_NONE")
    """,
    # an httpx transport (bandit's B501 knows Client and the verbs, not the transports)
    """
    import httpx
    client = httpx.Client(transport=httpx.HTTPTransport(verify=False, retries=3))
    """,
    # aiohttp: the connector, and a request through a session
    """
    import aiohttp
    def session():
        return aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=False))
    """,
    """
    from aiohttp import ClientSession
    async def fetch(url):
        async with ClientSession() as session:
            async with session.get(url, ssl=False) as response:
                return await response.text()
    """,
    # an if that asks something else does not make it an option
    """
    import ssl
    def context(url):
        ctx = ssl.create_default_context()
        if url.startswith("https://internal"):
            ctx.verify_mode = ssl.VerifyMode.CERT_NONE
        return ctx
    """,
]
CLEAN = [
    """
    import ssl
    def context(cafile):
        ctx = ssl.create_default_context(cafile=cafile)
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx
    """,
    # bandit's findings are left to bandit
    """
    import requests, httpx, ssl
    def fetch(url):
        ssl._create_unverified_context()
        return requests.get(url, verify=False, timeout=5), httpx.get(url, verify=False)
    """,
    # turned off only when the caller asked for it
    """
    import ssl
    def context(verify):
        ctx = ssl.create_default_context()
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx
    """,
    """
    import ssl
    def context(cert_reqs):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if cert_reqs == ssl.CERT_REQUIRED:
            ctx.check_hostname = True
        else:
            ctx.check_hostname = False
        return ctx
    """,
    # a context class setting its own default; a check made elsewhere, then restored
    """
    class Context:
        def __init__(self):
            self.check_hostname = False
    """,
    """
    import contextlib, ssl
    @contextlib.contextmanager
    def configure(ctx):
        saved = ctx.check_hostname
        ctx.check_hostname = False
        try:
            yield
        finally:
            ctx.check_hostname = saved
    """,
    # cert_reqs required, ssl=True, and asyncio's ssl=False (plain TCP, no aiohttp)
    """
    import ssl, urllib3, asyncio
    http = urllib3.PoolManager(cert_reqs="CERT_REQUIRED")
    sock = ssl.wrap_socket(None, cert_reqs=ssl.CERT_REQUIRED)
    async def plain(loop, factory):
        return await loop.create_connection(factory, "localhost", 25, ssl=False)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-TLS-UNCHECKED"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
