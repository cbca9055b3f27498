"""An API extension plugin from an installed package's nova.api.v21.extensions entry
point: its resource and server action served beside the core with its own schema,
policy rules and microversion bounds, listed in /extensions; plugins that would take
over what exists are left out while the API still serves."""
import sys

import pytest

from nova import policy
from tests.functional.compute.conftest import cloud  # noqa: F401 -- the fixture
from tests.harness import plugin_packages
from tests.unit.api.openstack import fakes

PLUGIN = '''
from nova import policy
from nova.api.openstack import validation, wsgi
from nova.api.openstack.compute import plugins, servers

SHOE = {'type': 'object', 'required': ['shoe'], 'additionalProperties': False,
        'properties': {'shoe': {
            'type': 'object', 'required': ['size'], 'additionalProperties': False,
            'properties': {'size': {'type': 'integer', 'minimum': 1, 'maximum': 60}}}}}
POLISH = {'type': 'object', 'required': ['mycorp-polish'],
          'properties': {'mycorp-polish': {'type': 'object', 'additionalProperties': False,
                                    'properties': {'shine': {'enum': ['matt', 'gloss']}}}}}


class ShoesController(wsgi.Controller):
    def __init__(self):
        self.shoes = []

    def index(self, req):
        policy.authorize(req.context, 'mycorp:shoes:index', {})
        return {'shoes': self.shoes}

    @wsgi.response(201)
    @validation.schema(SHOE)
    def create(self, req, body):
        policy.authorize(req.context, 'mycorp:shoes:create', {})
        self.shoes.append(body['shoe'])
        return {'shoe': body['shoe']}


class PolishController(wsgi.Controller):
    def __init__(self, compute_api):
        self.compute_api = compute_api

    @wsgi.action('mycorp-polish')
    @wsgi.response(200)
    @validation.schema(POLISH)
    def polish(self, req, id, body):
        instance = self.compute_api.get(req.context, id)
        policy.authorize(req.context, 'mycorp:shoes:polish', servers.target(instance))
        return {'polished': instance.uuid, 'shine': body['mycorp-polish'].get('shine', 'matt')}


class Shoes(plugins.APIPlugin):
    name = 'Shoes'
    alias = 'mycorp-shoes'
    description = 'Shoes for servers.'
    min_version = '2.10'
    max_version = '2.90'
    policy_rules = [
        ('mycorp:shoes:index', 'rule:project_reader_or_admin or role:reader', 'List shoes.'),
        ('mycorp:shoes:create', 'rule:context_is_admin', 'Add a shoe.'),
        ('mycorp:shoes:polish', 'rule:project_member_or_admin', 'Polish a server.'),
    ]

    def routes(self, compute_api):
        shoes = ShoesController()
        return [('/os-shoes', {'GET': shoes.index, 'POST': shoes.create})]

    def server_actions(self, compute_api):
        return [PolishController(compute_api)]


class TakesKeypairs(plugins.APIPlugin):
    name, alias = 'Takeover', 'mycorp-takeover'

    def routes(self, compute_api):
        return [('/os-keypairs', {'GET': lambda req: {'keypairs': 'mine'}})]


class TakesReboot(plugins.APIPlugin):
    name, alias = 'RebootTakeover', 'mycorp-reboot'

    def server_actions(self, compute_api):
        class Reboot(wsgi.Controller):
            @wsgi.action('reboot')
            def reboot(self, req, id, body):
                return None
        return [Reboot()]
'''


@pytest.fixture
def app(cloud, monkeypatch, tmp_path):  # noqa: F811
    module = plugin_packages.install(monkeypatch, tmp_path, PLUGIN, {
        'nova.api.v21.extensions': {'shoes': '{module}:Shoes',
                                    'takeover': '{module}:TakesKeypairs',
                                    'reboot': '{module}:TakesReboot',
                                    'missing': '{module}:NoSuchPlugin'}})
    yield fakes.build_app()
    policy.forget_plugin_rules()
    sys.modules.pop(module, None)


V = '2.50'


def test_plugin_resource_with_schema_policy_and_bounds(alice, admin, app):
    assert admin.post('/os-shoes', {'shoe': {'size': 44}}, version=V).status_int == 201
    assert alice.get('/os-shoes', version=V).json == {'shoes': [{'size': 44}]}
    refused = alice.post('/os-shoes', {'shoe': {'size': 41}}, version=V)
    assert refused.status_int == 403
    bad = admin.post('/os-shoes', {'shoe': {'size': 'huge'}}, version=V)
    assert bad.status_int == 400 and "'huge' is not of type 'integer'" in bad.body.decode()
    # outside 2.10-2.90 the resource does not exist, whatever the body
    assert alice.get('/os-shoes', version='2.9').status_int == 404
    assert admin.post('/os-shoes', {'shoe': {}}, version='2.91').status_int == 404
    assert alice.put('/os-shoes', {}, version=V).status_int == 405


def test_plugin_server_action(alice, bob, cloud, app):  # noqa: F811
    instance = cloud.boot()[0]
    path = '/servers/%s/action' % instance.uuid
    polished = alice.post(path, {'mycorp-polish': {'shine': 'gloss'}}, version=V)
    assert polished.status_int == 200, polished.body
    assert polished.json == {'polished': instance.uuid, 'shine': 'gloss'}
    assert alice.post(path, {'mycorp-polish': {'shine': 'neon'}},
                      version=V).status_int == 400
    assert bob.post(path, {'mycorp-polish': {}}, version=V).status_int == 404
    assert alice.post(path, {'mycorp-polish': {}}, version='2.1').status_int == 404


def test_listed_and_clashing_plugins_left_out(alice, app, caplog):
    listed = {e['alias']: e for e in alice.get('/extensions').json['extensions']}
    assert listed['mycorp-shoes']['name'] == 'Shoes'
    assert 'mycorp-takeover' not in listed and 'mycorp-reboot' not in listed
    assert alice.get('/extensions/mycorp-shoes').json['extension']['description'] == \
        'Shoes for servers.'
    assert alice.get('/os-keypairs').json == {'keypairs': []}  # the core still serves it
    logged = '\n'.join(r.getMessage() for r in caplog.get_records('setup'))
    assert 'Takeover (mycorp-takeover) left out: path /os-keypairs is already served' in logged
    assert 'server action reboot is already defined' in logged
    assert 'NoSuchPlugin could not be loaded' in logged
    rules = {name for name, _default, _effective in policy.rule_table()}
    assert {'mycorp:shoes:index', 'mycorp:shoes:create', 'mycorp:shoes:polish'} <= rules
