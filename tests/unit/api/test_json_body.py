"""The shared JSON request parser: depth and surrogate limits, checked without recursion."""
import pytest

from nova.api import json_body


def test_plain_bodies_parse():
    assert json_body.loads(b'{"server": {"name": "a", "tags": ["x"]}}') == {
        'server': {'name': 'a', 'tags': ['x']}}
    assert json_body.loads('"\u00e9\U0001f600"') == '\u00e9\U0001f600'  # real pairs are fine


@pytest.mark.parametrize('raw, why', [
    (b'[' * 100000 + b']' * 100000, 'nested deeper than 32 levels'),
    (b'[' * 33 + b']' * 33, 'nested deeper than 32 levels'),
    (b'{"a": "\\ud800"}', 'lone surrogate'),
    (b'{"\\udc00": 1}', 'lone surrogate'),
    (b'{"a": [1, {"b": "\\udbff"}]}', 'lone surrogate'),
    (b'{"a": ', 'not JSON'),
    (b'"\xff"', 'not JSON'),
])
def test_bad_bodies_say_why(raw, why):
    with pytest.raises(json_body.BadJSON, match=why):
        json_body.loads(raw)


def test_the_depth_limit_is_exact():
    assert json_body.loads(b'[' * 32 + b']' * 32) is not None
    assert json_body.loads(b'[' * 40 + b']' * 40, max_depth=40) is not None


def test_check_walks_a_deep_structure_without_recursing():
    deep = []
    for _ in range(50000):
        deep = [deep]
    with pytest.raises(json_body.BadJSON):
        json_body.check(deep)
