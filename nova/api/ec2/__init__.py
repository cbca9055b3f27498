"""EC2 query API front end: answers every request with EC2's own XML errors.

The actions arrive with the EC2 issue; until then an endpoint that knows no
action says so the way EC2 does (InvalidAction), so clients get a clear error.
"""
from xml.sax.saxutils import escape

import webob
import webob.dec

from nova.api import middleware


def ec2_error(req, status, code, message):
    request_id = req.environ.get(middleware.ENV_REQUEST_ID, '')
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            '<Code>%s</Code><Message>%s</Message></Error></Errors>'
            '<RequestID>%s</RequestID></Response>' % (
                escape(code), escape(message), escape(request_id)))
    return webob.Response(status=status, content_type='text/xml', charset='utf-8',
                          body=body.encode())


class Ec2App:
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        action = req.params.get('Action')
        if not action:
            return ec2_error(req, 400, 'MissingAction', 'The request must contain '
                             'the parameter Action')
        return ec2_error(req, 400, 'InvalidAction', 'The action %s is not valid '
                         'for this web service.' % action)
