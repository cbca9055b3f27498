"""Flavor bodies as the Compute API shows them, per microversion."""
from nova.api.openstack import common

COLLECTION = 'flavors'


def basic(req, flavor, bases=None):
    """id, name, links (and description from 2.55): a flavor in a plain list."""
    bases = bases or common.url_base(req)
    body = {'id': flavor.flavorid, 'name': flavor.name,
            'links': common.links(bases, COLLECTION, flavor.flavorid)}
    if req.is_version('2.55'):
        body['description'] = flavor.description
    return body


def detail(req, flavor, bases=None, extra_specs=False):
    """Every attribute; swap is '' when 0 before 2.75; extra_specs from 2.61 if allowed."""
    body = basic(req, flavor, bases)
    swap = flavor.swap or 0
    body.update({
        'ram': flavor.memory_mb,
        'disk': flavor.root_gb,
        'vcpus': flavor.vcpus,
        'swap': swap if swap or req.is_version('2.75') else '',
        'rxtx_factor': flavor.rxtx_factor,
        'OS-FLV-EXT-DATA:ephemeral': flavor.ephemeral_gb,
        'OS-FLV-DISABLED:disabled': bool(flavor.disabled),
        'os-flavor-access:is_public': bool(flavor.is_public),
    })
    if extra_specs and req.is_version('2.61'):
        body['extra_specs'] = dict(flavor.extra_specs)
    return body


def page(req, flavors, limit, full, extra_specs=False):
    """{'flavors': [...]} with 'flavors_links' when a full page may have a next one."""
    bases = common.url_base(req)
    if full:
        items = [detail(req, f, bases, extra_specs) for f in flavors]
        collection = COLLECTION + '/detail'
    else:
        items = [basic(req, f, bases) for f in flavors]
        collection = COLLECTION
    body = {'flavors': items}
    links = common.next_link(req, items, limit, collection)
    if links:
        body['flavors_links'] = links
    return body
