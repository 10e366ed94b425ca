"""CM-AUTH-HTTP: credentials sent to a plain http:// address, beside clean twins."""

from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

CASES = [
    # (source, expected codes)
    ("import requests\nrequests.post('http://api.example.com/login', auth=(user, password))\n", ["CM-AUTH-HTTP"]),
    ("import requests\nrequests.get('http://api.example.com/v1', headers={'Authorization': f'Bearer {token}'})\n",
     ["CM-AUTH-HTTP"]),
    ("import requests\nAPI = 'http://api.example.com'\ndef f():\n    requests.get(API, auth=HTTPBasicAuth(u, p))\n",
     ["CM-AUTH-HTTP"]),
    ("import requests\ndef f(uid):\n    requests.delete(f'http://api.example.com/users/{uid}', auth=creds)\n",
     ["CM-AUTH-HTTP"]),
    ("import requests\ns = requests.Session()\ns.get('http://intranet.example.org/data', auth=('u', 'p'))\n",
     ["CM-AUTH-HTTP"]),
    ("from httpx import request\nrequest('POST', 'http://api.example.com/', auth=('u', 'p'))\n", ["CM-AUTH-HTTP"]),
    ("import httpx\nwith httpx.Client() as c:\n    c.get('http://api.example.com/', auth=('u', 'p'))\n",
     ["CM-AUTH-HTTP"]),
    ("import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n"
     "        await s.post('http://api.example.com/', headers={'Authorization': key})\n", ["CM-AUTH-HTTP"]),
    # clean twins: https, no credentials, this machine, an address made at run time, a name bound twice, auth=None
    ("import requests\nrequests.post('https://api.example.com/login', auth=(user, password))\n", []),
    ("import requests\nrequests.get('http://api.example.com/v1', timeout=5)\n", []),
    ("import requests\nrequests.get('http://127.0.0.1:8000/admin', auth=('u', 'p'))\n", []),
    ("import requests\nrequests.get('http://localhost/admin', headers={'Authorization': 'Basic x'})\n", []),
    ("import requests\ndef f(host):\n    requests.get(f'http://{host}/api', auth=creds)\n", []),
    ("import requests\ndef f(env):\n    requests.get(f'http://api{env}/v1', auth=creds)\n", []),  # host not all written
    ("import requests\nurl = 'http://a.example.com'\nurl = 'https://a.example.com'\nrequests.get(url, auth=c)\n", []),
    ("import requests\nrequests.get('http://api.example.com/', auth=None)\n", []),
    ("import requests\nrequests.get('http://api.example.com/', headers={'Accept': 'application/json'})\n", []),
    ("client.get('http://api.example.com/', auth=('u', 'p'))\n", []),  # not known to be an HTTP client
]  # fmt: skip


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_credentials_over_plain_http(source: str, expected: list[str], codes: Codes) -> None:
    assert [code for _, code in codes(source) if code == "CM-AUTH-HTTP"] == expected
