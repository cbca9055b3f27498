"""S3's XML: documents built from (tag, value) lists, request bodies parsed.

A value is text, a number, a bool (true/false), a datetime (S3's ISO 8601 with
milliseconds), a list of (tag, value) children, or None (element left out).
"""
import datetime
import xml.etree.ElementTree as ET

import defusedxml
import defusedxml.ElementTree
import webob

NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/'
XSI = 'http://www.w3.org/2001/XMLSchema-instance'
MAX_BODY = 2 * 1024 ** 2  # DeleteObjects of 1000 keys of 1024 bytes fits


def iso(when):
    """2009-10-12T17:50:30.000Z"""
    when = when.astimezone(datetime.timezone.utc)
    return when.strftime('%Y-%m-%dT%H:%M:%S.') + '%03dZ' % (when.microsecond // 1000)


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, datetime.datetime):
        return iso(value)
    return str(value)


def _fill(parent, children):
    for tag, value in children:
        if value is None:
            continue
        attrib = {}
        if isinstance(tag, tuple):
            tag, attrib = tag
        child = ET.SubElement(parent, tag, attrib)
        if isinstance(value, list):
            _fill(child, value)
        else:
            child.text = _text(value)


def render(root, children, namespace=True):
    """The document as UTF-8 bytes with an XML declaration."""
    attrib = {'xmlns': NAMESPACE} if namespace else {}
    element = ET.Element(root, attrib)
    if isinstance(children, list):
        _fill(element, children)
    elif children is not None:
        element.text = _text(children)
    return ET.tostring(element, encoding='UTF-8', xml_declaration=True)


def response(root, children, status=200, namespace=True):
    return webob.Response(status=status, content_type='application/xml', charset=None,
                          body=render(root, children, namespace))


class MalformedXML(ValueError):
    """The body is not XML, or not the document expected."""


def parse(body, root):
    """The root element of body with namespaces dropped from every tag.

    Bodies come from anyone: defusedxml refuses DTDs, entity declarations and
    external references (billion laughs, XXE) whatever the body's encoding.
    """
    try:
        element = defusedxml.ElementTree.fromstring(body, forbid_dtd=True)
    except (ET.ParseError, defusedxml.DefusedXmlException) as e:
        raise MalformedXML(str(e))
    for node in element.iter():
        node.tag = node.tag.rpartition('}')[2]
    if element.tag != root:
        raise MalformedXML('expected a %s document, got %s' % (root, element.tag))
    return element
