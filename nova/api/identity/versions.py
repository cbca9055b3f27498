"""The version documents keystoneauth reads to discover the v3 API."""
from nova.api.identity import faults

VERSION = {
    'id': 'v3.14',
    'status': 'stable',
    'updated': '2020-04-07T00:00:00Z',
    'media-types': [{'base': 'application/json',
                     'type': 'application/vnd.openstack.identity-v3+json'}],
}


def _v3(req):
    return dict(VERSION, links=[{'rel': 'self', 'href': req.host_url + '/v3/'}])


def root(req):
    """GET /: 300 Multiple Choices listing v3, as Keystone answers."""
    return faults.json_response({'versions': {'values': [_v3(req)]}}, 300)


def v3(req):
    return faults.json_response({'version': _v3(req)})
