"""The framework on a toy resource: routing, microversions, validation, faults."""
import json

import pytest
import webob

from nova import exception
from nova import wsgi as nova_wsgi
from nova.api.openstack import faults
from nova.api.openstack import microversion
from nova.api.openstack import router
from nova.api.openstack import validation
from nova.api.openstack import wsgi
from tests.unit.api.openstack import fakes

_schema = {'type': 'object',
           'properties': {'thing': {'type': 'object',
                                    'properties': {'name': {'type': 'string'}},
                                    'required': ['name'], 'additionalProperties': False}},
           'required': ['thing'], 'additionalProperties': False}


class ThingsController(wsgi.Controller):
    @wsgi.api_version('2.1', '2.9')
    def show(self, req, id):
        return {'thing': {'id': id, 'old': True}}

    @wsgi.api_version('2.10')
    def show(self, req, id):  # noqa: F811 -- one method, two versions
        return {'thing': {'id': id, 'version': str(req.api_version)}}

    @wsgi.response(201)
    @validation.schema(_schema)
    def create(self, req, body):
        return {'thing': body['thing']}

    def explode(self, req):
        raise RuntimeError('secret detail')

    def conflict(self, req):
        raise exception.InstanceIsLocked(instance_uuid='abc')

    @wsgi.action('poke')
    def poke(self, req, id, body):
        return None


@pytest.fixture
def client():
    things = ThingsController()
    app = router.APIRouter([
        ('/things', {'POST': router.method(things.create), 'GET': router.method(
            things.explode)}),
        ('/things/{id}', {'GET': router.method(things.show)}),
        ('/things/{id}/action', {'POST': wsgi.Actions(things)}),
        ('/conflict', {'GET': router.method(things.conflict)}),
    ])
    app = faults.FaultWrapper(fakes.ContextFilter(microversion.MicroversionMiddleware(app)))
    return fakes.Client(app)


def _fault(response, name, code):
    assert response.status_int == code, response.body
    assert response.json[name]['code'] == code
    return response.json[name]['message']


def test_version_headers_default_latest_and_vary(client):
    response = client.get('/things/1')
    assert response.json == {'thing': {'id': '1', 'old': True}}
    assert response.headers['OpenStack-API-Version'] == 'compute 2.1'
    assert response.headers['X-OpenStack-Nova-API-Version'] == '2.1'
    assert response.headers['Vary'] == 'OpenStack-API-Version, X-OpenStack-Nova-API-Version'
    latest = client.get('/things/1', version='latest')
    assert latest.json['thing']['version'] == microversion.MAX_VERSION
    legacy = client.get('/things/1', headers={'X-OpenStack-Nova-API-Version': '2.12'})
    assert legacy.json['thing']['version'] == '2.12'


def test_new_header_wins_and_other_services_are_ignored(client):
    response = client.get('/things/1', headers={
        'OpenStack-API-Version': 'image 2.5, compute 2.11',
        'X-OpenStack-Nova-API-Version': '2.3'})
    assert response.json['thing']['version'] == '2.11'


def test_out_of_range_is_406_and_malformed_400(client):
    message = _fault(client.get('/things/1', version='2.1000'), 'notAcceptable', 406)
    assert message == ('Version 2.1000 is not supported by the API. Minimum is 2.1 and '
                       'maximum is %s.' % microversion.MAX_VERSION)
    _fault(client.get('/things/1', version='1.0'), 'notAcceptable', 406)
    message = _fault(client.get('/things/1', version='2.x'), 'badRequest', 400)
    assert 'API Version String 2.x is of invalid format' in message


def test_schema_error_names_the_field(client):
    message = _fault(client.post('/things', {'thing': {'name': 1}}), 'badRequest', 400)
    assert message == ("Invalid input for field/attribute name. Value: 1. "
                       "1 is not of type 'string'")
    message = _fault(client.post('/things', {'thing': {'name': 'a', 'color': 'red'}}),
                     'badRequest', 400)
    assert "'color' was unexpected" in message
    assert client.post('/things', {'thing': {'name': 'a'}}).status_int == 201


def test_bad_json_and_media_type(client):
    assert _fault(client.post('/things', raw=b'{"thing": '), 'badRequest',
                  400) == 'Malformed request body'
    response = client.request('POST', '/things', raw=b'name=a',
                              headers={'Content-Type': 'text/plain'})
    assert response.status_int == 415


def test_nul_characters_never_reach_a_controller(client):
    """PostgreSQL refuses NUL in text: an id with one names nothing (404), a query
    parameter or body string with one is 400, before any database sees it."""
    assert client.get('/things/a\x00b').status_int == 404
    assert 'name' in _fault(client.get('/things/a?name=x%00y'), 'badRequest', 400)
    message = _fault(client.post('/things', raw=b'{"thing": {"name": "a\\u0000b"}}'),
                     'badRequest', 400)
    assert message == 'The request body contains a NUL character'
    escaped = client.post('/things', raw=b'{"thing": {"name": "a\\\\u0000b"}}')
    assert escaped.status_int == 201  # a backslash, then the text u0000: no NUL
    assert escaped.json['thing']['name'] == 'a\\u0000b'


def test_unexpected_error_is_500_without_traceback(client):
    message = _fault(client.get('/things'), 'computeFault', 500)
    assert 'secret detail' not in message and 'Traceback' not in message
    assert 'RuntimeError' in message


def test_nova_exception_keeps_its_code_and_message(client):
    assert _fault(client.get('/conflict'), 'conflictingRequest',
                  409) == 'Instance abc is locked'


def test_unknown_path_404_and_method_405(client):
    _fault(client.get('/nothing'), 'itemNotFound', 404)
    response = client.delete('/things/1')
    assert response.status_int == 405 and response.headers['Allow'] == 'GET'


def test_actions_dispatch_by_body_key(client):
    assert client.post('/things/1/action', {'poke': None}).status_int == 202
    assert _fault(client.post('/things/1/action', {'prod': None}), 'badRequest',
                  400) == 'There is no such action: prod'


def test_project_id_in_url_is_optional_but_must_match(client):
    assert client.get('/proj-a/things/1').status_int == 200
    message = _fault(client.get('/proj-b/things/1'), 'badRequest', 400)
    assert "URL's project_id 'proj-b' doesn't match Context's project_id 'proj-a'" in message


def test_paste_pipeline_serves_version_documents_without_auth():
    app = nova_wsgi.Loader().load_app('osapi_compute')
    root = webob.Request.blank('/').get_response(app)
    assert [v['id'] for v in json.loads(root.body)['versions']] == ['v2.0', 'v2.1']
    assert root.headers['x-openstack-request-id'].startswith('req-')
    assert root.headers['x-compute-request-id'] == root.headers['x-openstack-request-id']
    v21 = json.loads(webob.Request.blank('/v2.1/').get_response(app).body)['version']
    assert (v21['version'], v21['min_version']) == (microversion.MAX_VERSION, '2.1')
    v2 = json.loads(webob.Request.blank('/v2/').get_response(app).body)['version']
    assert (v2['id'], v2['version']) == ('v2.0', '')
    assert v2['links'][0]['href'].endswith('/v2/')  # each listed version's self link
    denied = webob.Request.blank('/v2.1/servers').get_response(app)
    assert denied.status_int == 401
    assert denied.headers['x-compute-request-id'].startswith('req-')  # errors too
