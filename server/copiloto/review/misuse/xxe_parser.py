"""An XML parser told to resolve external entities (CWE-611): lxml's `XMLParser(resolve_entities=True)` (also
`XMLPullParser`, `iterparse`), or a SAX / pulldom parser given `setFeature(feature_external_ges, True)` (or the
parameter-entity feature). A document can then name `file:///etc/passwd` or an internal URL as an entity and
have the parser read it into the result. Bandit flags the import and the parse call; this is the setting that
makes them exploitable. Keep `resolve_entities=False` (and `no_network=True`), or parse with defusedxml."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from copiloto.review.misuse.shapes import Hit, Imports, Rule, calls, dotted, keyword

RULE = Rule("CM-XXE", 611, "error", "xml_external_entities_resolved")
LXML = frozenset(
    {"lxml.etree.XMLParser", "lxml.etree.XMLPullParser", "lxml.etree.ETCompatXMLParser", "lxml.etree.iterparse"}
)
FEATURES = {
    "xml.sax.handler.feature_external_ges": "external general entities",
    "xml.sax.handler.feature_external_pes": "external parameter entities",
    "http://xml.org/sax/features/external-general-entities": "external general entities",
    "http://xml.org/sax/features/external-parameter-entities": "external parameter entities",
}
FIX = "set it False or parse with defusedxml"


def check(tree: ast.Module, imports: Imports) -> Iterator[Hit]:
    for call, name in calls(tree, imports):
        if name in LXML and _on(keyword(call, "resolve_entities")):
            risk = " over the network" if _off(keyword(call, "no_network")) else ""
            dtd = ", and loads the DTD" if _on(keyword(call, "load_dtd")) else ""
            parser = name.rsplit(".", 1)[-1]
            yield Hit(call, f"{parser}(resolve_entities=True) reads external entities{risk}{dtd}: {FIX}")
        elif isinstance(call.func, ast.Attribute) and call.func.attr == "setFeature" and len(call.args) == 2:
            feature = _feature(call.args[0], imports)
            if feature and _on(call.args[1]):
                yield Hit(call, f"the XML parser is told to resolve {feature}: {FIX}")


def _feature(node: ast.expr, imports: Imports) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return FEATURES.get(node.value)
    name = imports.canonical(dotted(node))
    if name.startswith("xml.sax.") or name.startswith("feature_"):  # `handler.feature_external_ges` from xml.sax
        return FEATURES.get("xml.sax.handler." + name.rsplit(".", 1)[-1])
    return None


def _on(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (True, 1) and not isinstance(node.value, str)


def _off(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value in (False, 0) and not isinstance(node.value, str)
