#!/usr/bin/env python3
"""Loopback proxy between fhtop and moto, for the tests.

- Forwards every AWS request to moto (the upstream) unchanged.
- Answers TestEventPattern (moto's is empty) with moto's own event-pattern engine.
- Speaks Smithy RPC v2 CBOR for CloudWatch, which moto does not: the CBOR request is decoded,
  sent to moto through botocore's CloudWatch client (query protocol), and the answer is encoded
  back as CBOR. The Rust CloudWatch client only speaks CBOR.
- Counts requests per operation:  GET /__stats  -> {"Op": n, ..., "metrics requested": n
  (GetMetricData queries, what CloudWatch bills)};  POST /__reset.
- Presents resources in states moto cannot create (a service-managed rule, a stream whose
  creation failed): POST /__present {"rules": {"name": {fields}}, "streams": {"name": {fields}},
  "buckets": {"name": {"abac": "Enabled"}}, "archives": {"name": {fields}}} merges the fields into
  ListRules/DescribeRule, DescribeDeliveryStream and ListArchives/DescribeArchive answers.
- Answers S3 GetBucketAbac (GET /BUCKET?abac), which moto does not know: the bucket's status
  as /__present gives it, else S3's default, Disabled.
- Injects faults:  POST /__fault {"mode": "throttle"|"error500"|"reset"|"latency"|"expired"|
  "denied" (AccessDenied, a permission the caller lacks)|"garbled" (200 with a body that is not
  the protocol's)|"partial" (PutRecordBatch: records at odd positions, the first time each is
  seen, are not forwarded and answered with an ErrorCode, FailedPutCount counting them — what
  Firehose does to a batch it takes in part)|"down"|"none", "ops": [optional operation names], "match": optional text the request body
  must contain (one resource), "seconds": latency}.
- FHTOP_PROXY_TRACE=1 prints one stderr line per request (when it came in, seconds since start; its duration; method and target or path).

Usage: awsproxy.py --upstream http://127.0.0.1:PORT  (prints "PORT <n>" once listening)
"""
import argparse
import datetime
import http.client
import json
import os
import re
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import botocore.config
import botocore.exceptions
import cbor2

CBOR_PATH = re.compile(r"^/service/GraniteServiceVersion20100801/operation/(\w+)$")
LOCK = threading.Lock()
COUNTS = {}
# FHTOP_PROXY_TRACE=1: one stderr line per request (when it came in, seconds since start; its duration; method and target or path), for
# finding where a bench's time goes.
TRACE = os.environ.get("FHTOP_PROXY_TRACE") == "1"
T0 = time.monotonic()
ACCOUNT = "123456789012"
FAULT = {"mode": "none", "ops": None, "seconds": 0, "match": None}
CLIENTS = {}
# Fields to merge into answers about these rules / streams (see /__present).
PRESENT = {"rules": {}, "streams": {}, "buckets": {}, "archives": {}}
# Records the "partial" fault has refused once (their base64 data): the next try takes them.
PARTIAL_SEEN = set()


def smithy_values(v):
    """Smithy RPC v2 CBOR wants timestamps as tag 1 over a float (epoch seconds)."""
    if isinstance(v, datetime.datetime):
        return cbor2.CBORTag(1, float(v.timestamp()))
    if isinstance(v, dict):
        return {k: smithy_values(x) for k, x in v.items()}
    if isinstance(v, list):
        return [smithy_values(x) for x in v]
    return v


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstream = None
    # TCP_NODELAY: the headers and the body are two writes; with Nagle's algorithm the body
    # waits for the client's delayed ACK of the headers (~40 ms an answer on Linux), a delay
    # no AWS endpoint has.
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body, headers):
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _op(self, body):
        m = CBOR_PATH.match(self.path)
        if m:
            return m.group(1), "cbor"
        target = self.headers.get("X-Amz-Target")
        if target:
            return target.split(".")[-1], "json"
        if body:
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            if "Action" in form:
                return form["Action"][0], "query"
        if self.command == "GET" and re.match(r"^/[^/?]+/?\?abac(=|&|$)", self.path):
            return "GetBucketAbac", "rest"
        return f"{self.command} {self.path.split('?')[0]}", "rest"

    def _error(self, proto, status, code, message):
        if proto == "cbor":
            body = cbor2.dumps({"__type": code, "message": message})
            hdr = {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"}
        elif proto == "json":
            body = json.dumps({"__type": code, "message": message}).encode()
            hdr = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-ErrorType": code}
        elif proto == "rest":
            # S3 (the one REST service fhtop calls): <Error> at the root.
            body = ("<Error><Code>%s</Code><Message>%s</Message><RequestId>fault</RequestId></Error>"
                    % (code, message)).encode()
            hdr = {"Content-Type": "application/xml"}
        else:
            body = (
                "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message>"
                "</Error><RequestId>fault</RequestId></ErrorResponse>" % (code, message)
            ).encode()
            hdr = {"Content-Type": "text/xml"}
        self._send(status, body, hdr)

    def _control(self, body):
        if self.path == "/__stats":
            with LOCK:
                out = json.dumps(COUNTS).encode()
            self._send(200, out, {"Content-Type": "application/json"})
        elif self.path == "/__reset":
            with LOCK:
                COUNTS.clear()
            self._send(200, b"{}", {"Content-Type": "application/json"})
        elif self.path == "/__present":
            spec = json.loads(body or b"{}")
            with LOCK:
                PRESENT["rules"] = spec.get("rules", {})
                PRESENT["streams"] = spec.get("streams", {})
                PRESENT["buckets"] = spec.get("buckets", {})
                PRESENT["archives"] = spec.get("archives", {})
            self._send(200, b"{}", {"Content-Type": "application/json"})
        elif self.path == "/__fault":
            spec = json.loads(body or b"{}")
            with LOCK:
                FAULT.update({"mode": spec.get("mode", "none"), "ops": spec.get("ops"),
                              "seconds": spec.get("seconds", 0), "match": spec.get("match")})
            self._send(200, b"{}", {"Content-Type": "application/json"})
        else:
            self._send(404, b"", {})

    def _handle(self):
        body = self._body()
        if self.path.startswith("/__"):
            return self._control(body)
        op, proto = self._op(body)
        # What CloudWatch bills GetMetricData by: the metrics requested (queries), as the
        # pseudo-operation "metrics requested".
        queries = 0
        if op == "GetMetricData" and proto == "cbor":
            try:
                queries = len(cbor2.loads(body).get("MetricDataQueries", []))
            except Exception:
                queries = 0
        with LOCK:
            COUNTS[op] = COUNTS.get(op, 0) + 1
            if queries:
                COUNTS["metrics requested"] = COUNTS.get("metrics requested", 0) + queries
            fault = dict(FAULT)
        hit = (not fault["ops"] or op in fault["ops"]) and (
            not fault["match"] or fault["match"].encode() in body)
        if fault["mode"] != "none" and hit:
            mode = fault["mode"]
            if mode in ("reset", "down"):
                # Drop the connection without an answer (a reset, or a server that is gone).
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            if mode == "throttle":
                code = "ThrottlingException" if proto != "query" else "Throttling"
                return self._error(proto, 400, code, "Rate exceeded")
            if mode == "expired":
                code = "ExpiredTokenException" if proto != "query" else "ExpiredToken"
                return self._error(proto, 400, code, "The security token included in the request is expired")
            if mode == "error500":
                return self._error(proto, 500, "InternalFailure", "injected server error")
            if mode == "denied":
                # What AWS answers a role without the permission: 400 AccessDeniedException
                # (JSON, CBOR), 403 AccessDenied (query and REST protocols).
                if proto in ("json", "cbor"):
                    return self._error(proto, 400, "AccessDeniedException",
                                       f"User: arn:aws:sts::{ACCOUNT}:assumed-role/OnCall/me is not authorized to perform: {op}")
                return self._error(proto, 403, "AccessDenied",
                                   f"User: arn:aws:sts::{ACCOUNT}:assumed-role/OnCall/me is not authorized to perform: {op}")
            if mode == "garbled":
                # A 200 whose body is not the protocol's (a proxy's HTML page, a truncated answer).
                return self._send(200, b"<html>captive portal</html>",
                                  {"Content-Type": {"cbor": "application/cbor", "json": "application/x-amz-json-1.1"}.get(proto, "text/xml")})
            if mode == "latency":
                time.sleep(float(fault["seconds"] or 8))
            if mode == "partial" and op == "PutRecordBatch":
                return self._partial_put(body)
        if proto == "cbor":
            return self._cbor(op, body)
        if op == "TestEventPattern":
            return self._test_event_pattern(body)
        if op == "GetBucketAbac":
            return self._bucket_abac()
        return self._forward(body, op)

    def _test_event_pattern(self, body):
        """moto answers TestEventPattern with nothing; answer with moto's own pattern engine
        (an independent implementation to compare fhtop's with), as EventBridge would."""
        from moto.events.models import EventPattern
        try:
            req = json.loads(body or b"{}")
            pattern = EventPattern.load(req["EventPattern"])
            result = pattern.matches_event(json.loads(req["Event"]))
        except Exception as e:  # an invalid pattern or event, as EventBridge reports it
            return self._error("json", 400, "InvalidEventPatternException", str(e))
        self._send(200, json.dumps({"Result": bool(result)}).encode(),
                   {"Content-Type": "application/x-amz-json-1.1"})

    def _bucket_abac(self):
        """GetBucketAbac, which moto lacks: the presented status, else S3's default (Disabled);
        NoSuchBucket for a bucket moto does not have."""
        bucket = self.path[1:].split("?")[0].rstrip("/")
        u = urllib.parse.urlparse(self.upstream)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        conn.request("HEAD", "/" + bucket)
        exists = conn.getresponse().status == 200
        conn.close()
        if not exists:
            return self._error("rest", 404, "NoSuchBucket", "The specified bucket does not exist")
        with LOCK:
            status = PRESENT["buckets"].get(bucket, {}).get("abac", "Disabled")
        body = ('<?xml version="1.0" encoding="UTF-8"?><AbacStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                "<Status>%s</Status></AbacStatus>" % status).encode()
        self._send(200, body, {"Content-Type": "application/xml"})

    def _upstream(self, body):
        """The request sent on to moto: (status, body, headers to pass back)."""
        u = urllib.parse.urlparse(self.upstream)
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        hdr = {k: v for k, v in resp.getheaders()
               if k.lower() not in ("content-length", "transfer-encoding", "connection")}
        conn.close()
        return resp.status, data, hdr

    def _forward(self, body, op=None):
        status, data, hdr = self._upstream(body)
        if op in ("ListRules", "DescribeRule", "DescribeDeliveryStream", "ListArchives",
                  "DescribeArchive") and status == 200:
            data = self._present(op, data)
        self._send(status, data, hdr)

    def _partial_put(self, body):
        """PutRecordBatch taken in part: odd positions seen for the first time are refused."""
        req = json.loads(body or b"{}")
        recs = req.get("Records", [])
        refuse = set()
        with LOCK:
            for i, r in enumerate(recs):
                if i % 2 == 1 and r.get("Data") not in PARTIAL_SEEN:
                    PARTIAL_SEEN.add(r.get("Data"))
                    refuse.add(i)
        keep = [r for i, r in enumerate(recs) if i not in refuse]
        status, data, hdr = self._upstream(json.dumps(dict(req, Records=keep)).encode())
        if status != 200:
            return self._send(status, data, hdr)
        answers = iter(json.loads(data or b"{}").get("RequestResponses", []))
        out = [{"ErrorCode": "ServiceUnavailableException", "ErrorMessage": "injected: slow down"}
               if i in refuse else next(answers, {"ErrorCode": "InternalFailure"}) for i in range(len(recs))]
        doc = {"FailedPutCount": sum(1 for a in out if "ErrorCode" in a), "Encrypted": False,
               "RequestResponses": out}
        self._send(200, json.dumps(doc).encode(), {"Content-Type": "application/x-amz-json-1.1"})

    def _present(self, op, data):
        """Merge the /__present fields into the rules / stream of this answer."""
        kind = {"DescribeDeliveryStream": "streams", "ListArchives": "archives",
                "DescribeArchive": "archives"}.get(op, "rules")
        with LOCK:
            spec = PRESENT[kind]
        if not spec:
            return data
        doc = json.loads(data or b"{}")
        if op == "ListRules":
            items, key = doc.get("Rules", []), "Name"
        elif op == "DescribeRule":
            items, key = [doc], "Name"
        elif op == "ListArchives":
            items, key = doc.get("Archives", []), "ArchiveName"
        elif op == "DescribeArchive":
            items, key = [doc], "ArchiveName"
        else:
            items, key = [doc.get("DeliveryStreamDescription", {})], "DeliveryStreamName"
        for item in items:
            item.update(spec.get(item.get(key), {}))
        return json.dumps(doc).encode()

    def _cloudwatch(self):
        """A botocore CloudWatch client for the region the request was signed for."""
        m = re.search(r"Credential=[^/]+/\d+/([^/]+)/", self.headers.get("Authorization", ""))
        region = m.group(1) if m else "us-east-1"
        with LOCK:
            if region not in CLIENTS:
                CLIENTS[region] = boto3.client(
                    "cloudwatch", endpoint_url=self.upstream, region_name=region,
                    aws_access_key_id="testing", aws_secret_access_key="testing",
                    config=botocore.config.Config(retries={"max_attempts": 1}),
                )
            return CLIENTS[region]

    def _cbor(self, op, body):
        params = cbor2.loads(body) if body else {}
        try:
            out = getattr(self._cloudwatch(), snake(op))(**(params or {}))
        except botocore.exceptions.ClientError as e:
            err = e.response.get("Error", {})
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400)
            return self._error("cbor", status, err.get("Code", "InternalFailure"), err.get("Message", ""))
        except botocore.exceptions.ParamValidationError as e:
            return self._error("cbor", 400, "ValidationError", str(e))
        out.pop("ResponseMetadata", None)
        data = cbor2.dumps(smithy_values(out))
        self._send(200, data, {"Content-Type": "application/cbor", "smithy-protocol": "rpc-v2-cbor"})

    def _traced(self):
        if not TRACE:
            return self._handle()
        t = time.monotonic()
        self._handle()
        # When it came in (seconds since start), how long it took, what it was.
        print(f"{t - T0:8.3f} {time.monotonic() - t:6.3f} {self.command} {self.headers.get('X-Amz-Target') or self.path}",
              file=sys.stderr, flush=True)

    def do_GET(self):
        self._traced()

    def do_POST(self):
        self._traced()

    def do_PUT(self):
        self._traced()

    def do_DELETE(self):
        self._traced()

    def do_HEAD(self):
        self._traced()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    Handler.upstream = args.upstream
    srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    srv.daemon_threads = True
    print(f"PORT {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
