"""Image bundles end to end with unmodified clients: nova-manage makes a bundle as
euca-bundle-image would, boto3 uploads it to the cloud's S3, boto3's EC2
RegisterImage registers it, DescribeImages shows it become available, and
RunInstances boots it; a bundle not encrypted for this cloud ends failed_decrypt."""
import os
import time
import zipfile

import boto3
import openstack
import pytest

WAIT_SECONDS = 60
IMAGE_SIZE = 12 * 1024 ** 2 + 4321  # two 10 MiB parts once encrypted


@pytest.fixture(scope='module')
def rc(cloud):
    return cloud.novarc()


@pytest.fixture(scope='module')
def ec2(rc):
    return boto3.client('ec2', endpoint_url=rc['EC2_URL'], region_name=rc['AWS_DEFAULT_REGION'],
                        aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                        aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])


@pytest.fixture(scope='module')
def s3(rc):
    return boto3.client('s3', endpoint_url=rc['S3_URL'], region_name=rc['AWS_DEFAULT_REGION'],
                        aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
                        aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])


@pytest.fixture(scope='module')
def user_files(cloud, rc, tmp_path_factory):
    """The files of `nova-manage project zipfile`, unpacked: pk.pem, cert.pem, cacert.pem."""
    where = tmp_path_factory.mktemp('creds')
    cloud.manage('project', 'zipfile', rc['OS_PROJECT_NAME'], rc['OS_USERNAME'],
                 str(where / 'nova.zip'))
    with zipfile.ZipFile(where / 'nova.zip') as archive:
        assert sorted(archive.namelist()) == ['cacert.pem', 'cert.pem', 'ec2rc.sh', 'pk.pem']
        archive.extractall(where)
    assert (where / 'nova.zip').stat().st_mode & 0o077 == 0  # it holds a private key
    return where


def _bundle(cloud, rc, user_files, image, out, *extra):
    cloud.manage('image', 'bundle', str(image), '--user', rc['OS_USERNAME'],
                 '--project', rc['OS_PROJECT_NAME'], '--destination', str(out),
                 '--cert', str(user_files / 'cert.pem'),
                 '--privatekey', str(user_files / 'pk.pem'), *extra)
    return sorted(out.iterdir())


def _upload(s3, bucket, files):
    s3.create_bucket(Bucket=bucket)
    for path in files:
        s3.upload_file(str(path), bucket, path.name)


def _wait_image(ec2, image_id, states):
    deadline = time.time() + WAIT_SECONDS
    while True:
        image = ec2.describe_images(ImageIds=[image_id])['Images'][0]
        if image['State'] in states:
            return image
        assert time.time() < deadline, 'image %s still %s' % (image_id, image['State'])
        time.sleep(0.3)


def test_zipfile_and_credentials_hand_out_the_cloud_cert(cloud, user_files):
    cacert = cloud.manage('credentials', 'cacert').stdout
    assert cacert.startswith('-----BEGIN CERTIFICATE-----')
    assert (user_files / 'cacert.pem').read_text() == cacert
    assert 'EC2_CERT=${NOVA_KEY_DIR}/cert.pem' in (user_files / 'ec2rc.sh').read_text()


def test_bundle_register_describe_and_boot(cloud, rc, ec2, s3, user_files, tmp_path):
    image = tmp_path / 'disk.img'
    image.write_bytes(os.urandom(IMAGE_SIZE))
    files = _bundle(cloud, rc, user_files, image, tmp_path / 'bundle')
    assert [f.name for f in files] == ['disk.img.manifest.xml', 'disk.img.part.00',
                                       'disk.img.part.01']
    _upload(s3, 'bundle-ok', files)
    image_id = ec2.register_image(ImageLocation='bundle-ok/disk.img.manifest.xml',
                                  Name='bundled-disk')['ImageId']
    assert image_id.startswith('ami-')
    registered = _wait_image(ec2, image_id, ('available', 'failed'))
    assert registered['State'] == 'available', registered.get('StateReason')
    assert registered['ImageLocation'] == 'bundle-ok/disk.img.manifest.xml'
    assert registered['ImageType'] == 'machine' and registered['Name'] == 'bundled-disk'
    # the image service holds exactly the bytes that were bundled (openstacksdk)
    conn = openstack.connect(
        auth_url=rc['OS_AUTH_URL'], username=rc['OS_USERNAME'], password=rc['OS_PASSWORD'],
        project_name=rc['OS_PROJECT_NAME'], user_domain_name='Default',
        project_domain_name='Default', region_name=rc['OS_REGION_NAME'])
    glance_image = conn.image.find_image('bundled-disk', ignore_missing=False)
    assert glance_image.disk_format == 'ami' and glance_image.size == IMAGE_SIZE
    saved = tmp_path / 'saved.img'
    conn.image.download_image(glance_image, output=str(saved))
    assert saved.read_bytes() == image.read_bytes()
    # and it boots
    reply = ec2.run_instances(ImageId=image_id, MinCount=1, MaxCount=1,
                              InstanceType='m1.tiny')
    instance_id = reply['Instances'][0]['InstanceId']
    deadline = time.time() + WAIT_SECONDS
    while True:
        instance = ec2.describe_instances(InstanceIds=[instance_id])[
            'Reservations'][0]['Instances'][0]
        if instance['State']['Name'] in ('running', 'terminated'):
            break
        assert time.time() < deadline, instance['State']
        time.sleep(0.3)
    assert instance['State']['Name'] == 'running' and instance['ImageId'] == image_id
    ec2.terminate_instances(InstanceIds=[instance_id])


def test_bundle_not_for_this_cloud_ends_failed_decrypt(cloud, rc, ec2, s3, user_files,
                                                       tmp_path):
    image = tmp_path / 'kernel.img'
    image.write_bytes(os.urandom(4096))
    # encrypted for the user's certificate instead of the cloud's
    files = _bundle(cloud, rc, user_files, image, tmp_path / 'bundle', '--kernel', 'true',
                    '--ec2cert', str(user_files / 'cert.pem'))
    _upload(s3, 'bundle-bad', files)
    image_id = ec2.register_image(ImageLocation='bundle-bad/kernel.img.manifest.xml',
                                  Name='bad-kernel')['ImageId']
    assert image_id.startswith('aki-')
    failed = _wait_image(ec2, image_id, ('available', 'failed'))
    assert failed['State'] == 'failed'
    assert failed['StateReason']['Code'] == 'failed_decrypt'
    assert 'not encrypted for this cloud' in failed['StateReason']['Message']
    assert ec2.describe_images(Filters=[{'Name': 'state', 'Values': ['failed']}],
                               ImageIds=[image_id])['Images']


def test_register_errors_are_client_errors(ec2, s3):
    from botocore.exceptions import ClientError
    s3.create_bucket(Bucket='bundle-empty')
    for location, code in (('bundle-empty/nothing.manifest.xml', 'InvalidParameterValue'),
                           ('no-such-bucket/x.manifest.xml', 'InvalidParameterValue'),
                           ('bundle-empty', 'InvalidParameterValue')):
        with pytest.raises(ClientError) as raised:
            ec2.register_image(ImageLocation=location, Name='broken')
        assert raised.value.response['Error']['Code'] == code, location
        assert raised.value.response['ResponseMetadata']['HTTPStatusCode'] == 400
