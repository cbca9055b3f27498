"""The checks every listener applies to untrusted input: bounded JSON, strict decoding,
no NUL or lone surrogate, and the listener guard."""
import json

import pytest
import webob

from nova.api import request_input as ri


@pytest.mark.parametrize('raw,reason', [
    (b'[' * 100000 + b']' * 100000, 'nested more than'),      # RecursionError in json
    (b'[' * 33 + b']' * 33, 'nested more than 32'),            # parsed, then too deep
    (b'{"a": "\\u0000"}', 'NUL'),
    (b'{"\\u0000": 1}', 'NUL'),
    (b'{"name": "\\ud800"}', 'lone surrogate'),
    (b'["\\udfff x"]', 'lone surrogate'),
    (b'{"\\udc00": 1}', 'lone surrogate'),
    (b'{"a": [1, {"b": "\\udbff"}]}', 'lone surrogate'),
    (b'"\xff"', 'not UTF-8'),
    (b'\xff\xfe{}', 'not UTF-8'),
    (b'{"n": NaN}', 'not valid JSON'),
    (b'{"n": Infinity}', 'not valid JSON'),
    (b'{"a": 1', 'not valid JSON'),
])
def test_malformed_json_is_a_400_naming_what(raw, reason):
    with pytest.raises(ri.MalformedInput) as refused:
        ri.json_loads(raw, 'The request body')
    assert refused.value.code == 400
    assert reason in str(refused.value) and 'The request body' in str(refused.value)


def test_good_json_passes_as_json_gives_it():
    body = {'server': {'name': 'caf\u00e9 \U0001F600', 'n': 10 ** 30, 'x': [[[]]] * 3}}
    assert ri.json_loads(json.dumps(body).encode()) == body
    assert ri.json_loads('[' * 32 + ']' * 32) is not None   # exactly the limit


def test_a_deep_structure_is_checked_without_recursing():
    deep = []
    for _ in range(50000):
        deep = [deep]
    assert 'nested more than 32' in ri.value_problem(deep)


def test_a_paired_surrogate_escape_is_one_character():
    assert ri.json_loads(b'"\\ud83d\\ude00"') == '\U0001F600'


@pytest.mark.parametrize('text,ok', [('%41%42', 'AB'), ('caf%C3%A9', 'caf\u00e9')])
def test_unquote(text, ok):
    assert ri.unquote(text, 'name') == ok


@pytest.mark.parametrize('text', ['%ff%fe', '%c0%af', '%ed%a0%80', 'a%00b'])
def test_unquote_refuses_what_is_not_text(text):
    with pytest.raises(ri.MalformedInput):
        ri.unquote(text, 'name')


def _serve(name, path='/', query='', headers=()):
    seen = []

    def app(environ, start_response):
        seen.append(environ['PATH_INFO'])
        return webob.Response(body=b'ok')(environ, start_response)
    req = webob.Request.blank('/')
    req.environ['PATH_INFO'], req.environ['QUERY_STRING'] = path, query
    for key, value in headers:
        req.environ[key] = value
    return req.get_response(ri.guard_listener(name, app)), seen


@pytest.mark.parametrize('name,content_type,marker', [
    ('osapi_compute', 'application/json', '"badRequest"'),
    ('identity', 'application/json', '"error"'),
    ('ec2', 'text/xml', '<Code>InvalidParameterValue</Code>'),
    ('cloudwatch', 'text/xml', '<ErrorResponse'),
    ('objectstore', 'application/xml', '<Code>InvalidURI</Code>'),
    ('image', 'text/plain', 'UTF-8'), ('metadata', 'text/plain', 'UTF-8')])
def test_a_url_that_is_not_utf8_is_a_400_in_the_listener_format(name, content_type, marker):
    response, seen = _serve(name, path=b'/v2/\xff\xfe'.decode('latin-1'))
    assert response.status_int == 400 and seen == []
    assert response.content_type == content_type and marker in response.text


@pytest.mark.parametrize('query', ['name=%ff', 'a=%c0%af&b=1', '%ed%a0%80=x'])
def test_a_query_string_that_is_not_utf8_is_a_400(query):
    response, seen = _serve('osapi_compute', query=query)
    assert response.status_int == 400 and seen == [] and 'query string' in response.text


def test_a_header_with_a_control_character_is_a_400():
    response, _ = _serve('identity', headers=[('HTTP_X_AUTH_TOKEN', 'abc\x00def')])
    assert response.status_int == 400 and 'X-Auth-Token' in response.text


def test_good_requests_pass_untouched():
    response, seen = _serve('image', path='/v2/images/caf\u00e9'.encode().decode('latin-1'),
                            query='name=%C3%A9&x=', headers=[('HTTP_USER_AGENT', 'a\tb')])
    assert response.status_int == 200 and seen == ['/v2/images/caf\u00e9'.encode()
                                                    .decode('latin-1')]


def test_a_header_name_is_escaped_in_an_xml_fault():
    response, _ = _serve('ec2', headers=[('HTTP_X_A&B', 'x\x01')])
    assert response.status_int == 400 and 'X-A&amp;B' in response.text


def test_the_problem_is_told_in_the_callers_language():
    """The checks' messages are translated whole: the thing and what is wrong with it."""
    from nova import i18n
    with pytest.raises(ri.MalformedInput) as refused:
        ri.json_loads(b'"\xff"')
    assert str(refused.value.format_message()) == 'The request body is not UTF-8'
    assert i18n.translate(refused.value.format_message(), 'de') == \
        'Der Anfragetext ist kein UTF-8'
    with pytest.raises(ri.MalformedInput) as refused:
        ri.check_value({'name': 'a\x00b'}, 'metadata')
    assert i18n.translate(refused.value.format_message(), 'de') == \
        'metadata enthält ein NUL-Zeichen'


def test_the_listener_guard_answers_in_the_requests_language():
    app = ri.guard_listener('osapi_compute', webob.Response())
    req = webob.Request.blank('/servers', headers={'Accept-Language': 'de'})
    req.environ['QUERY_STRING'] = 'name=%ff'
    response = req.get_response(app)
    assert response.status_int == 400
    assert response.json['badRequest']['message'] == (
        'Der Query-String ist nach der Prozent-Dekodierung kein gültiges UTF-8.')
