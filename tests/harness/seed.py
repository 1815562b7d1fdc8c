#!/usr/bin/env python3
"""Seed an AWS-compatible server (moto) through its AWS API, for fhtop's tests and benches.

Scenarios (one region each, so they never mix):
  incident  a small account with one fault of each kind next to a healthy pipeline
  healthy   one pipeline on which every check passes
  scale     150 streams, 3 buses, 300 rules
  logs10k   one log group with 10,000 events, bursts sharing a millisecond
  failed    issue 14: failed records in S3 error output (gzip and plain, several codes)
  shapes    issue 10's failing pipelines, one of each kind (trust policies, an HTTP endpoint
            destination, a Kinesis data stream source, a Lambda processor), each next to a
            healthy neighbour of the same shape
  verdicts  issue 25's pipelines read by AWS's metric definitions: dead-letter queues (sent,
            refused, none), targets not invoked, Iceberg failed rows, a low-traffic stream with
            a 900 s buffer, a target stream in another account, each beside a healthy twin
  losses    issue 26's loss ledger: events dropped (no dead-letter queue), refused by a queue,
            waiting in one (real SQS messages), records held undelivered and in the S3 error
            output, each beside a healthy twin
  recover   issue 26's recovery: `r-orders` has 120 failed records in 3 objects of its error
            output (one gzip), each record a unique line; `r-parts` (dynamic partitioning) has
            20 partitioning failures, 10 of which the query now keys
  history   issue 27's short first window: a stream and a rule that delivered and failed 100
            to 150 minutes ago and nothing since, beside a pair that never stopped
  org       an AWS Organization: the healthy pipeline in the management account, the incident
            in a member account "team" (reached by assuming OrganizationAccountAccessRole)

Usage: seed.py --endpoint URL --region R --scenario NAME
       seed.py --endpoint URL --region R --dump BUCKET PREFIX
"""
import os
import argparse
import datetime
import json

import boto3

ACCOUNT = "123456789012"
NOW = datetime.datetime.now(datetime.timezone.utc)


def clients(endpoint, region, creds=None):
    creds = creds or dict(aws_access_key_id="testing", aws_secret_access_key="testing")
    kw = dict(endpoint_url=endpoint, region_name=region, **creds)
    return {n: boto3.client(n, **kw)
            for n in ("firehose", "events", "logs", "cloudwatch", "s3", "iam", "kinesis", "kms")}


ORG_ROLE = "OrganizationAccountAccessRole"


def org(endpoint, region):
    """An AWS Organization: the management account (this server's default one) with the healthy
    pipeline, and a member account "team" with the incident, seeded as ORG_ROLE in it (moto keeps
    each account's resources apart by the credentials' account)."""
    kw = dict(endpoint_url=endpoint, region_name=region,
              aws_access_key_id="testing", aws_secret_access_key="testing")
    o = boto3.client("organizations", **kw)
    o.create_organization(FeatureSet="ALL")
    team = o.create_account(AccountName="team", Email="team@example.com")["CreateAccountStatus"]["AccountId"]
    healthy(clients(endpoint, region), region)
    global ACCOUNT
    cr = boto3.client("sts", **kw).assume_role(
        RoleArn=f"arn:aws:iam::{team}:role/{ORG_ROLE}", RoleSessionName="seed")["Credentials"]
    ACCOUNT = team  # the ARNs the incident names are the member account's
    incident(clients(endpoint, region, dict(aws_access_key_id=cr["AccessKeyId"],
                                            aws_secret_access_key=cr["SecretAccessKey"],
                                            aws_session_token=cr["SessionToken"])), region)
    ACCOUNT = "123456789012"
    return team


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(sid, actions, resources):
    return {"Sid": sid, "Effect": "Allow", "Action": actions, "Resource": resources}


def role(c, name, service, inline=None, managed=(), boundary=None):
    """A role (IAM is global: seeding a second region finds it already there)."""
    trust = doc({"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"})
    kw = {"PermissionsBoundary": boundary} if boundary else {}
    try:
        c["iam"].create_role(RoleName=name, AssumeRolePolicyDocument=trust, **kw)
    except c["iam"].exceptions.EntityAlreadyExistsException:
        return
    for pname, body in (inline or {}).items():
        c["iam"].put_role_policy(RoleName=name, PolicyName=pname, PolicyDocument=body)
    for arn in managed:
        c["iam"].attach_role_policy(RoleName=name, PolicyArn=arn)


def managed_policy(c, name, body):
    arn = f"arn:aws:iam::{ACCOUNT}:policy/{name}"
    try:
        c["iam"].create_policy(PolicyName=name, PolicyDocument=body)
    except c["iam"].exceptions.EntityAlreadyExistsException:
        pass
    return arn


def delivery_policy(bucket_name, name, put_object=True):
    s3 = ["s3:AbortMultipartUpload", "s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket",
          "s3:ListBucketMultipartUploads"] + (["s3:PutObject"] if put_object else [])
    return doc(allow("S3Delivery", s3, [f"arn:aws:s3:::{bucket_name}", f"arn:aws:s3:::{bucket_name}/*"]),
               allow("ErrorLogging", "logs:PutLogEvents",
                     f"arn:aws:logs:*:{ACCOUNT}:log-group:/aws/kinesisfirehose/{name}:*"))


def iam_writer(c):
    """The runbook's firehose_writer policy on the EventBridge role most rules use."""
    writer = managed_policy(c, "firehose_writer", doc(allow(
        "WriteToFirehose", ["firehose:PutRecord", "firehose:PutRecordBatch"],
        f"arn:aws:firehose:*:{ACCOUNT}:deliverystream/*")))
    role(c, "eventbridge-firehose-writer", "events.amazonaws.com", managed=[writer])


def iam_incident(c):
    """Delivery roles (clickstream-raw's lost s3:PutObject; orders-to-s3's has a permissions
    boundary), the runbook's firehose_writer policy on the EventBridge role, and a target role
    that allows only PutRecord (EventBridge sends batches)."""
    fh = "firehose.amazonaws.com"
    iam_writer(c)
    boundary = managed_policy(c, "delivery-boundary", doc(allow("Boundary", ["s3:*", "logs:*"], "*")))
    role(c, "firehose-orders-to-s3", fh, {"delivery": delivery_policy("acme-lake", "orders-to-s3")},
         boundary=boundary)
    role(c, "firehose-clickstream-raw", fh,
         {"delivery": delivery_policy("acme-clicks", "clickstream-raw", put_object=False)})
    role(c, "firehose-audit-trail", fh, {"delivery": delivery_policy("acme-lake", "audit-trail")})
    role(c, "eventbridge-putrecord-only", "events.amazonaws.com", {"put": doc(allow(
        "PutOnly", "firehose:PutRecord", f"arn:aws:firehose:*:{ACCOUNT}:deliverystream/*"))})


def bucket(c, region, name):
    conf = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    c["s3"].create_bucket(Bucket=name, **conf)


def stream(c, region, name, bucket_name, logging=True, dynamic=False, compression="GZIP", interval=60):
    cfg = {
        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}",
        "BucketARN": f"arn:aws:s3:::{bucket_name}",
        "Prefix": f"{name}/",
        "ErrorOutputPrefix": f"errors/{name}/",
        "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": interval},
        "CompressionFormat": compression,
        "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
        "CloudWatchLoggingOptions": {"Enabled": logging, "LogGroupName": f"/aws/kinesisfirehose/{name}",
                                     "LogStreamName": "DestinationDelivery"},
    }
    if dynamic:
        cfg["Prefix"] = "orders/!{partitionKeyFromQuery:region}/"
        cfg["DynamicPartitioningConfiguration"] = {"Enabled": True, "RetryOptions": {"DurationInSeconds": 300}}
        cfg["ProcessingConfiguration"] = {"Enabled": True, "Processors": [{
            "Type": "MetadataExtraction",
            "Parameters": [{"ParameterName": "MetadataExtractionQuery", "ParameterValue": "{region: .detail.region}"},
                           {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]}
    c["firehose"].create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                         ExtendedS3DestinationConfiguration=cfg)
    if logging:
        c["logs"].create_log_group(logGroupName=f"/aws/kinesisfirehose/{name}")
        c["logs"].create_log_stream(logGroupName=f"/aws/kinesisfirehose/{name}", logStreamName="DestinationDelivery")
    return f"arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}"


def rule(c, bus, name, target_arn, state="ENABLED", pattern=None, schedule=None,
         role_name="eventbridge-firehose-writer"):
    kw = {"Name": name, "State": state, "EventBusName": bus}
    if pattern is not None:
        kw["EventPattern"] = json.dumps(pattern)
    if schedule is not None:
        kw["ScheduleExpression"] = schedule
    c["events"].put_rule(**kw)
    c["events"].put_targets(Rule=name, EventBusName=bus, Targets=[{
        "Id": "firehose", "Arn": target_arn,
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{role_name}"}])


def series(c, namespace, metric, dims, values, ago=0):
    """One datapoint a minute for len(values) minutes ending `ago` minutes ago (the last
    len(values) minutes by default), oldest first."""
    n = len(values)
    data = [{"MetricName": metric, "Dimensions": [{"Name": k, "Value": v} for k, v in dims],
             "Timestamp": NOW - datetime.timedelta(minutes=n - 1 - i + ago, seconds=5), "Value": float(v)}
            for i, v in enumerate(values)]
    for i in range(0, len(data), 20):
        c["cloudwatch"].put_metric_data(Namespace=namespace, MetricData=data[i:i + 20])


def rule_alarm(c, name, metric, bus, rule_name, state, threshold=1.0, op="GreaterThanOrEqualToThreshold"):
    """An alarm on an EventBridge rule's metric (RuleName, and EventBusName off the default bus)."""
    dims = [{"Name": "RuleName", "Value": rule_name}]
    if bus != "default":
        dims.append({"Name": "EventBusName", "Value": bus})
    c["cloudwatch"].put_metric_alarm(
        AlarmName=name, Namespace="AWS/Events", MetricName=metric, Dimensions=dims,
        Statistic="Sum", Period=60, EvaluationPeriods=1, Threshold=threshold, ComparisonOperator=op)
    c["cloudwatch"].set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"seeded {state}")


def alarm(c, name, metric, stream_name, state, threshold=1.0, op="GreaterThanThreshold"):
    c["cloudwatch"].put_metric_alarm(
        AlarmName=name, Namespace="AWS/Firehose", MetricName=metric,
        Dimensions=[{"Name": "DeliveryStreamName", "Value": stream_name}],
        Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=threshold, ComparisonOperator=op)
    c["cloudwatch"].set_alarm_state(AlarmName=name, StateValue=state, StateReason=f"seeded {state}")


def incident(c, region):
    iam_incident(c)
    bucket(c, region, "acme-lake")
    bucket(c, region, "acme-clicks")
    # Refuses plain HTTP, as many real buckets do: not a denial for Firehose, which uses TLS.
    c["s3"].put_bucket_policy(Bucket="acme-clicks", Policy=doc({
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::acme-clicks", "arn:aws:s3:::acme-clicks/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    orders = stream(c, region, "orders-to-s3", "acme-lake", dynamic=True)
    clicks = stream(c, region, "clickstream-raw", "acme-clicks", interval=300)
    audit = stream(c, region, "audit-trail", "acme-lake", logging=False)
    # moto omits CompressionFormat and BufferingHints for a stream created like this: the Rust
    # SDK cannot decode it, and fhtop must show it as an error row without losing the rest.
    c["firehose"].create_delivery_stream(DeliveryStreamName="legacy-gap", S3DestinationConfiguration={
        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/r", "BucketARN": "arn:aws:s3:::acme-lake"})
    c["events"].create_event_bus(Name="orders-bus")
    rule(c, "default", "clickstream-capture", clicks, pattern={"source": ["web.clickstream"]})
    rule(c, "orders-bus", "order-events", orders, pattern={"source": ["acme.orders"]})
    rule(c, "orders-bus", "payment-refunded", audit, state="DISABLED", pattern={"source": ["acme.payments"]},
         role_name="eventbridge-putrecord-only")
    rule(c, "default", "hourly-snapshot", audit, schedule="rate(1 hour)")
    minutes = 30
    fh = "AWS/Firehose"
    series(c, fh, "IncomingRecords", [("DeliveryStreamName", "clickstream-raw")], [1000] * minutes)
    series(c, fh, "DeliveryToS3.Records", [("DeliveryStreamName", "clickstream-raw")], [0] * minutes)
    series(c, fh, "DeliveryToS3.Success", [("DeliveryStreamName", "clickstream-raw")], [0] * minutes)
    series(c, fh, "DeliveryToS3.DataFreshness", [("DeliveryStreamName", "clickstream-raw")],
           [60 * (i + 1) for i in range(minutes)])
    series(c, fh, "IncomingRecords", [("DeliveryStreamName", "orders-to-s3")], [5000] * minutes)
    series(c, fh, "DeliveryToS3.Records", [("DeliveryStreamName", "orders-to-s3")], [5000] * minutes)
    series(c, fh, "DeliveryToS3.Success", [("DeliveryStreamName", "orders-to-s3")], [1] * minutes)
    series(c, fh, "PartitionCount", [("DeliveryStreamName", "orders-to-s3")], [450] * minutes)
    series(c, fh, "ActivePartitionsLimit", [("DeliveryStreamName", "orders-to-s3")], [500] * minutes)
    series(c, fh, "ThrottledRecords", [("DeliveryStreamName", "orders-to-s3")], [12] * minutes)
    series(c, "AWS/Events", "MatchedEvents", [("RuleName", "clickstream-capture")], [1000] * minutes)
    series(c, "AWS/Events", "Invocations", [("RuleName", "clickstream-capture")], [1000] * minutes)
    series(c, "AWS/Events", "MatchedEvents", [("RuleName", "order-events"), ("EventBusName", "orders-bus")],
           [5000] * minutes)
    alarm(c, "clickstream-raw-DataFreshness", "DeliveryToS3.DataFreshness", "clickstream-raw", "ALARM", 900)
    alarm(c, "orders-to-s3-Success", "DeliveryToS3.Success", "orders-to-s3", "OK", 1, "LessThanThreshold")
    alarm(c, "audit-trail-Incoming", "IncomingRecords", "audit-trail", "INSUFFICIENT_DATA")
    signups(c, region, "acme-lake")
    group = "/aws/kinesisfirehose/clickstream-raw"
    ts = int(NOW.timestamp() * 1000)
    msg = json.dumps({"deliveryStreamARN": clicks, "destination": "arn:aws:s3:::acme-clicks",
                      "message": "Access was denied. Ensure that the access policies allow access to the S3 bucket.",
                      "errorCode": "S3.AccessDenied"})
    c["logs"].put_log_events(logGroupName=group, logStreamName="DestinationDelivery",
                             logEvents=[{"timestamp": ts - 600_000 + i * 30_000, "message": msg} for i in range(20)])


def signups(c, region, bucket_name):
    """A healthy pipeline: rule signup-events → stream signups-raw → S3, every check passes."""
    iam_writer(c)
    role(c, "firehose-signups-raw", "firehose.amazonaws.com",
         {"delivery": delivery_policy(bucket_name, "signups-raw")})
    arn = stream(c, region, "signups-raw", bucket_name, interval=60)
    rule(c, "default", "signup-events", arn, pattern={"source": ["acme.signups"]})
    n = 30
    fh = [("DeliveryStreamName", "signups-raw")]
    series(c, "AWS/Firehose", "IncomingRecords", fh, [200] * n)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", fh, [200] * n)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", fh, [1] * n)
    series(c, "AWS/Firehose", "DeliveryToS3.DataFreshness", fh, [45] * n)
    series(c, "AWS/Events", "MatchedEvents", [("RuleName", "signup-events")], [200] * n)
    series(c, "AWS/Events", "Invocations", [("RuleName", "signup-events")], [200] * n)
    # Every alarm the runbook's design expects (fhtop check's alarm-coverage): delivery success,
    # freshness, throttled records, and the feeding rule's failed invocations.
    alarm(c, "signups-raw-Success", "DeliveryToS3.Success", "signups-raw", "OK", 1, "LessThanThreshold")
    alarm(c, "signups-raw-DataFreshness", "DeliveryToS3.DataFreshness", "signups-raw", "OK", 900)
    alarm(c, "signups-raw-ThrottledRecords", "ThrottledRecords", "signups-raw", "OK", 0)
    rule_alarm(c, "signup-events-FailedInvocations", "FailedInvocations", "default", "signup-events", "OK")


def healthy(c, region):
    bucket(c, region, "acme-signups")
    signups(c, region, "acme-signups")


def scale(c, region):
    """SCALE_STREAMS streams (default 150), twice as many rules over three buses."""
    n = int(os.environ.get("SCALE_STREAMS", "150"))
    bucket(c, region, "scale-lake")
    names = [f"s-{i:04d}" if n > 1000 else f"s-{i:03d}" for i in range(n)]
    arns = [stream(c, region, name, "scale-lake", logging=False) for name in names]
    buses = ["default", "bus-a", "bus-b"]
    for b in buses[1:]:
        c["events"].create_event_bus(Name=b)
    for i in range(2 * n):
        rule(c, buses[i % 3], f"r-{i:04d}" if n > 500 else f"r-{i:03d}", arns[i % n], pattern={"source": [f"app.{i}"]})
    # Healthy delivery per stream for the last 3 minutes (as of the end of seeding): what
    # ListMetrics reports before the streams are described.
    end = datetime.datetime.now(datetime.timezone.utc)
    data = [{"MetricName": m, "Dimensions": [{"Name": "DeliveryStreamName", "Value": name}],
             "Timestamp": end - datetime.timedelta(minutes=k), "Value": v}
            for name in names
            for m, v in (("IncomingRecords", 100.0), ("DeliveryToS3.Records", 100.0),
                         ("DeliveryToS3.Success", 1.0), ("DeliveryToS3.DataFreshness", 60.0))
            for k in range(3)]
    for i in range(0, len(data), 20):
        c["cloudwatch"].put_metric_data(Namespace="AWS/Firehose", MetricData=data[i:i + 20])
    # Every tenth rule matched events in the last 3 minutes (what ListMetrics lists as
    # recently active); the others are idle.
    data = []
    for i in range(0, 2 * n, 10):
        bus = buses[i % 3]
        dims = [{"Name": "RuleName", "Value": f"r-{i:04d}" if n > 500 else f"r-{i:03d}"}]
        if bus != "default":
            dims.append({"Name": "EventBusName", "Value": bus})
        data += [{"MetricName": "MatchedEvents", "Dimensions": dims,
                  "Timestamp": end - datetime.timedelta(minutes=k), "Value": 10.0} for k in range(3)]
    for i in range(0, len(data), 20):
        c["cloudwatch"].put_metric_data(Namespace="AWS/Events", MetricData=data[i:i + 20])
    # One rule of bus-a logs what it matched to its /aws/events/ group (the only such group):
    # the events a quiet rule of bus-a is tested against (pattern-samples).
    group = f"/aws/events/{'r-0010' if n > 500 else 'r-010'}"
    c["logs"].create_log_group(logGroupName=group)
    c["logs"].create_log_stream(logGroupName=group, logStreamName="events")
    ts = int(NOW.timestamp() * 1000)
    c["logs"].put_log_events(logGroupName=group, logStreamName="events", logEvents=[
        {"timestamp": ts - 600_000 + k * 60_000, "message": json.dumps({
            "version": "0", "id": f"5ca1e000-{k:04d}", "detail-type": "Tick", "source": "app.10",
            "account": ACCOUNT, "time": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [], "detail": {"k": k}})} for k in range(3)])


def history(c, region):
    """Issue 27's short first window: what happened before its 40 minutes. `steady` delivers
    and its rule matches for the last 150 minutes; `early` received and delivered from 150 to
    100 minutes ago and nothing since; its rule `old-failure` matched and failed then too."""
    bucket(c, region, "history-lake")
    steady = stream(c, region, "steady", "history-lake", logging=False)
    early = stream(c, region, "early", "history-lake", logging=False)
    delivering(c, "steady", n=150)
    d = [("DeliveryStreamName", "early")]
    for metric, v in (("IncomingRecords", 300), ("DeliveryToS3.Records", 300), ("DeliveryToS3.Success", 1),
                      ("DeliveryToS3.DataFreshness", 40)):
        series(c, "AWS/Firehose", metric, d, [v] * 50, ago=100)
    rule(c, "default", "steady-rule", steady, pattern={"source": ["app.steady"]})
    invoked(c, "steady-rule", n=150)
    rule(c, "default", "old-failure", early, pattern={"source": ["app.early"]})
    d = [("RuleName", "old-failure")]
    for metric, v in (("MatchedEvents", 20), ("Invocations", 20), ("FailedInvocations", 5)):
        series(c, "AWS/Events", metric, d, [v] * 20, ago=100)


def logs10k(c, region):
    group = "/aws/kinesisfirehose/big"
    c["logs"].create_log_group(logGroupName=group)
    c["logs"].create_log_stream(logGroupName=group, logStreamName="DestinationDelivery")
    start = int(NOW.timestamp() * 1000) - 600_000
    # 10,000 events over ten minutes; every five share one millisecond.
    events = [{"timestamp": start + (i // 5) * 300, "message": f"event {i:05d}"} for i in range(10_000)]
    for i in range(0, len(events), 2_500):
        c["logs"].put_log_events(logGroupName=group, logStreamName="DestinationDelivery", logEvents=events[i:i + 2_500])


# The shapes scenario has many streams: ten minutes of datapoints each keeps moto's
# GetMetricData (which scans every datapoint for every query) well inside fhtop's 10 s
# attempt timeout.
N = 10


def log_lines(c, name, code, message, n, region):
    """n Firehose error-log events of one error code in the last ten minutes."""
    group = f"/aws/kinesisfirehose/{name}"
    ts = int(NOW.timestamp() * 1000)
    msg = json.dumps({"deliveryStreamARN": f"arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}",
                      "message": message, "errorCode": code})
    c["logs"].put_log_events(logGroupName=group, logStreamName="DestinationDelivery",
                             logEvents=[{"timestamp": ts - 300_000 + i * 20_000, "message": msg} for i in range(n)])


def logging(name):
    return {"Enabled": True, "LogGroupName": f"/aws/kinesisfirehose/{name}", "LogStreamName": "DestinationDelivery"}


def lake(name, bucket_name="shapes-lake", **extra):
    """An extended S3 destination in a bucket (shapes-lake) under the stream's own prefix,
    logging on; the delivery role is firehose-<name>, cut to IAM's 64 characters."""
    return {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/" + f"firehose-{name}"[:64],
            "BucketARN": f"arn:aws:s3:::{bucket_name}", "Prefix": f"{name}/",
            "ErrorOutputPrefix": f"errors/{name}/",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
            "CompressionFormat": "GZIP", "CloudWatchLoggingOptions": logging(name), **extra}


def log_group(c, name):
    c["logs"].create_log_group(logGroupName=f"/aws/kinesisfirehose/{name}")
    c["logs"].create_log_stream(logGroupName=f"/aws/kinesisfirehose/{name}", logStreamName="DestinationDelivery")


def delivering(c, name, n=None, rate=300, kind="S3", incoming="IncomingRecords"):
    """A stream that delivers everything it receives."""
    n = n or N
    d = [("DeliveryStreamName", name)]
    series(c, "AWS/Firehose", incoming, d, [rate] * n)
    series(c, "AWS/Firehose", f"DeliveryTo{kind}.Records", d, [rate] * n)
    series(c, "AWS/Firehose", f"DeliveryTo{kind}.Success", d, [1] * n)
    series(c, "AWS/Firehose", f"DeliveryTo{kind}.DataFreshness", d, [40] * n)


def failing(c, name, n=None, rate=300):
    """A Direct PUT stream to S3 that receives records and delivers none."""
    n = n or N
    d = [("DeliveryStreamName", name)]
    series(c, "AWS/Firehose", "IncomingRecords", d, [rate] * n)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", d, [0] * n)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [0] * n)


def invoked(c, rule_name, n=None, rate=300, failed=0, bus="default"):
    """A rule's AWS/Events metrics: RuleName, plus EventBusName on a custom bus (as AWS has
    them)."""
    n = n or N
    d = [("RuleName", rule_name)] + ([("EventBusName", bus)] if bus != "default" else [])
    series(c, "AWS/Events", "MatchedEvents", d, [rate] * n)
    series(c, "AWS/Events", "Invocations", d, [rate] * n)
    if failed:
        series(c, "AWS/Events", "FailedInvocations", d, [failed] * n)


def shapes(c, region):
    """Issue 10's examples, each a pipeline fhtop used to call OK, beside a healthy twin."""
    fh, ev = "firehose.amazonaws.com", "events.amazonaws.com"
    iam_writer(c)
    bucket(c, region, "shapes-lake")
    put = doc(allow("Put", ["firehose:PutRecord", "firehose:PutRecordBatch"],
                    f"arn:aws:firehose:*:{ACCOUNT}:deliverystream/*"))

    # 1. Trust policies. A rule target's role that only Firehose may assume (its permissions
    # are right), and a delivery role that only EventBridge may assume.
    role(c, "firehose-trust-target", fh, {"delivery": delivery_policy("shapes-lake", "trust-target")})
    target = stream(c, region, "trust-target", "shapes-lake")
    role(c, "firehose-trusted-writer", fh, {"put": put})
    role(c, "eventbridge-good-writer", ev, {"put": put})
    rule(c, "default", "trust-mixup", target, pattern={"source": ["acme.trust"]},
         role_name="firehose-trusted-writer")
    invoked(c, "trust-mixup", rate=500, failed=500)
    role(c, "firehose-trust-mirror", ev, {"delivery": delivery_policy("shapes-lake", "trust-mirror")})
    stream(c, region, "trust-mirror", "shapes-lake")
    series(c, "AWS/Firehose", "IncomingRecords", [("DeliveryStreamName", "trust-mirror")], [100] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", [("DeliveryStreamName", "trust-mirror")], [0] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", [("DeliveryStreamName", "trust-mirror")], [0] * N)
    # Healthy twin: the right trust on both sides.
    role(c, "firehose-trust-ok", fh, {"delivery": delivery_policy("shapes-lake", "trust-ok")})
    ok = stream(c, region, "trust-ok", "shapes-lake")
    rule(c, "default", "trust-ok-events", ok, pattern={"source": ["acme.ok"]}, role_name="eventbridge-good-writer")
    invoked(c, "trust-ok-events")
    delivering(c, "trust-ok")

    # 2. An HTTP endpoint destination (Datadog) failing with 403: its S3 backup of the failed
    # data succeeds, which is not delivery.
    def http(name, logging_on=True):
        role(c, f"firehose-{name}", fh, {"delivery": delivery_policy("shapes-lake", name)})
        c["firehose"].create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                             HttpEndpointDestinationConfiguration={
            "EndpointConfiguration": {"Url": "https://aws-kinesis-http-intake.logs.datadoghq.com/v1/input",
                                      "Name": "Datadog"},
            "BufferingHints": {"SizeInMBs": 4, "IntervalInSeconds": 60},
            "CloudWatchLoggingOptions": logging(name),
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}",
            "S3BackupMode": "FailedDataOnly",
            "S3Configuration": {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}",
                                "BucketARN": "arn:aws:s3:::shapes-lake", "Prefix": f"{name}-failed/",
                                "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
                                "CompressionFormat": "GZIP"}})
        log_group(c, name)
        return f"arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}"
    dd = http("dd-http")
    rule(c, "default", "dd-events", dd, pattern={"source": ["acme.dd"]}, role_name="eventbridge-good-writer")
    invoked(c, "dd-events", rate=400)
    d = [("DeliveryStreamName", "dd-http")]
    series(c, "AWS/Firehose", "IncomingRecords", d, [400] * N)
    series(c, "AWS/Firehose", "DeliveryToHttpEndpoint.Records", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToHttpEndpoint.Success", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToHttpEndpoint.DataFreshness", d, [60 * (i + 1) for i in range(N)])
    series(c, "AWS/Firehose", "DeliveryToS3.Records", d, [400] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [1] * N)
    log_lines(c, "dd-http", "HttpEndpoint.DestinationException",
              "The HTTP endpoint returned 403 Forbidden: invalid API key.", 12, region)
    dd_ok = http("dd-http-ok")
    rule(c, "default", "dd-ok-events", dd_ok, pattern={"source": ["acme.ddok"]}, role_name="eventbridge-good-writer")
    invoked(c, "dd-ok-events")
    delivering(c, "dd-http-ok", kind="HttpEndpoint")
    series(c, "AWS/Firehose", "DeliveryToS3.Records", [("DeliveryStreamName", "dd-http-ok")], [0] * N)

    # 3. A Kinesis data stream as source: a rule targets the Kinesis stream, the Firehose
    # stream reads it with a role that has S3 and logs permissions only.
    role(c, "eventbridge-kinesis-writer", ev, {"put": doc(allow(
        "Put", ["kinesis:PutRecord", "kinesis:PutRecords"], f"arn:aws:kinesis:*:{ACCOUNT}:stream/*"))})

    def kinesis_sourced(name, ks, can_read):
        c["kinesis"].create_stream(StreamName=ks, ShardCount=1)
        ks_arn = f"arn:aws:kinesis:{region}:{ACCOUNT}:stream/{ks}"
        pol = {"delivery": delivery_policy("shapes-lake", name)}
        if can_read:
            pol["source"] = doc(allow("Read", ["kinesis:DescribeStream", "kinesis:GetShardIterator",
                                               "kinesis:GetRecords", "kinesis:ListShards"], ks_arn))
        role(c, f"firehose-{name}", fh, pol)
        c["firehose"].create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="KinesisStreamAsSource",
            KinesisStreamSourceConfiguration={"KinesisStreamARN": ks_arn,
                                              "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}"},
            ExtendedS3DestinationConfiguration=lake(name))
        log_group(c, name)
        return ks_arn
    ks = kinesis_sourced("ks-archive", "clicks-ks", can_read=False)
    c["events"].put_rule(Name="clicks-to-kinesis", State="ENABLED", EventBusName="default",
                         EventPattern=json.dumps({"source": ["web.clicks"]}))
    c["events"].put_targets(Rule="clicks-to-kinesis", EventBusName="default", Targets=[{
        "Id": "kinesis", "Arn": ks, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-kinesis-writer"}])
    invoked(c, "clicks-to-kinesis", rate=250)
    series(c, "AWS/Firehose", "DataReadFromKinesisStream.Records", [("DeliveryStreamName", "ks-archive")], [0] * N)
    log_lines(c, "ks-archive", "Kinesis.AccessDenied",
              "Access was denied while trying to read from the Kinesis stream clicks-ks.", 8, region)
    ks_ok = kinesis_sourced("ks-ok", "orders-ks", can_read=True)
    c["events"].put_rule(Name="orders-to-kinesis", State="ENABLED", EventBusName="default",
                         EventPattern=json.dumps({"source": ["acme.orders.ks"]}))
    c["events"].put_targets(Rule="orders-to-kinesis", EventBusName="default", Targets=[{
        "Id": "kinesis", "Arn": ks_ok, "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-kinesis-writer"}])
    invoked(c, "orders-to-kinesis")
    delivering(c, "ks-ok", incoming="DataReadFromKinesisStream.Records")

    # 4. A Lambda processor the delivery role may not invoke: S3 is green (failed records go
    # to the error prefix), ExecuteProcessing.Success is 0.
    def with_lambda(name, can_invoke):
        fn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}-enrich"
        pol = {"delivery": delivery_policy("shapes-lake", name)}
        if can_invoke:
            pol["lambda"] = doc(allow("Invoke", ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], fn))
        role(c, f"firehose-{name}", fh, pol)
        c["firehose"].create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=lake(name, ProcessingConfiguration={
                "Enabled": True, "Processors": [{
                    "Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": fn}]}]}))
        log_group(c, name)
        delivering(c, name)
        return f"arn:aws:firehose:{region}:{ACCOUNT}:deliverystream/{name}"
    with_lambda("lambda-xform", can_invoke=False)
    series(c, "AWS/Firehose", "ExecuteProcessing.Success", [("DeliveryStreamName", "lambda-xform")], [0] * N)
    log_lines(c, "lambda-xform", "Lambda.InvokeAccessDenied",
              "Access was denied. Ensure that the access policy allows access to the Lambda function.", 6, region)
    with_lambda("lambda-ok", can_invoke=True)
    series(c, "AWS/Firehose", "ExecuteProcessing.Success", [("DeliveryStreamName", "lambda-ok")], [1] * N)

    # 6. Resource-side policies beyond the bucket's. A KMS key whose key policy neither trusts
    # the account (IAM) nor names the delivery role: the role's documented KMS statement does
    # not count. Its twin has the default key policy (the account delegates to IAM) and the
    # same statement, conditioned on kms:ViaService and the encryption context: allowed.
    def kms_stream(name, key_policy_principal):
        key = c["kms"].create_key(Description=name, Policy=doc({
            "Sid": "KeyAdmins", "Effect": "Allow", "Principal": {"AWS": key_policy_principal},
            "Action": "kms:*", "Resource": "*"}))["KeyMetadata"]["Arn"]
        kms_stmt = {"Sid": "Encrypt", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": key, "Condition": {
                        "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
                        "StringLike": {"kms:EncryptionContext:aws:s3:arn": f"arn:aws:s3:::shapes-lake/{name}/*"}}}
        role(c, f"firehose-{name}", fh, {
            "delivery": delivery_policy("shapes-lake", name),
            "kms": json.dumps({"Version": "2012-10-17", "Statement": [kms_stmt]})})
        c["firehose"].create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=lake(
                name, EncryptionConfiguration={"KMSEncryptionConfig": {"AWSKMSKeyARN": key}}))
        log_group(c, name)
    kms_stream("kms-closed", f"arn:aws:iam::{ACCOUNT}:role/key-admin")
    failing(c, "kms-closed")
    log_lines(c, "kms-closed", "S3.KMS.AccessDenied",
              "Access was denied to the KMS key of the bucket's objects.", 5, region)
    kms_stream("kms-ok", f"arn:aws:iam::{ACCOUNT}:root")
    delivering(c, "kms-ok")

    # A bucket that takes writes only through one VPC endpoint: Firehose never writes through
    # the customer's endpoint, so its writes are denied.
    bucket(c, region, "shapes-vpce-only")
    c["s3"].put_bucket_policy(Bucket="shapes-vpce-only", Policy=doc({
        "Sid": "OnlyThroughVpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::shapes-vpce-only", "arn:aws:s3:::shapes-vpce-only/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f"}}}))
    role(c, "firehose-vpce-only", fh, {"delivery": delivery_policy("shapes-vpce-only", "vpce-only")})
    stream(c, region, "vpce-only", "shapes-vpce-only")
    failing(c, "vpce-only")

    # A Kinesis source whose stream policy denies the source role what its identity policy
    # allows.
    ks_denied = kinesis_sourced("ks-denied", "denied-ks", can_read=True)
    c["kinesis"].put_resource_policy(ResourceARN=ks_denied, Policy=doc({
        "Sid": "NoFirehose", "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/firehose-ks-denied"},
        "Action": "kinesis:GetRecords", "Resource": ks_denied}))
    series(c, "AWS/Firehose", "DataReadFromKinesisStream.Records", [("DeliveryStreamName", "ks-denied")], [0] * N)
    log_lines(c, "ks-denied", "Kinesis.AccessDenied",
              "Access was denied while trying to read from the Kinesis stream denied-ks.", 4, region)

    # 7. Other destinations with their own metrics: Splunk failing (its backup of the failed
    # events succeeds), Redshift delivering (its staging bucket is S3).
    role(c, "firehose-splunk-hec", fh, {"delivery": delivery_policy("shapes-lake", "splunk-hec")})
    c["firehose"].create_delivery_stream(DeliveryStreamName="splunk-hec", DeliveryStreamType="DirectPut",
                                         SplunkDestinationConfiguration={
        "HECEndpoint": "https://http-inputs-acme.splunkcloud.com:443", "HECEndpointType": "Event",
        "HECToken": "00000000-0000-0000-0000-000000000000", "S3BackupMode": "FailedEventsOnly",
        "S3Configuration": {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-splunk-hec",
                            "BucketARN": "arn:aws:s3:::shapes-lake", "Prefix": "splunk-failed/"},
        "CloudWatchLoggingOptions": logging("splunk-hec")})
    log_group(c, "splunk-hec")
    d = [("DeliveryStreamName", "splunk-hec")]
    series(c, "AWS/Firehose", "IncomingRecords", d, [300] * N)
    series(c, "AWS/Firehose", "DeliveryToSplunk.Records", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToSplunk.Success", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", d, [300] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [1] * N)
    role(c, "firehose-redshift-ok", fh, {"delivery": delivery_policy("shapes-lake", "redshift-ok")})
    c["firehose"].create_delivery_stream(DeliveryStreamName="redshift-ok", DeliveryStreamType="DirectPut",
                                         RedshiftDestinationConfiguration={
        "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-redshift-ok",
        "ClusterJDBCURL": "jdbc:redshift://acme.abc123.eu-west-1.redshift.amazonaws.com:5439/lake",
        "CopyCommand": {"DataTableName": "events"}, "Username": "firehose", "Password": "not-a-secret-1",
        "S3Configuration": {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-redshift-ok",
                            "BucketARN": "arn:aws:s3:::shapes-lake", "Prefix": "redshift-staging/",
                            "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 60}},
        "CloudWatchLoggingOptions": logging("redshift-ok")})
    log_group(c, "redshift-ok")
    delivering(c, "redshift-ok", kind="Redshift")

    # 8. An MSK topic as source whose role may not read it. moto keeps no MSK source
    # description: the test presents it.
    role(c, "firehose-msk-archive", fh, {"delivery": delivery_policy("shapes-lake", "msk-archive")})
    cluster = f"arn:aws:kafka:{region}:{ACCOUNT}:cluster/orders/5f0c1c1e-2b9a-4c57-9d1e-0a6b3c2d4e5f-1"
    c["firehose"].create_delivery_stream(
        DeliveryStreamName="msk-archive", DeliveryStreamType="MSKAsSource",
        MSKSourceConfiguration={"MSKClusterARN": cluster, "TopicName": "orders", "AuthenticationConfiguration": {
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-msk-archive", "Connectivity": "PRIVATE"}},
        ExtendedS3DestinationConfiguration={
            "RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-msk-archive",
            "BucketARN": "arn:aws:s3:::shapes-lake", "Prefix": "msk-archive/",
            "ErrorOutputPrefix": "errors/msk-archive/", "CompressionFormat": "GZIP",
            "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60}})
    series(c, "AWS/Firehose", "DataReadFromSource.Records", [("DeliveryStreamName", "msk-archive")], [0] * N)

    # A stream whose bucket was deleted.
    role(c, "firehose-ghost-bucket", fh, {"delivery": delivery_policy("shapes-gone", "ghost-bucket")})
    stream(c, region, "ghost-bucket", "shapes-gone", logging=False)
    failing(c, "ghost-bucket")

    # 5. A stream whose destination fhtop does not know: the harness presents its
    # description with no destination block it recognises.
    role(c, "firehose-mystery", fh, {"delivery": delivery_policy("shapes-lake", "mystery")})
    stream(c, region, "mystery", "shapes-lake", logging=False)
    delivering(c, "mystery")

# Two generated names of 64 characters that share a 58-character prefix (issue 11).
LONG_PREFIX = "streamalert-data-classifier-security-prd-eu-west-1-ingest-"
LONG_FAILING = LONG_PREFIX + "9f3a1c"
LONG_HEALTHY = LONG_PREFIX + "b07e42"


def partial(c, region):
    """Three buses, each with a pipeline: what must stay visible when one bus cannot be read
    (issue 11). default: mgmt-events (state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS) →
    the healthy long-named stream; orders-bus: order-events → orders-archive (healthy);
    audit-bus: audit-capture → the failing long-named stream (arriving, none delivered)."""
    assert len(LONG_FAILING) == 64 and len(LONG_HEALTHY) == 64
    iam_writer(c)
    bucket(c, region, "partial-lake")
    fh = "firehose.amazonaws.com"
    arns = {}
    for name in (LONG_FAILING, LONG_HEALTHY, "orders-archive"):
        role(c, f"firehose-{name}"[:64], fh, {"delivery": delivery_policy("partial-lake", name)})
        log_group(c, name)
        arns[name] = c["firehose"].create_delivery_stream(
            DeliveryStreamName=name, DeliveryStreamType="DirectPut",
            ExtendedS3DestinationConfiguration=lake(name, "partial-lake"))["DeliveryStreamARN"]
    c["events"].create_event_bus(Name="orders-bus")
    c["events"].create_event_bus(Name="audit-bus")
    rule(c, "default", "mgmt-events", arns[LONG_HEALTHY], state="ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS",
         pattern={"source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"]})
    rule(c, "orders-bus", "order-events", arns["orders-archive"], pattern={"source": ["acme.orders"]})
    rule(c, "audit-bus", "audit-capture", arns[LONG_FAILING], pattern={"source": ["acme.audit"]})
    delivering(c, LONG_HEALTHY)
    delivering(c, "orders-archive")
    failing(c, LONG_FAILING)
    for bus, r in (("default", "mgmt-events"), ("orders-bus", "order-events"), ("audit-bus", "audit-capture")):
        invoked(c, r, bus=bus)
    log_lines(c, LONG_FAILING, "S3.AccessDenied", "Access was denied.", 5, region)


def patterns(c, region):
    """A rule whose pattern is subtly wrong (amount compared as a number; the shop sends it as a
    string) next to a catch-all logging rule on the same bus that logged real-looking events
    (issue 13)."""
    iam_writer(c)
    bucket(c, region, "shop-lake")
    role(c, "firehose-shop-orders", "firehose.amazonaws.com",
         {"delivery": delivery_policy("shop-lake", "shop-orders")})
    log_group(c, "shop-orders")
    arn = c["firehose"].create_delivery_stream(
        DeliveryStreamName="shop-orders", DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration=lake("shop-orders", "shop-lake"))["DeliveryStreamARN"]
    c["events"].create_event_bus(Name="shop-bus")
    rule(c, "shop-bus", "order-paid", arn, pattern={
        "source": ["shop.orders"], "detail-type": ["Order Paid"],
        "detail": {"amount": [{"numeric": [">", 0]}]}})
    group = "/aws/events/shop-log"
    c["events"].put_rule(Name="shop-log", EventBusName="shop-bus", State="ENABLED",
                         EventPattern=json.dumps({"source": [{"prefix": ""}]}))
    c["events"].put_targets(Rule="shop-log", EventBusName="shop-bus", Targets=[{
        "Id": "log", "Arn": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{group}"}])
    c["logs"].create_log_group(logGroupName=group)
    c["logs"].create_log_stream(logGroupName=group, logStreamName="events")
    ts = int(NOW.timestamp() * 1000)
    events = []
    for i in range(6):
        kind = "Order Paid" if i % 2 == 0 else "Order Placed"
        events.append({"timestamp": ts - 600_000 + i * 60_000, "message": json.dumps({
            "version": "0", "id": f"7c0e1b2a-{i:04d}", "detail-type": kind, "source": "shop.orders",
            "account": ACCOUNT, "time": NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "region": region,
            "resources": [], "detail": {"orderId": f"o-{1000 + i}", "amount": f"{12 + i}.50",
                                        "currency": "EUR"}})})
    c["logs"].put_log_events(logGroupName=group, logStreamName="events", logEvents=events)
    delivering(c, "shop-orders")


def error_doc(code, message, data, at_ms, capital=False):
    """One error-output document as Firehose writes it (rawData base64)."""
    import base64
    k_code, k_msg = ("ErrorCode", "ErrorMessage") if capital else ("errorCode", "errorMessage")
    return json.dumps({"attemptsMade": 1, "arrivalTimestamp": at_ms, k_code: code, k_msg: message,
                       "attemptEndingTimestamp": at_ms + 2000,
                       "rawData": base64.b64encode(data).decode()})


def failed(c, region):
    """Issue 14: failed records in S3 error output. `orders-partitioned` (dynamic partitioning,
    ErrorOutputPrefix errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/) has today:
    a gzip object under partitioning-failed/ (a non-JSON record, a record without its key), two
    plain ones under processing-failed/ (Lambda.FunctionError with terminal escapes and with
    bytes that are not UTF-8; Lambda.ProcessingFailedStatus with a 1 MB record); an object of
    2020 and a delivered object that are not failed records of the window. `plain-defaults`
    sets no ErrorOutputPrefix: one object under Firehose's default
    plain/processing-failed/yyyy/MM/dd/HH/."""
    import gzip
    bucket(c, region, "failed-lake")
    log_group(c, "orders-partitioned")
    dp = lake("orders-partitioned", "failed-lake",
              Prefix="orders/!{partitionKeyFromQuery:region}/!{partitionKeyFromQuery:tier}/!{timestamp:yyyy}/",
              ErrorOutputPrefix="errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
              DynamicPartitioningConfiguration={"Enabled": True, "RetryOptions": {"DurationInSeconds": 300}},
              ProcessingConfiguration={"Enabled": True, "Processors": [{
                  "Type": "MetadataExtraction",
                  "Parameters": [{"ParameterName": "MetadataExtractionQuery",
                                  "ParameterValue": "{region: .detail.region, tier: .detail.customer.tier}"},
                                 {"ParameterName": "JsonParsingEngine", "ParameterValue": "JQ-1.6"}]}]})
    c["firehose"].create_delivery_stream(DeliveryStreamName="orders-partitioned", DeliveryStreamType="DirectPut",
                                         ExtendedS3DestinationConfiguration=dp)
    log_group(c, "plain-defaults")
    plain = lake("plain-defaults", "failed-lake", Prefix="plain/")
    del plain["ErrorOutputPrefix"]
    c["firehose"].create_delivery_stream(DeliveryStreamName="plain-defaults", DeliveryStreamType="DirectPut",
                                         ExtendedS3DestinationConfiguration=plain)
    ms = int(NOW.timestamp() * 1000)
    day = NOW.strftime("%Y/%m/%d")
    stamp = NOW.strftime("%Y-%m-%d-%H-%M-%S")
    put = lambda key, body: c["s3"].put_object(Bucket="failed-lake", Key=key, Body=body)
    code = "DynamicPartitioning.MetadataExtractionFailed"
    put(f"errors/partitioning-failed/{day}/orders-partitioned-1-{stamp}-a.gz", gzip.compress("\n".join([
        error_doc(code, "Non JSON record provided", b"order_id=o-1,region=eu-west-1", ms - 60_000),
        error_doc(code, "partitionKeyFromQuery tier: null", json.dumps(
            {"detail": {"region": "eu-west-1", "customer": {"id": "c-7"}}}).encode(), ms - 59_000),
    ]).encode()))
    put(f"errors/processing-failed/{day}/orders-partitioned-1-{stamp}-b", "".join([
        error_doc("Lambda.FunctionError", "The Lambda function was invoked but returned an error.",
                  "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\u009b31m".encode(), ms - 30_000),
        error_doc("Lambda.FunctionError", "The Lambda function was invoked but returned an error.",
                  b"\xff\xfe\x00\x01binary", ms - 29_000),
    ]).encode())
    put(f"errors/processing-failed/{day}/orders-partitioned-1-{stamp}-c", error_doc(
        "Lambda.ProcessingFailedStatus", "ProcessingFailed status returned by the function",
        json.dumps({"blob": "A" * (1 << 20)}).encode(), ms - 10_000).encode())
    put("errors/partitioning-failed/2020/01/01/orders-partitioned-1-2020-01-01-00-00-00-old",
        error_doc(code, "old", b"{}", 1577836800000).encode())
    put(f"orders/eu-west-1/gold/{NOW.year}/orders-partitioned-1-{stamp}-ok", b'{"ok":true}')
    # Since when (the timeline): delivery turned to 0 five minutes ago after the stream's
    # configuration changed (version 2), and the success alarm went OK → ALARM.
    d = [("DeliveryStreamName", "orders-partitioned")]
    series(c, "AWS/Firehose", "IncomingRecords", d, [200] * 10)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", d, [200] * 5 + [0] * 5)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [1] * 5 + [0] * 5)
    desc = c["firehose"].describe_delivery_stream(DeliveryStreamName="orders-partitioned")["DeliveryStreamDescription"]
    c["firehose"].update_destination(
        DeliveryStreamName="orders-partitioned", CurrentDeliveryStreamVersionId=desc["VersionId"],
        DestinationId=desc["Destinations"][0]["DestinationId"],
        ExtendedS3DestinationUpdate={"BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 300}})
    c["cloudwatch"].put_metric_alarm(
        AlarmName="orders-partitioned-success", Namespace="AWS/Firehose", MetricName="DeliveryToS3.Success",
        Dimensions=[{"Name": "DeliveryStreamName", "Value": "orders-partitioned"}],
        Statistic="Minimum", Period=300, EvaluationPeriods=3, Threshold=1.0, ComparisonOperator="LessThanThreshold")
    c["cloudwatch"].set_alarm_state(AlarmName="orders-partitioned-success", StateValue="ALARM",
                                    StateReason="Threshold Crossed: 3 datapoints [0.0, 0.0, 0.0] were less than the threshold (1.0).")
    put(f"plain/processing-failed/{NOW.strftime('%Y/%m/%d/%H')}/plain-defaults-1-{stamp}-d", error_doc(
        "Lambda.InvokeAccessDenied", "Access was denied. Ensure that the access policy allows access to the Lambda function.",
        b'{"id":1}', ms - 5_000).encode())


def verdicts(c, region):
    """Issue 25's examples: what each metric means by AWS's definition, and the stream's own
    timing, each beside a twin that must stay OK."""
    fh = "firehose.amazonaws.com"
    iam_writer(c)
    bucket(c, region, "verdicts-lake")
    sqs = boto3.client("sqs", endpoint_url=c["events"].meta.endpoint_url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")

    def dlq(name, rule_name, open_to_events):
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = f"arn:aws:sqs:{region}:{ACCOUNT}:{name}"
        if open_to_events:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": doc({
                "Sid": "EventBridgeDeadLetters", "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": arn,
                "Condition": {"ArnEquals": {"aws:SourceArn":
                                            f"arn:aws:events:{region}:{ACCOUNT}:rule/{rule_name}"}}})})
        return arn

    def feeding(rule_name, stream_name, queue=None, target_arn=None, queue_open=True):
        role(c, f"firehose-{stream_name}", fh, {"delivery": delivery_policy("verdicts-lake", stream_name)})
        arn = stream(c, region, stream_name, "verdicts-lake")
        delivering(c, stream_name)
        c["events"].put_rule(Name=rule_name, EventBusName="default", State="ENABLED",
                             EventPattern=json.dumps({"source": [f"acme.{rule_name}"]}))
        t = {"Id": "firehose", "Arn": target_arn or arn,
             "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}
        if queue:
            t["DeadLetterConfig"] = {"Arn": dlq(queue, rule_name, queue_open)}
        c["events"].put_targets(Rule=rule_name, EventBusName="default", Targets=[t])

    def events(rule_name, **metrics):
        d = [("RuleName", rule_name)]
        for metric, per_minute in metrics.items():
            series(c, "AWS/Events", metric, d, [per_minute] * N)

    # 1. A third of the events go to the dead-letter queue (InvocationsSentToDlq): not OK.
    feeding("dlq-third", "v-dlq-third", queue="dlq-third-dlq")
    events("dlq-third", MatchedEvents=300, Invocations=300, FailedInvocations=100, InvocationsSentToDlq=100)
    # ... its twin has the same queue and nothing in it.
    feeding("dlq-quiet", "v-dlq-quiet", queue="dlq-quiet-dlq")
    events("dlq-quiet", MatchedEvents=300, Invocations=300)
    # 2. The dead-letter queue refuses them (InvocationsFailedToBeSentToDlq): events lost.
    # ... its queue has no policy: EventBridge may not send to it (perms says so too).
    feeding("dlq-refused", "v-dlq-refused", queue="dlq-refused-dlq", queue_open=False)
    events("dlq-refused", MatchedEvents=300, Invocations=300, FailedInvocations=30,
           InvocationsFailedToBeSentToDlq=30)
    # 3. Failing with no dead-letter queue: dropped.
    feeding("no-dlq", "v-no-dlq")
    events("no-dlq", MatchedEvents=300, Invocations=300, FailedInvocations=20)
    # 3b. The same drops while the stream throttles EventBridge's writes: one cause (its twin
    # is no-dlq above, whose stream does not throttle).
    feeding("throttled", "v-throttled")
    events("throttled", MatchedEvents=300, Invocations=300, FailedInvocations=40)
    series(c, "AWS/Firehose", "ThrottledRecords", [("DeliveryStreamName", "v-throttled")], [2400] * N)
    # 4. DeadLetterInvocations: targets not invoked (a loop), not a queue.
    feeding("loop", "v-loop")
    events("loop", MatchedEvents=300, Invocations=295, DeadLetterInvocations=5)

    # 5. Apache Iceberg: 40 % of the rows fail; DeliveryToIceberg.Success counts commits.
    for name, failed in (("v-iceberg", 120), ("v-iceberg-ok", 0)):
        role(c, f"firehose-{name}", fh, {"delivery": delivery_policy("verdicts-lake", name)})
        stream(c, region, name, "verdicts-lake")
        d = [("DeliveryStreamName", name)]
        series(c, "AWS/Firehose", "IncomingRecords", d, [300] * N)
        series(c, "AWS/Firehose", "DeliveryToIceberg.SuccessfulRowCount", d, [300 - failed] * N)
        series(c, "AWS/Firehose", "DeliveryToIceberg.FailedRowCount", d, [failed] * N)
        series(c, "AWS/Firehose", "DeliveryToIceberg.Success", d, [3] * N)
        series(c, "AWS/Firehose", "DeliveryToIceberg.DataFreshness", d, [45] * N)

    # 6. A low-traffic stream with a 900 s buffer delivers once in 15 minutes: healthy. Its
    # twin has not delivered for 25 minutes while records arrive: failing.
    for name, delivered_at in (("v-slow", 12), ("v-slow-stuck", None)):
        role(c, f"firehose-{name}", fh, {"delivery": delivery_policy("verdicts-lake", name)})
        stream(c, region, name, "verdicts-lake", interval=900)
        d = [("DeliveryStreamName", name)]
        n = 25
        series(c, "AWS/Firehose", "IncomingRecords", d, [2] * n)
        records = [0] * n
        if delivered_at is not None:
            records[n - 1 - delivered_at] = 30
        series(c, "AWS/Firehose", "DeliveryToS3.Records", d, records)
        series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [1] * n)
        series(c, "AWS/Firehose", "DeliveryToS3.DataFreshness", d,
               [600] * n if delivered_at is not None else [60 * (i + 1) for i in range(n)])

    # 8. A stream whose KMS key is Disabled: every policy allows, KMS refuses. Its twin's key
    # is Enabled.
    for name, enabled in (("v-key-off", False), ("v-key-on", True)):
        meta = c["kms"].create_key(Description=name, Policy=doc({
            "Sid": "EnableIam", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": "kms:*", "Resource": "*"}))["KeyMetadata"]
        key = meta["Arn"]
        if not enabled:
            c["kms"].disable_key(KeyId=meta["KeyId"])
        kms_stmt = {"Sid": "Encrypt", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                    "Resource": key}
        role(c, f"firehose-{name}", fh, {
            "delivery": delivery_policy("verdicts-lake", name),
            "kms": json.dumps({"Version": "2012-10-17", "Statement": [kms_stmt]})})
        cfg = {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}",
               "BucketARN": "arn:aws:s3:::verdicts-lake", "Prefix": f"{name}/",
               "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60},
               "CompressionFormat": "GZIP",
               "EncryptionConfiguration": {"KMSEncryptionConfig": {"AWSKMSKeyARN": key}},
               "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": f"/aws/kinesisfirehose/{name}",
                                            "LogStreamName": "DestinationDelivery"}}
        c["firehose"].create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                             ExtendedS3DestinationConfiguration=cfg)
        delivering(c, name)

    # 9. Error logging off: no evidence either way (its twin, every other stream, logs).
    role(c, "firehose-v-no-log", fh, {"delivery": delivery_policy("verdicts-lake", "v-no-log")})
    stream(c, region, "v-no-log", "verdicts-lake", logging=False)
    delivering(c, "v-no-log")

    # 10. `perms custom` with the context the asker gives: a role allowed only from 10/8.
    role(c, "v-ip-role", fh, {"ip": doc({
        "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::verdicts-lake/*",
        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})})

    # 11. A bucket that accepts only SSE-KMS uploads: the stream without encryption is denied
    # (the fix gives the stream the encryption, never removes the bucket's Deny); its twin
    # writes with a key.
    bucket(c, region, "verdicts-sse")
    c["s3"].put_bucket_policy(Bucket="verdicts-sse", Policy=doc({
        "Sid": "DenyUnencrypted", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::verdicts-sse/*",
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}))
    sse_key = c["kms"].create_key(Description="verdicts-sse", Policy=doc({
        "Sid": "EnableIam", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": "kms:*", "Resource": "*"}))["KeyMetadata"]["Arn"]
    for name, key in (("v-sse-plain", None), ("v-sse-kms", sse_key)):
        policies = {"delivery": delivery_policy("verdicts-sse", name)}
        if key:
            policies["kms"] = json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": key}]})
        role(c, f"firehose-{name}", fh, policies)
        cfg = {"RoleARN": f"arn:aws:iam::{ACCOUNT}:role/firehose-{name}",
               "BucketARN": "arn:aws:s3:::verdicts-sse", "Prefix": f"{name}/",
               "BufferingHints": {"SizeInMBs": 64, "IntervalInSeconds": 60}, "CompressionFormat": "GZIP",
               "EncryptionConfiguration": ({"KMSEncryptionConfig": {"AWSKMSKeyARN": key}} if key
                                           else {"NoEncryptionConfig": "NoEncryption"}),
               "CloudWatchLoggingOptions": {"Enabled": True, "LogGroupName": f"/aws/kinesisfirehose/{name}",
                                            "LogStreamName": "DestinationDelivery"}}
        c["firehose"].create_delivery_stream(DeliveryStreamName=name, DeliveryStreamType="DirectPut",
                                             ExtendedS3DestinationConfiguration=cfg)
        delivering(c, name)

    # 12. Conditions on the time of the request: decided, since every request carries it.
    role(c, "v-time-role", fh, {"time": json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::verdicts-lake/*",
         "Condition": {"DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::verdicts-lake/*",
         "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"}}}]})})

    # 13. Producers in other accounts, named by the rules' patterns: the bus "partners" lets
    # 111111111111 in (its senders' own policies are not readable: undetermined) and denies
    # 222222222222; the bus "closed" has no policy, so 333333333333 cannot put events on it.
    role(c, "firehose-v-partner", fh, {"delivery": delivery_policy("verdicts-lake", "v-partner")})
    partner_stream = stream(c, region, "v-partner", "verdicts-lake")
    bus_arn = f"arn:aws:events:{region}:{ACCOUNT}:event-bus/partners"
    c["events"].create_event_bus(Name="partners")
    c["events"].put_permission(EventBusName="partners", Policy=doc(
        {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
         "Action": "events:PutEvents", "Resource": bus_arn},
        {"Sid": "NotThem", "Effect": "Deny", "Principal": {"AWS": "222222222222"},
         "Action": "events:PutEvents", "Resource": bus_arn}))
    c["events"].create_event_bus(Name="closed")
    for bus, rule_name, account in (("partners", "from-partner", "111111111111"),
                                    ("partners", "from-refused", "222222222222"),
                                    ("closed", "from-closed", "333333333333")):
        c["events"].put_rule(Name=rule_name, EventBusName=bus, State="ENABLED",
                             EventPattern=json.dumps({"account": [account], "source": ["acme.orders"]}))
        c["events"].put_targets(Rule=rule_name, EventBusName=bus, Targets=[{
            "Id": "firehose", "Arn": partner_stream,
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}])

    # 14. A delivery role allowed only with its tag team=data (aws:PrincipalTag): decided
    # from the role's tags, not undetermined. Its twin is tagged team=ops: denied.
    for name, team in (("v-tag-data", "data"), ("v-tag-ops", "ops")):
        body = json.loads(delivery_policy("verdicts-lake", name))
        for st in body["Statement"]:
            st["Condition"] = {"StringEquals": {"aws:PrincipalTag/team": "data"}}
        role(c, f"firehose-{name}", fh, {"delivery": json.dumps(body)})
        c["iam"].tag_role(RoleName=f"firehose-{name}", Tags=[{"Key": "team", "Value": team}])
        stream(c, region, name, "verdicts-lake")

    # 15. A delivery role allowed only on buckets tagged team=data (aws:ResourceTag), writing to
    # a bucket tagged so whose ABAC is disabled (S3's default): S3 does not compare the tag, the
    # condition fails, Firehose is denied. The test presents the bucket with ABAC enabled for the
    # twin: then fhtop does not evaluate the tag (undetermined).
    bucket(c, region, "verdicts-tagged")
    c["s3"].put_bucket_tagging(Bucket="verdicts-tagged",
                               Tagging={"TagSet": [{"Key": "team", "Value": "data"}]})
    body = json.loads(delivery_policy("verdicts-tagged", "v-bucket-tag"))
    for st in body["Statement"]:
        if st["Sid"] == "S3Delivery":
            st["Condition"] = {"StringEquals": {"aws:ResourceTag/team": "data"}}
    role(c, "firehose-v-bucket-tag", fh, {"delivery": json.dumps(body)})
    stream(c, region, "v-bucket-tag", "verdicts-tagged")

    # 7. A rule whose target is a stream of the same name in another account: not the local
    # one (which fails), and not read from here.
    role(c, "firehose-v-shared", fh, {"delivery": delivery_policy("verdicts-lake", "v-shared")})
    stream(c, region, "v-shared", "verdicts-lake")
    failing(c, "v-shared")
    c["events"].put_rule(Name="to-partner", EventBusName="default", State="ENABLED",
                         EventPattern=json.dumps({"source": ["acme.partner"]}))
    c["events"].put_targets(Rule="to-partner", EventBusName="default", Targets=[{
        "Id": "partner", "Arn": f"arn:aws:firehose:{region}:210987654321:deliverystream/v-shared",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}])
    events("to-partner", MatchedEvents=50, Invocations=50)


def losses(c, region):
    """Issue 26: every place a failure goes, with what the ledger must count. Metrics over the
    last N minutes; the queue holds 7 real messages, its oldest an hour old (retention 1 day);
    the error output holds 3 objects of processing-failed records written now."""
    fh = "firehose.amazonaws.com"
    iam_writer(c)
    bucket(c, region, "losses-lake")
    sqs = boto3.client("sqs", endpoint_url=c["events"].meta.endpoint_url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")

    def pipeline(rule_name, stream_name, queue=None, retention=None, open_queue=True):
        role(c, f"firehose-{stream_name}", fh, {"delivery": delivery_policy("losses-lake", stream_name)})
        arn = stream(c, region, stream_name, "losses-lake")
        c["events"].put_rule(Name=rule_name, EventBusName="default", State="ENABLED",
                             EventPattern=json.dumps({"source": [f"acme.{rule_name}"]}))
        t = {"Id": "firehose", "Arn": arn,
             "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}
        if queue:
            attrs = {"MessageRetentionPeriod": str(retention)} if retention else {}
            url = sqs.create_queue(QueueName=queue, Attributes=attrs)["QueueUrl"]
            qarn = f"arn:aws:sqs:{region}:{ACCOUNT}:{queue}"
            if open_queue:
                sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": doc({
                    "Sid": "EventBridgeDeadLetters", "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                    "Resource": qarn})})
            t["DeadLetterConfig"] = {"Arn": qarn}
        c["events"].put_targets(Rule=rule_name, EventBusName="default", Targets=[t])
        return url if queue else None

    def events(rule_name, **metrics):
        for metric, per_minute in metrics.items():
            series(c, "AWS/Events", metric, [("RuleName", rule_name)], [per_minute] * N)

    # 1. No dead-letter queue: 4 a minute fail for good and are dropped (lost: 4 × N).
    pipeline("l-no-dlq", "l-no-dlq")
    delivering(c, "l-no-dlq")
    events("l-no-dlq", MatchedEvents=100, Invocations=100, FailedInvocations=4)
    # 2. The queue refuses them (no policy): 3 a minute lost.
    pipeline("l-refused", "l-refused", queue="l-refused-dlq", open_queue=False)
    delivering(c, "l-refused")
    events("l-refused", MatchedEvents=100, Invocations=100, FailedInvocations=3,
           InvocationsFailedToBeSentToDlq=3)
    # 3. They wait in the queue: 7 messages (what EventBridge writes: the event, with its
    # error attributes), the oldest an hour old, kept a day.
    url = pipeline("l-dlq", "l-dlq", queue="l-dlq-dlq", retention=86400)
    delivering(c, "l-dlq")
    events("l-dlq", MatchedEvents=100, Invocations=100, FailedInvocations=1, InvocationsSentToDlq=1)
    for i in range(7):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
            "version": "0", "id": f"evt-{i}", "detail-type": "Order", "source": "acme.l-dlq",
            "account": ACCOUNT, "time": NOW.isoformat(), "region": region, "resources": [],
            "detail": {"n": i}}),
            MessageAttributes={"ERROR_CODE": {"DataType": "String", "StringValue": "ThrottlingException"}})
    series(c, "AWS/SQS", "ApproximateAgeOfOldestMessage", [("QueueName", "l-dlq-dlq")], [3600] * 3)
    # 4. Records held: the oldest undelivered for an hour (lost in 23 h), none delivered.
    role(c, "firehose-l-stuck", fh, {"delivery": delivery_policy("losses-lake", "l-stuck")})
    stream(c, region, "l-stuck", "losses-lake")
    d = [("DeliveryStreamName", "l-stuck")]
    series(c, "AWS/Firehose", "IncomingRecords", d, [10] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Records", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.Success", d, [0] * N)
    series(c, "AWS/Firehose", "DeliveryToS3.DataFreshness", d, [3600 - 60 * (N - 1 - i) for i in range(N)])
    # 5. Processing failures kept in the error output (ErrorOutputPrefix errors/l-errors/, to
    # which Firehose adds the hour): 3 objects this hour.
    role(c, "firehose-l-errors", fh, {"delivery": delivery_policy("losses-lake", "l-errors")})
    stream(c, region, "l-errors", "losses-lake")
    delivering(c, "l-errors")
    hour = NOW.strftime("%Y/%m/%d/%H")
    for i in range(3):
        c["s3"].put_object(Bucket="losses-lake", Key=f"errors/l-errors/{hour}/l-errors-1-{i}",
                           Body=error_doc("Lambda.FunctionError", "boom", f"record {i}".encode(),
                                          int(NOW.timestamp() * 1000)).encode())
    # The healthy twin: a rule with a quiet queue, a stream that delivers.
    pipeline("l-healthy", "l-healthy", queue="l-healthy-dlq")
    delivering(c, "l-healthy")
    events("l-healthy", MatchedEvents=100, Invocations=100)


def recover(c, region):
    """Issue 26: failed records to send back, each a unique line, so a test can count what
    arrived and that nothing arrived twice."""
    import gzip
    fh = "firehose.amazonaws.com"
    bucket(c, region, "recover-lake")
    at = int(NOW.timestamp() * 1000)
    hour = NOW.strftime("%Y/%m/%d/%H")
    role(c, "firehose-r-orders", fh, {"delivery": delivery_policy("recover-lake", "r-orders")})
    stream(c, region, "r-orders", "recover-lake")
    for o in range(3):
        body = "".join(error_doc("Lambda.FunctionError", "boom", f"rec-{o}-{i}\n".encode(), at)
                       for i in range(40)).encode()
        if o == 1:
            body = gzip.compress(body)
        c["s3"].put_object(Bucket="recover-lake", Key=f"errors/r-orders/{hour}/r-orders-1-{o}", Body=body)
    role(c, "firehose-r-parts", fh, {"delivery": delivery_policy("recover-lake", "r-parts")})
    stream(c, region, "r-parts", "recover-lake", dynamic=True)
    docs = []
    for i in range(20):
        detail = {"n": i, "region": "eu"} if i % 2 == 0 else {"n": i}
        docs.append(error_doc("DynamicPartitioning.MetadataExtractionFailed", "no key",
                              json.dumps({"detail": detail}).encode() + b"\n", at))
    c["s3"].put_object(Bucket="recover-lake", Key=f"errors/r-parts/{hour}/r-parts-1-0",
                       Body="".join(docs).encode())
    # A dead-letter queue to redrive: 30 events of r-dlq-rule (as EventBridge writes them: the
    # event as the body, why in attributes) and 2 of another rule sharing the queue.
    sqs = boto3.client("sqs", endpoint_url=c["events"].meta.endpoint_url, region_name=region,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    role(c, "firehose-r-dlq", fh, {"delivery": delivery_policy("recover-lake", "r-dlq")})
    dlq_stream = stream(c, region, "r-dlq", "recover-lake")
    url = sqs.create_queue(QueueName="r-dlq-dlq")["QueueUrl"]
    qarn = f"arn:aws:sqs:{region}:{ACCOUNT}:r-dlq-dlq"
    rule_arn = c["events"].put_rule(Name="r-dlq-rule", EventBusName="default", State="ENABLED",
                                    EventPattern=json.dumps({"source": ["acme.orders"]}))["RuleArn"]
    c["events"].put_targets(Rule="r-dlq-rule", EventBusName="default", Targets=[{
        "Id": "lake", "Arn": dlq_stream, "DeadLetterConfig": {"Arn": qarn},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}])

    def dead_letter(i, rule=rule_arn, target=dlq_stream):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({
            "version": "0", "id": f"evt-{i}", "detail-type": "Order", "source": "acme.orders",
            "account": ACCOUNT, "time": NOW.isoformat(), "region": region, "resources": [],
            "detail": {"n": i}}), MessageAttributes={
            k: {"DataType": "String", "StringValue": v} for k, v in {
                "RULE_ARN": rule, "TARGET_ARN": target, "ERROR_CODE": "ThrottlingException",
                "ERROR_MESSAGE": "Rate exceeded", "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts",
                "RETRY_ATTEMPTS": "185"}.items()})
    for i in range(30):
        dead_letter(i)
    for i in range(2):
        dead_letter(100 + i, rule=f"arn:aws:events:{region}:{ACCOUNT}:rule/other", target="arn:other")
    # A target with an input transformer: its records cannot be computed, the redrive refuses.
    xq = sqs.create_queue(QueueName="r-xform-dlq")["QueueUrl"]
    c["events"].put_rule(Name="r-xform", EventBusName="default", State="ENABLED",
                         EventPattern=json.dumps({"source": ["acme.x"]}))
    c["events"].put_targets(Rule="r-xform", EventBusName="default", Targets=[{
        "Id": "lake", "Arn": dlq_stream,
        "DeadLetterConfig": {"Arn": f"arn:aws:sqs:{region}:{ACCOUNT}:r-xform-dlq"},
        "InputTransformer": {"InputPathsMap": {"n": "$.detail.n"}, "InputTemplate": '{"n": <n>}'},
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/eventbridge-firehose-writer"}])
    sqs.send_message(QueueUrl=xq, MessageBody="{}")

    # A replay: an archive of the default bus (every event), then 5 events of r-replay, which
    # delivers to a queue — moto cannot deliver events to a Firehose target, so the replay is
    # seen there; the queue is drained, as if those deliveries were the ones lost.
    c["events"].create_archive(ArchiveName="default-all", EventSourceArn=f"arn:aws:events:{region}:{ACCOUNT}:event-bus/default")
    rq = sqs.create_queue(QueueName="r-replay-q")["QueueUrl"]
    c["events"].put_rule(Name="r-replay", EventBusName="default", State="ENABLED",
                         EventPattern=json.dumps({"source": ["acme.replay"]}))
    c["events"].put_targets(Rule="r-replay", EventBusName="default", Targets=[
        {"Id": "audit", "Arn": f"arn:aws:sqs:{region}:{ACCOUNT}:r-replay-q"}])
    c["events"].put_events(Entries=[{"Source": "acme.replay", "DetailType": "Order",
                                     "Detail": json.dumps({"n": i}), "EventBusName": "default"} for i in range(5)])
    drain(sqs, rq)
    # A rule that still fails: its replay is refused.
    c["events"].put_rule(Name="r-replay-failing", EventBusName="default", State="ENABLED",
                         EventPattern=json.dumps({"source": ["acme.replay"]}))
    series(c, "AWS/Events", "FailedInvocations", [("RuleName", "r-replay-failing")], [2] * 5)
    # A rule feeding a stream that failed 30 to 21 minutes ago and not since: the ledger finds
    # its window in the archive (the test presents the archive as older than moto made it),
    # and the TUI's `A` replays it.
    role(c, "firehose-r-replayed", fh, {"delivery": delivery_policy("recover-lake", "r-replayed")})
    replayed = stream(c, region, "r-replayed", "recover-lake")
    rule(c, "default", "r-replay-fh", replayed, pattern={"source": ["acme.replay-fh"]})
    series(c, "AWS/Events", "FailedInvocations", [("RuleName", "r-replay-fh")], [3] * 10 + [0] * 20)
    # A rule on a bus without an archive: no replay.
    c["events"].create_event_bus(Name="no-archive")
    c["events"].put_rule(Name="r-unarchived", EventBusName="no-archive", State="ENABLED",
                         EventPattern=json.dumps({"source": ["acme.replay"]}))

    # The bench's stream (benches/recover.sh): RECOVER_BENCH_RECORDS failed records of about
    # 200 bytes, 1,000 an object, gzip like Firehose's.
    n = int(os.environ.get("RECOVER_BENCH_RECORDS", "0"))
    if n:
        role(c, "firehose-r-bench", fh, {"delivery": delivery_policy("recover-lake", "r-bench")})
        stream(c, region, "r-bench", "recover-lake", logging=False)
        pad = "x" * 160
        for o in range(0, n, 1000):
            body = "".join(error_doc("Lambda.FunctionError", "boom",
                                     f'{{"n":{i},"pad":"{pad}"}}\n'.encode(), at)
                           for i in range(o, min(n, o + 1000))).encode()
            c["s3"].put_object(Bucket="recover-lake", Key=f"errors/r-bench/{hour}/r-bench-1-{o:07d}",
                               Body=gzip.compress(body))


def drain(sqs, url):
    """Receives and deletes every message of the queue at `url`; returns how many there were."""
    n = 0
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return n
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        n += len(got)


def recover_replace(c, region):
    """After `recover`: r-orders' second error object overwritten with 40 other records (a new
    ETag under the same key) — what a recovery that already sent part of it must not mix."""
    at = int(NOW.timestamp() * 1000)
    keys = [o["Key"] for o in c["s3"].list_objects_v2(Bucket="recover-lake", Prefix="errors/r-orders/")
            .get("Contents", []) if o["Key"].endswith("r-orders-1-1")]
    body = "".join(error_doc("Lambda.FunctionError", "boom", f"new-1-{i}\n".encode(), at)
                   for i in range(40)).encode()
    for key in keys:
        c["s3"].put_object(Bucket="recover-lake", Key=key, Body=body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--region", required=True)
    ap.add_argument("--dump", nargs=2, metavar=("BUCKET", "PREFIX"),
                    help="print each object under PREFIX of BUCKET, base64, one a line (what tests count)")
    ap.add_argument("--receive", metavar="QUEUE",
                    help="print how many messages QUEUE holds, receiving and deleting them")
    ap.add_argument("--scenario", choices=["incident", "healthy", "scale", "logs10k", "shapes", "partial", "patterns", "failed", "verdicts", "losses", "recover", "recover-replace", "org", "history"])
    a = ap.parse_args()
    if a.dump:
        import base64
        s3 = clients(a.endpoint, a.region)["s3"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.dump[0], Prefix=a.dump[1]):
            for o in page.get("Contents", []):
                body = s3.get_object(Bucket=a.dump[0], Key=o["Key"])["Body"].read()
                print(base64.b64encode(body).decode())
        return
    if a.receive:
        sqs = boto3.client("sqs", endpoint_url=a.endpoint, region_name=a.region,
                           aws_access_key_id="testing", aws_secret_access_key="testing")
        print(drain(sqs, sqs.get_queue_url(QueueName=a.receive)["QueueUrl"]))
        return
    if not a.scenario:
        ap.error("--scenario is required")
    if a.scenario == "org":
        print(f"seeded org in {a.region}: team={org(a.endpoint, a.region)}")
        return
    c = clients(a.endpoint, a.region)
    {"incident": incident, "healthy": healthy, "scale": scale, "logs10k": logs10k,
     "shapes": shapes, "partial": partial, "patterns": patterns, "failed": failed,
     "verdicts": verdicts, "losses": losses, "recover": recover,
     "recover-replace": recover_replace, "history": history}[a.scenario](c, a.region)
    print(f"seeded {a.scenario} in {a.region}")


if __name__ == "__main__":
    main()
