"""Malformed requests get S3's 4xx answers, never a 500: undecodable paths,
hostile XML bodies (defusedxml), nonsense headers and query parameters."""
import urllib.parse

import pytest
import webob

from tests.unit.objectstore.conftest import error_code

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
                  b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                  b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
                  b'<Delete><Object><Key>&c;</Key></Object></Delete>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM '
                   b'"file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>')


@pytest.fixture
def filled(s3):
    s3.put('/mal')
    s3.put('/mal/k', b'0123456789')
    return s3


@pytest.mark.parametrize('body', [BILLION_LAUGHS, EXTERNAL_ENTITY,
                                  BILLION_LAUGHS.decode().encode('utf-16')],
                         ids=['entities', 'external', 'utf-16'])
def test_xml_with_a_doctype_is_malformed(filled, body):
    response = filled.post('/mal?delete', body)
    assert (response.status_int, error_code(response)) == (400, 'MalformedXML')
    assert filled.get('/mal/k').body == b'0123456789'


@pytest.mark.parametrize('raw', ['/mal/%ff%fe', '/mal/%c0%af', '/%ff', '/mal/a%ffb?acl'])
def test_paths_that_are_not_utf8(filled, raw):
    for method in ('GET', 'PUT', 'DELETE', 'HEAD'):
        req = webob.Request.blank('/', method=method)
        path, _, query = raw.partition('?')
        # a WSGI server hands the decoded path over as latin-1 text
        req.environ['PATH_INFO'] = urllib.parse.unquote_to_bytes(path).decode('latin-1')
        req.environ['QUERY_STRING'] = query
        response = req.get_response(filled.app)
        assert 400 <= response.status_int < 500, (method, raw, response.status)
        if method != 'HEAD':
            assert error_code(response) in ('InvalidURI', 'AccessDenied'), raw


@pytest.mark.parametrize('headers', [
    {'Range': 'bytes=-'}, {'Range': 'bytes=5-2'}, {'Range': 'bytes=a-b'},
    {'Range': 'bytes=0-1,3-4'}, {'Range': 'pages=1-2'}, {'Range': 'bytes=99999999999999999999-'},
    {'If-Modified-Since': 'yesterday'}, {'If-Unmodified-Since': '\x01'},
    {'If-Match': ''}, {'x-amz-checksum-mode': 'sometimes'},
])
def test_odd_read_headers_never_fail_the_server(filled, headers):
    response = filled.get('/mal/k', headers=headers)
    assert response.status_int < 500, (headers, response.status, response.body)


@pytest.mark.parametrize('path,headers', [
    ('/mal/x', {'Content-MD5': 'not base64'}),
    ('/mal/x', {'x-amz-checksum-crc32': '!!'}),
    ('/mal/x', {'x-amz-checksum-whirlpool': 'AAAA'}),
    ('/mal/x', {'x-amz-acl': 'everyone-please'}),
    ('/mal/x', {'x-amz-copy-source': '/'}),
    ('/mal/x', {'x-amz-copy-source': '/mal/k', 'x-amz-metadata-directive': 'MAYBE'}),
    ('/mal/x?partNumber=0&uploadId=zz', {}),
    ('/mal/x?partNumber=abc&uploadId=zz', {}),
    ('/mal?max-keys=-1', {}),
    ('/mal?encoding-type=rot13', {}),
])
def test_bad_write_headers_and_parameters_are_4xx(filled, path, headers):
    method = 'GET' if '?max-keys' in path or 'encoding' in path else 'PUT'
    response = filled.call(method, path, b'data', headers)
    assert 400 <= response.status_int < 500, (path, headers, response.status, response.body)
    assert error_code(response)


@pytest.mark.parametrize('source', ['/mal/k%ff', '/mal/k%00', '/mal/%ed%a0%80'])
def test_a_copy_source_that_is_not_text_is_invalid_argument(filled, source):
    """Not UTF-8 once percent-decoded, or a NUL: S3's 400, not a key that never matches."""
    response = filled.call('PUT', '/mal/x', b'', {'x-amz-copy-source': source})
    assert response.status_int == 400, response.body
    assert error_code(response) == 'InvalidArgument'
