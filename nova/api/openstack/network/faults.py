"""Neutron's error bodies: ``{"NeutronError": {"type", "message", "detail"}}``.

Clients branch on the status and often on ``type`` (Neutron's exception class
name), so each Nova exception is given the type and status Neutron answers
the same situation with (the nearest class in its MRO wins): a missing
resource of another project is the same NotFound as one that does not exist,
a quota is 409 OverQuota, a policy refusal 403 PolicyNotAuthorized.
"""
import json
import logging

import webob
import webob.exc

from nova import exception
from nova import i18n
from nova.api import webob_texts
from nova.i18n import _, _LE

LOG = logging.getLogger(__name__)


class NeutronError(Exception):
    """An error raised by the network API's controllers, answered as it says."""

    def __init__(self, status, error_type, message):
        super().__init__(message)
        self.status, self.type, self.message = status, error_type, message


def bad_request(message):
    return NeutronError(400, 'HTTPBadRequest', message)


_NOT_FOUND = {
    'Network': _('Network %s could not be found.'),
    'Subnet': _('Subnet %s could not be found.'),
    'Port': _('Port %s could not be found.'),
    'FloatingIP': _('Floating IP %s could not be found.'),
    'SecurityGroup': _('Security group %s could not be found.'),
    'SecurityGroupRule': _('Security group rule %s could not be found.'),
}


def not_found(kind, resource_id):
    """NetworkNotFound, PortNotFound, ...: Neutron's message for a missing resource."""
    return NeutronError(404, '%sNotFound' % kind, _NOT_FOUND[kind] % resource_id)


def conflict(error_type, message):
    return NeutronError(409, error_type, message)


# Nova exception class -> (status, Neutron type); the nearest class of the MRO wins
TYPES = {
    exception.NetworkNotFound: (404, 'NetworkNotFound'),
    exception.FloatingIpNotFoundForAddress: (404, 'FloatingIPNotFound'),
    exception.FloatingIpPoolNotFound: (404, 'ExternalNetworkNotFound'),
    exception.NoMoreFloatingIps: (409, 'IpAddressGenerationFailure'),
    exception.NoMoreFixedIps: (409, 'IpAddressGenerationFailure'),
    exception.FixedIpAlreadyInUse: (409, 'IpAddressInUse'),
    exception.FixedIpInvalid: (400, 'InvalidIpForNetwork'),
    exception.FixedIpHasFloatingIp: (409, 'FloatingIPPortAlreadyAssociated'),
    exception.FloatingIpAssociated: (409, 'FloatingIPPortAlreadyAssociated'),
    exception.NetworkInUse: (409, 'NetworkInUse'),
    exception.CidrConflict: (400, 'InvalidInput'),
    exception.SecurityGroupNotFound: (404, 'SecurityGroupNotFound'),
    exception.SecurityGroupRuleNotFound: (404, 'SecurityGroupRuleNotFound'),
    exception.SecurityGroupExists: (409, 'SecurityGroupExists'),
    exception.SecurityGroupInUse: (409, 'SecurityGroupInUse'),
    exception.SecurityGroupCannotDelete: (409, 'SecurityGroupCannotRemoveDefault'),
    exception.SecurityGroupRuleExists: (409, 'SecurityGroupRuleExists'),
    exception.InstanceNotFound: (404, 'HTTPNotFound'),
    exception.OverQuota: (409, 'OverQuota'),
    exception.PolicyNotAuthorized: (403, 'PolicyNotAuthorized'),
    exception.NotAuthorized: (403, 'HTTPForbidden'),
    exception.Invalid: (400, 'InvalidInput'),
    exception.NotFound: (404, 'HTTPNotFound'),
    exception.Conflict: (409, 'HTTPConflict'),
}


def _message(error):
    if isinstance(error, exception.OverQuota):
        return _('Quota exceeded for resources: %s.') % sorted(
            RESOURCE_NAMES.get(r, r) for r in error.kwargs.get('overs', []))
    return error.format_message()


# nova's quota resource names -> Neutron's
RESOURCE_NAMES = {'networks': 'network', 'subnets': 'subnet', 'ports': 'port',
                  'floating_ips': 'floatingip', 'security_groups': 'security_group',
                  'security_group_rules': 'security_group_rule'}


def to_neutron_error(error):
    """The NeutronError an exception is answered with, or None (a 500)."""
    if isinstance(error, NeutronError):
        return error
    if isinstance(error, exception.NovaException):
        for cls in type(error).__mro__:
            if cls in TYPES:
                status, error_type = TYPES[cls]
                return NeutronError(status, error_type, _message(error))
        if error.code and error.code < 500:
            return NeutronError(error.code, 'HTTPError', _message(error))
        return None
    if isinstance(error, webob.exc.HTTPException) and error.code >= 400:
        return NeutronError(error.code, type(error).__name__, webob_texts.message(error))
    return None


def response(error, request=None):
    """The NeutronError body; its message in the request's Accept-Language (nova.i18n)."""
    language = i18n.request_language(request) if request is not None else None
    body = {'NeutronError': {'type': error.type, 'detail': '',
                             'message': i18n.translate(error.message, language)}}
    return webob.Response(status=error.status, content_type='application/json',
                          charset='utf-8', body=json.dumps(body).encode('utf-8'))


def error_response(error, request=None):
    """The response for anything raised while serving request."""
    neutron_error = to_neutron_error(error)
    if neutron_error is None:
        LOG.exception(_LE('Unexpected error serving a network API request'))
        neutron_error = NeutronError(500, 'HTTPInternalServerError',
                                     _('Request Failed: internal server error while '
                                     'processing your request.'))
    return response(neutron_error, request)
