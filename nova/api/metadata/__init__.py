"""Metadata service front end: the version listing instances read first.

The per-instance data arrives with the EC2 issue; unknown paths are 404.
"""
import webob
import webob.dec

EC2_VERSIONS = ['1.0', '2007-01-19', '2007-03-01', '2007-08-29', '2007-10-10',
                '2007-12-15', '2008-02-01', '2008-09-01', '2009-04-04']


class MetadataApp:
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls()

    @webob.dec.wsgify
    def __call__(self, req):
        if req.path_info in ('', '/'):
            return webob.Response(content_type='text/plain', charset='utf-8',
                                  body='\n'.join(EC2_VERSIONS + ['latest']).encode())
        return webob.Response(status=404, content_type='text/plain', charset='utf-8',
                              body=b'404 Not Found')
