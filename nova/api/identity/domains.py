"""/v3/domains: the one Default domain (list and show; no other domain exists)."""
from nova import exception
from nova.api.identity import faults
from nova.api.identity import views
from nova.i18n import _


def list_domains(req):
    """GET /v3/domains[?name=]."""
    faults.authorize(req, 'identity:list_domains')
    name = req.GET.get('name')
    found = [views.domain(req)] if name in (None, views.DOMAIN_NAME) else []
    return faults.listing(req, 'domains', found, '/v3/domains')


def show_domain(req, domain_id):
    faults.authorize(req, 'identity:get_domain')
    if domain_id != views.DOMAIN_ID:
        raise exception.NotFound(_('Could not find domain: %s.') % domain_id)
    return faults.json_response({'domain': views.domain(req)})
