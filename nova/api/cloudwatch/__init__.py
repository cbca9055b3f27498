"""CloudWatch-compatible query API front end (nova-api, port 8777).

Translation only: a request in any of CloudWatch's three protocols
(protocols.py), signed with SigV4 for the service ``monitoring`` with the
user's EC2 credentials, becomes a call of nova.monitor.api, and its answer (or
error) goes back in the same protocol. Readers may call every action (all of
them only read).
"""
import logging

import webob.dec

from nova import context as nova_context
from nova import exception
from nova import i18n
from nova import policy
from nova.api import middleware
from nova.api.cloudwatch import actions, protocols
from nova.api.ec2 import auth
from nova.auth import signature
from nova.i18n import _, _LE
from nova.monitor import api as monitor_api

LOG = logging.getLogger(__name__)
SERVICE = 'monitoring'
RULE = 'project_reader_or_admin'

# authentication failures as CloudWatch names them (code, status)
_AUTH_ERRORS = (
    (signature.InvalidAccessKey, 'InvalidClientTokenId', 403),
    (signature.SignatureMismatch, 'SignatureDoesNotMatch', 403),
    (signature.RequestExpired, 'RequestExpired', 400),
    (signature.MalformedAuthorization, 'IncompleteSignature', 400),
    (signature.MissingAuthentication, 'MissingAuthenticationToken', 403),
    (exception.NotAuthenticated, 'InvalidClientTokenId', 403),
    (exception.NotAuthorized, 'AccessDenied', 403),
)


def _to_error(error):
    if isinstance(error, protocols.CloudWatchError):
        return error
    for cls, code, status in _AUTH_ERRORS:
        if isinstance(error, cls):
            return protocols.CloudWatchError(code, error.format_message(), status)
    if isinstance(error, exception.MessagingTimeout):
        return protocols.CloudWatchError('ServiceUnavailable', _('The instance monitor did '
                                         'not answer in time; try again.'), 503,
                                         sender=False)
    if isinstance(error, exception.Invalid):
        return protocols.invalid_value(error.format_message())
    return None


class CloudWatchApp:
    def __init__(self):
        self._monitor = None

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @property
    def monitor(self):
        if self._monitor is None:  # built on first use: the RPC client needs rpc.init()
            self._monitor = monitor_api.MonitorAPI()
        return self._monitor

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = req.environ.get(middleware.ENV_REQUEST_ID) or \
            nova_context.generate_request_id()
        protocol = protocols.protocol_of(req)
        name = None
        try:
            name, params = self._request(req, protocol)
            context = self._authenticate(req, protocol, request_id)
            policy.authorize(context, RULE)
            result = actions.ACTIONS[name](actions.Call(context, params, self.monitor))
            return protocols.response(protocol, name, result, request_id)
        except Exception as error:  # noqa: BLE001 -- every error gets CloudWatch's body
            cw_error = _to_error(error)
            if cw_error is None:
                LOG.exception(_LE('Unexpected error serving CloudWatch %s'), name)
                cw_error = protocols.CloudWatchError(
                    'InternalServiceError', _('An internal error has occurred.'), 500,
                    shape='InternalServiceFault', sender=False)
            return protocols.error_response(protocol, cw_error, request_id,
                                            i18n.request_language(req))

    def _request(self, req, protocol):
        if req.method != 'POST' and protocol != protocols.QUERY or \
                req.method not in ('GET', 'POST'):
            raise protocols.CloudWatchError('InvalidAction', _('Use POST.'), 405)
        name, params = protocols.decode(req, protocol)
        if not name:
            raise protocols.CloudWatchError('MissingAction', _('The request must contain the '
                                            'parameter Action.'))
        if name not in actions.ACTIONS:
            raise protocols.CloudWatchError('InvalidAction', _('The action %s is not valid for '
                                            'this web service.') % name)
        return name, params

    @staticmethod
    def _authenticate(req, protocol, request_id):
        flat = dict(req.params) if protocol == protocols.QUERY else None
        return auth.authenticate(req, flat, request_id, service=SERVICE)
