"""S3 front end. Until the objectstore issue lands, every request gets S3's
own NotImplemented error (XML, 501), so a client sees a clear answer."""
from xml.sax.saxutils import escape

import webob
import webob.dec

from nova.api import middleware


class S3App:
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        request_id = req.environ.get(middleware.ENV_REQUEST_ID, '')
        body = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NotImplemented'
                '</Code><Message>A header or operation you provided implies '
                'functionality that is not implemented</Message><Resource>%s</Resource>'
                '<RequestId>%s</RequestId></Error>' % (escape(req.path), escape(request_id)))
        return webob.Response(status=501, content_type='application/xml', charset='utf-8',
                              body=body.encode())
