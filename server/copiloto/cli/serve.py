"""`copiloto serve`: the language server on stdio (or TCP), its channel kept apart from what libraries print."""

from __future__ import annotations

import argparse
import faulthandler
import os
import signal
import sys
from typing import BinaryIO

from copiloto.cli.common import cli_layer


def cmd_serve(args: argparse.Namespace) -> int:
    from copiloto.lsp.server import server

    # Flags on the server's command line sit above the config file and environment, below what the
    # editor sends in initializationOptions and didChangeConfiguration.
    server.cli_layer = cli_layer(args)
    if hasattr(signal, "SIGUSR1"):  # `kill -USR1 <pid>` dumps every thread's stack to stderr
        faulthandler.register(signal.SIGUSR1, all_threads=True)
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io(stdin=sys.stdin.buffer, stdout=protect_stdout())
    return 0


def protect_stdout() -> BinaryIO:
    """Give the LSP channel its own copy of fd 1 and point fd 1 at stderr.

    llama-cpp-python silences llama.cpp while it loads a model by dup2-ing /dev/null over fds 1 and 2:
    protocol messages written meanwhile would vanish (the client then waits forever). With the channel
    on its own fd, nothing a library prints or redirects can corrupt or swallow a message.
    """
    channel = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel
