#!/usr/bin/env bash
# `fhtop check` against the on-call runbook done by hand with the AWS CLI, on the same seeded
# incident account (moto through the harness proxy), measured in one run.
#
# The hand-run runbook is every command of ../shared/seed/firehose-eventbridge-runbook.md for
# every pipeline, plus the list calls needed to know the names, one command after the other as
# an engineer would type them (without the typing): list-policies, list-delivery-streams,
# list-event-buses, list-rules per bus; per stream describe-delivery-stream, get-bucket-policy,
# get-metric-statistics DeliveryToS3.Records; per rule describe-rule, list-targets-by-rule (the
# target's RoleArn), filter-log-events on /aws/events/<rule>, simulate-principal-policy.
#
#   benches/runbook.sh      (needs python3 with moto[server], cbor2 and awscli:
#                            pip install 'moto[server]' cbor2 awscli; builds the release binary)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v aws >/dev/null || { echo "needs the AWS CLI: pip install awscli"; exit 1; }
cargo build --release --quiet
bin=$PWD/target/release/fhtop
region=us-west-2
. benches/moto.sh incident $region
export AWS_SHARED_CREDENTIALS_FILE=$work/credentials AWS_CONFIG_FILE=/nonexistent \
  AWS_EC2_METADATA_DISABLED=true AWS_DEFAULT_REGION=$region AWS_PAGER=""
now_ms() { date +%s%3N; }
cli() { aws --endpoint-url "$proxy" --region $region --output json "$@" >/dev/null 2>&1 || true; n=$((n + 1)); }

n=0
t0=$(now_ms)
cli iam list-policies --query 'Policies[?PolicyName==`firehose_writer`]'
streams=$(aws --endpoint-url "$proxy" firehose list-delivery-streams --query 'DeliveryStreamNames' --output text); n=$((n + 1))
buses=$(aws --endpoint-url "$proxy" events list-event-buses --query 'EventBuses[].Name' --output text); n=$((n + 1))
start=$(date -u -d '-3 hours' +%Y-%m-%dT%H:%M:%SZ); end=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for s in $streams; do
  cli firehose describe-delivery-stream --delivery-stream-name "$s"
  bucket=$(aws --endpoint-url "$proxy" firehose describe-delivery-stream --delivery-stream-name "$s" \
    --query 'DeliveryStreamDescription.Destinations[0].ExtendedS3DestinationDescription.BucketARN' --output text | sed 's/arn:aws:s3::://'); n=$((n + 1))
  cli s3api get-bucket-policy --bucket "$bucket"
  cli cloudwatch get-metric-statistics --namespace AWS/Firehose --metric-name DeliveryToS3.Records \
    --dimensions Name=DeliveryStreamName,Value="$s" --start-time "$start" --end-time "$end" --period 300 --statistics Sum
done
for b in $buses; do
  rules=$(aws --endpoint-url "$proxy" events list-rules --event-bus-name "$b" --query 'Rules[].Name' --output text); n=$((n + 1))
  for r in $rules; do
    cli events describe-rule --name "$r" --event-bus-name "$b"
    role=$(aws --endpoint-url "$proxy" events list-targets-by-rule --rule "$r" --event-bus-name "$b" --query 'Targets[0].RoleArn' --output text); n=$((n + 1))
    cli logs filter-log-events --log-group-name "/aws/events/$r"
    cli iam simulate-principal-policy --policy-source-arn "$role" --action-names firehose:PutRecordBatch firehose:PutRecord
  done
done
t1=$(now_ms)

c0=$(now_ms)
"$bin" --endpoint-url "$proxy" --region $region check --json > "$work/check.json" || code=$?
c1=$(now_ms)
findings=$(python3 -c "import json,sys; d=json.load(open('$work/check.json'))['checks']; print(len(d), sum(f['status']!='ok' for f in d))")

echo "runbook by hand (AWS CLI, $n commands, one after the other): $(( t1 - t0 )) ms"
echo "fhtop check (exit ${code:-0}; findings total, not ok: $findings): $(( c1 - c0 )) ms"
python3 -c "print(f'fhtop check is {($t1 - $t0) / max(1, $c1 - $c0):.1f}x faster than the runbook by hand (issue 12 asks at least 30x)')"
