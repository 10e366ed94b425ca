from __future__ import annotations

from collections.abc import Callable

import pytest

Codes = Callable[[str], list[tuple[int, str]]]  # the `codes` fixture of conftest.py

FLAGGED = [
    # lxml, entities resolved and the network allowed
    """
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=True, no_network=False)
    """,
    # with the DTD loaded, the class imported by name
    """
    from lxml.etree import XMLParser
    parser = XMLParser(load_dtd=True, resolve_entities=True)
    """,
    # resolve_entities=True alone, the module imported under another name
    """
    import lxml.etree as ET
    def read(data):
        return ET.fromstring(data, ET.XMLParser(resolve_entities=True))
    """,
    # iterparse
    """
    from lxml import etree
    def rows(path):
        return etree.iterparse(path, resolve_entities=True)
    """,
    # SAX with external general entities on
    """
    import xml.sax
    from xml.sax.handler import feature_external_ges
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, True)
    """,
    # pulldom's parser, parameter entities through the handler module
    """
    from xml.dom import pulldom
    from xml.sax import handler, make_parser
    parser = make_parser()
    parser.setFeature(handler.feature_external_pes, True)
    events = pulldom.parse("doc.xml", parser=parser)
    """,
    # the feature by its URI
    """
    def harden(parser):
        parser.setFeature("http://xml.org/sax/features/external-general-entities", 1)
    """,
]
CLEAN = [
    # defusedxml
    """
    from defusedxml import ElementTree
    tree = ElementTree.parse("doc.xml")
    """,
    # entities off
    """
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    """,
    # the feature turned off
    """
    from xml.sax.handler import feature_external_ges
    def harden(parser):
        parser.setFeature(feature_external_ges, False)
    """,
    # another feature on
    """
    from xml.sax.handler import feature_namespaces
    def setup(parser):
        parser.setFeature(feature_namespaces, True)
    """,
    # some other library's resolve_entities
    """
    from html5lib import HTMLParser
    parser = HTMLParser(resolve_entities=True)
    """,
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str, codes: Codes) -> None:
    assert [code for _, code in codes(source)] == ["CM-XXE"]


@pytest.mark.parametrize("source", CLEAN)
def test_clean_twin_is_silent(source: str, codes: Codes) -> None:
    assert codes(source) == []
