"""Faults in the caller's language (Accept-Language) through unmodified clients:
novaclient and openstacksdk still raise their NotFound with the German message (compute
and network APIs), and boto3 still reads the EC2 and S3 codes with a German message."""
import uuid

import boto3
import openstack.connection
import pytest
from botocore.exceptions import ClientError
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
from novaclient import client as nova_client
from novaclient import exceptions as nova_exceptions
from openstack import exceptions as sdk_exceptions


@pytest.fixture(scope='module')
def german_session(cloud):
    """A keystoneauth session (the admin's, from novarc) asking for German."""
    rc = cloud.novarc()
    auth = v3.Password(auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'],
                       password=rc['OS_PASSWORD'], project_name=rc['OS_PROJECT_NAME'],
                       user_domain_name=rc['OS_USER_DOMAIN_NAME'],
                       project_domain_name=rc['OS_PROJECT_DOMAIN_NAME'])
    return ks_session.Session(auth=auth, additional_headers={'Accept-Language': 'de-DE'})


def test_novaclient_and_openstacksdk_parse_a_german_fault(cloud, german_session):
    missing = str(uuid.uuid4())
    german = 'Instanz %s konnte nicht gefunden werden.' % missing

    nova = nova_client.Client('2.1', session=german_session,
                              region_name=cloud.novarc()['OS_REGION_NAME'])
    with pytest.raises(nova_exceptions.NotFound) as raised:
        nova.servers.get(missing)
    assert (raised.value.code, raised.value.message) == (404, german)

    conn = openstack.connection.Connection(session=german_session,
                                           region_name=cloud.novarc()['OS_REGION_NAME'])
    with pytest.raises(sdk_exceptions.NotFoundException) as raised:
        conn.compute.get_server(missing)
    assert raised.value.status_code == 404 and german in str(raised.value)


def _german_boto3(cloud, service, url, operation):
    """A boto3 client of the cloud's admin that asks for German in operation's requests
    (boto3 has no setting for it: a header added before signing)."""
    rc = cloud.novarc()
    client = boto3.client(service, endpoint_url=rc[url], region_name=rc['AWS_DEFAULT_REGION'],
                          aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                          aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])
    client.meta.events.register('before-sign.%s.%s' % (service, operation),
                                lambda request, **kwargs: request.headers.__setitem__(
                                    'Accept-Language', 'de'))
    return client


def test_boto3_reads_a_german_ec2_error(cloud):
    ec2 = _german_boto3(cloud, 'ec2', 'EC2_URL', 'DescribeInstances')
    with pytest.raises(ClientError) as raised:
        ec2.describe_instances(InstanceIds=['i-7fffffff'])
    error = raised.value.response['Error']
    assert error['Code'] == 'InvalidInstanceID.NotFound'
    assert error['Message'] in ("Die ID 'i-7fffffff' existiert nicht",
                                "Die Instanz-IDs 'i-7fffffff' existieren nicht")


def test_openstacksdk_parses_a_german_network_api_error(cloud, german_session):
    missing = str(uuid.uuid4())
    conn = openstack.connection.Connection(session=german_session,
                                           region_name=cloud.novarc()['OS_REGION_NAME'])
    with pytest.raises(sdk_exceptions.NotFoundException) as raised:
        conn.network.get_port(missing)
    assert raised.value.status_code == 404
    assert 'Port %s konnte nicht gefunden werden.' % missing in str(raised.value)


def test_boto3_reads_a_german_s3_error(cloud):
    s3 = _german_boto3(cloud, 's3', 'S3_URL', 'ListObjects')
    bucket = 'no-such-bucket-%s' % uuid.uuid4().hex[:12]
    with pytest.raises(ClientError) as raised:
        s3.list_objects(Bucket=bucket)
    error = raised.value.response['Error']
    assert (error['Code'], error['BucketName']) == ('NoSuchBucket', bucket)
    assert error['Message'] == 'Der angegebene Bucket existiert nicht'
