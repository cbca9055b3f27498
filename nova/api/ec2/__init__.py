"""EC2 query API front end (nova-api, port 8773, at /services/Cloud and /).

Translation only: a request's Action, dotted parameters and signature become
calls of nova.compute.api and the other public APIs, and their answers (or
exceptions) become EC2 XML (or EC2 error codes). Actions are registered by
family: instances, instance_actions, tags, keypairs, security_groups,
images, regions, admin, monitoring.
"""
import logging

import webob.dec

from nova import context as nova_context
from nova import i18n
from nova import policy
from nova.api import middleware
from nova.api import request_input
from nova.api.ec2 import actions, auth, faults, params, xml
from nova.api.ec2 import (addresses, admin, images, instance_actions,  # noqa: F401
                          instances, keypairs, monitoring, regions, security_groups, tags,
                          volumes)
from nova.conf import CONF
from nova.i18n import _, _LE

LOG = logging.getLogger(__name__)
ENV_CONTEXT = 'nova.context'


class Ec2App:
    def __init__(self):
        self._apis = None

    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @property
    def apis(self):
        if self._apis is None:  # built on first use: the RPC clients need rpc.init()
            self._apis = actions.Apis()
        return self._apis

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = req.environ.get(middleware.ENV_REQUEST_ID) or \
            nova_context.generate_request_id()
        try:
            return self._serve(req, request_id)
        except Exception as error:  # noqa: BLE001 -- every error gets an EC2 error body
            ec2_error = faults.to_ec2_error(error)
            if ec2_error is None:
                LOG.exception(_LE('Unexpected error serving EC2 %s'), req.params.get('Action'))
                ec2_error = faults.Ec2Error('InternalError', faults.INTERNAL_ERROR, 500)
            elif ec2_error.status in (401, 403):
                LOG.info('Refused EC2 %s: %s', req.params.get('Action'), ec2_error.message)
            return faults.error_response(ec2_error, request_id, i18n.request_language(req))

    def _serve(self, req, request_id):
        if req.path_info.rstrip('/') not in ('', CONF.ec2_path.rstrip('/')):
            raise faults.Ec2Error('InvalidRequest', _('No EC2 API at %s') % req.path, 404)
        if req.method not in ('GET', 'POST'):
            raise faults.Ec2Error('InvalidRequest', _('Use GET or POST'), 405)
        flat = dict(req.params)
        for key, value in flat.items():
            problem = request_input.text_problem(key) or request_input.text_problem(value)
            if problem:
                raise faults.Ec2Error('InvalidParameterValue', _('Parameter %s %s.') % (
                    key.encode('ascii', 'backslashreplace').decode(), problem))
        name = flat.get('Action')
        context = auth.authenticate(req, flat, request_id)
        req.environ[ENV_CONTEXT] = context
        if not name:
            raise faults.Ec2Error('MissingAction', _('The request must contain the parameter '
                                    'Action'))
        if name not in actions.ACTIONS:
            raise faults.Ec2Error('InvalidAction', _('The action %s is not valid for this web '
                                    'service.') % name)
        handler, rule = actions.ACTIONS[name]
        policy.authorize(context, rule)
        call = actions.Call(context, params.Params(params.parse(flat)), self.apis,
                            request_id, req.host)
        if call.params.bool('DryRun'):
            raise faults.Ec2Error('DryRunOperation', _('Request would have succeeded, but '
                                    'DryRun flag is set.'), 412)
        return xml.render(name, handler(call), request_id, flat.get('Version'))
