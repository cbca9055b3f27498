"""nova-image daemon."""
from nova.cmd import common


def main(argv=None):
    common.init('nova-image', argv)
    from nova import service
    from nova.image import janitor
    return common.run([lambda: service.WSGIService('image'), janitor.UploadJanitor])
