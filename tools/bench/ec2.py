#!/usr/bin/env python3
"""Requests/s and median latency of the EC2 API, driven by boto3, on a real nova-all.

Starts nova-all (tests/harness/cloud.py), fills the admin project with
instances (RunInstances of 100 at a time) and times DescribeInstances (all of
100 and 1,000 instances, and a MaxResults=100 page of them), DescribeImages,
DescribeSecurityGroups and RunInstances + TerminateInstances, sequentially
and at concurrency 10. Every request is SigV4-signed by boto3, one client per
thread; DescribeInstances is also read raw, to tell the server's time from
botocore's XML parsing. Prints numbers only; nothing here asserts a time.

    .venv/bin/python tools/bench/ec2.py [--seconds 3] [--concurrency 10]
"""
import os
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
sys.path.insert(0, REPO)

import urllib.request  # noqa: E402

import boto3  # noqa: E402
import botocore.auth  # noqa: E402
import botocore.awsrequest  # noqa: E402
import botocore.credentials  # noqa: E402

import api as bench  # noqa: E402 -- tools/bench/api.py: measure, report

QUOTA_OFF = {'quota_instances': -1, 'quota_cores': -1, 'quota_ram': -1}
BIG_HOST = {'fake_vcpus': 1024, 'fake_memory_mb': 1024 * 1024, 'fake_disk_gb': 100000}


def make_client(cloud):
    rc = cloud.novarc()
    return boto3.session.Session().client(
        'ec2', endpoint_url=rc['EC2_URL'], region_name=rc['AWS_DEFAULT_REGION'],
        aws_access_key_id=rc['AWS_ACCESS_KEY_ID'],
        aws_secret_access_key=rc['AWS_SECRET_ACCESS_KEY'])


def raw_describe(cloud):
    """DescribeInstances signed by botocore but sent and read raw: the server's share."""
    rc = cloud.novarc()
    credentials = botocore.credentials.Credentials(rc['AWS_ACCESS_KEY_ID'],
                                                   rc['AWS_SECRET_ACCESS_KEY'])
    signer = botocore.auth.SigV4Auth(credentials, 'ec2', rc['AWS_DEFAULT_REGION'])

    def operation(_client):
        request = botocore.awsrequest.AWSRequest(
            method='POST', url=rc['EC2_URL'],
            data={'Action': 'DescribeInstances', 'Version': '2016-11-15'},
            headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'})
        signer.add_auth(request)
        prepared = request.prepare()
        body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
        with urllib.request.urlopen(urllib.request.Request(
                prepared.url, data=body, headers=dict(prepared.headers)), timeout=120) as r:
            r.read()
    return operation


def instances(client, **kwargs):
    return [i for r in client.describe_instances(**kwargs)['Reservations']
            for i in r['Instances']]


def fill(client, ami, total, timeout=600):
    """RunInstances (100 at a time) until the project has total running instances."""
    have = len(instances(client))
    while have < total:
        count = min(100, total - have)
        client.run_instances(ImageId=ami, MinCount=count, MaxCount=count,
                             InstanceType='m1.tiny')
        have += count
    deadline = time.monotonic() + timeout
    while True:
        states = [i['State']['Name'] for i in instances(client)]
        if len(states) >= total and set(states) == {'running'}:
            return
        if time.monotonic() > deadline:
            raise SystemExit('instances not running after %ss' % timeout)
        time.sleep(0.5)


def run(cloud, seconds, concurrency, sizes):
    setup = make_client(cloud)
    ami = setup.describe_images(Filters=[{'Name': 'name', 'Values': ['cirros']}])[
        'Images'][0]['ImageId']
    levels = (('sequential', 1), ('concurrency %d' % concurrency, concurrency))
    server_pid = cloud.processes[0].proc.pid

    def measure(operation, threads):
        return bench.measure(lambda: make_client(cloud), operation, seconds, threads,
                             server_pid)

    def run_terminate(client):
        made = client.run_instances(ImageId=ami, MinCount=1, MaxCount=1,
                                    InstanceType='m1.tiny')['Instances'][0]
        client.terminate_instances(InstanceIds=[made['InstanceId']])

    for size in sizes:
        fill(setup, ami, size)
        for label, operation in (
                ('DescribeInstances', lambda c: c.describe_instances()),
                ('DescribeInstances MaxResults=100',
                 lambda c: c.describe_instances(MaxResults=100)),
                ('DescribeInstances, raw HTTP (no boto3 parsing)', raw_describe(cloud))):
            for level, threads in levels:
                bench.report('%s, %d instances, %s' % (label, size, level),
                             measure(operation, threads))
    for label, operation in (('DescribeImages', lambda c: c.describe_images()),
                             ('DescribeSecurityGroups',
                              lambda c: c.describe_security_groups()),
                             ('RunInstances + TerminateInstances', run_terminate)):
        for level, threads in levels:
            bench.report('%s, %s' % (label, level), measure(operation, threads))


if __name__ == '__main__':
    bench.bench_main(__doc__, run, 'ec2', what='instances', **bench.QUOTA_OFF, **bench.BIG_HOST)
