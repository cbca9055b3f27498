"""Response bodies: orjson's bytes equal the standard library's compact JSON."""
import json

from nova.api import json_body


def test_same_bytes_as_the_standard_library():
    body = {'servers': [{'id': 'é', 'n': 1, 'f': 0.5, 'none': None, 'ok': True,
                         'links': [{'rel': 'self'}], 'tuple': (1, 2)}], 'empty': {}}
    assert json_body.dumps(body) == json.dumps(body, separators=(',', ':'),
                                               ensure_ascii=False).encode()
    assert json.loads(json_body.dumps(body))['servers'][0]['id'] == 'é'


def test_what_orjson_refuses_still_encodes():
    assert json.loads(json_body.dumps({'big': 2 ** 70, 1: 'int key'})) == {
        'big': 2 ** 70, '1': 'int key'}
