"""Unsafe deserialisation (CWE-502): pickle/marshal/dill/jsonpickle of outside data, yaml.load without a safe
loader."""

from __future__ import annotations

from copiloto.review.flows.rules import Sink
from copiloto.review.flows.sinks import Call, Hits, one

ALWAYS = frozenset(
    {
        "pickle.loads",
        "pickle.load",
        "cPickle.loads",
        "cPickle.load",
        "_pickle.loads",
        "dill.loads",
        "dill.load",
        "marshal.loads",
        "marshal.load",
        "jsonpickle.decode",
        "yaml.unsafe_load",
        "yaml.full_load",
        "pandas.read_pickle",
        "pd.read_pickle",
        "shelve.open",
    }
)
SAFE_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader")


def sinks(call: Call) -> Hits:
    if call.name in ALWAYS:
        return one(call.arg(0, "data", "s", "file", "string"), Sink("deserialise", call.name))
    if call.name in ("yaml.load", "yaml.load_all"):
        loader = call.arg(1, "Loader")
        text = "" if loader is None or loader.text is None else loader.text.decode("utf-8", "replace")
        if not any(safe in text for safe in SAFE_LOADERS):
            return one(call.arg(0, "stream"), Sink("deserialise", call.name))
    return []
