"""Every JSON a user hands in, wherever it hides (an EC2 NextToken, an S3 bucket policy
or browser-form policy, a block-storage metadata filter), is parsed with the limits of
nova/api/request_input.py: nested too deep it is that API's 400, not a RecursionError 500."""
import base64

import pytest
import webob
import webob.exc

from nova.api.ec2 import faults as ec2_faults
from nova.api.ec2 import filters as ec2_filters
from nova.api.openstack.volume import listing
from nova.api.openstack.volume import volumes
from nova.objectstore import bucket_policy
from nova.objectstore import post_object
from nova.objectstore.errors import S3Error

DEEP = b'[' * 5000 + b']' * 5000          # past the json module's recursion
DEEPISH = b'{"a":' * 40 + b'1' + b'}' * 40  # parsed, but past the 32 levels


@pytest.mark.parametrize('raw', [DEEP, DEEPISH, b'"\\u0000"'])
def test_ec2_next_token(raw):
    with pytest.raises(ec2_faults.Ec2Error) as refused:
        ec2_filters.decode_token(base64.urlsafe_b64encode(raw).decode())
    assert refused.value.code == 'InvalidParameterValue'


@pytest.mark.parametrize('raw', [DEEP, DEEPISH, b'{"Statement": "\\ud800"}'])
def test_s3_bucket_policy(raw):
    with pytest.raises(S3Error) as refused:
        bucket_policy.parse(raw.decode(), 'pol')
    assert refused.value.code == 'MalformedPolicy'


@pytest.mark.parametrize('raw', [DEEP, DEEPISH])
def test_s3_form_policy(raw):
    with pytest.raises(S3Error) as refused:
        post_object._read_policy({'policy': base64.b64encode(raw).decode()})
    assert refused.value.code == 'InvalidPolicyDocument'


@pytest.mark.parametrize('raw', [DEEP.decode(), '{"a": "\\u0000"}'])
def test_volume_metadata_filter(raw):
    req = webob.Request.blank('/v3/p/volumes', POST=None)
    req.GET['metadata'] = raw
    with pytest.raises(webob.exc.HTTPBadRequest):
        listing.filters(req, volumes.FILTERS)
