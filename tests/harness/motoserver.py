#!/usr/bin/env python3
"""moto's server, with two changes for accounts at scale and one API it lacks. Arguments as for
`moto_server`.

- The Firehose per-region stream quota is raised from 50 to 5,000 (Firehose's default quota
  of delivery streams per account and region), so the scale benches can seed accounts of that
  size.
- GetMetricData answers each query from the datapoints of its own metric (namespace, name and
  dimensions including the query's) instead of scanning every datapoint of the account for
  every query and period (queries × periods × datapoints): computed by moto's own code, in time
  for an account with datapoints for thousands of streams (the index is kept between calls
  until datapoints are added). The answers are moto's, except that
  a query's namespace is always honoured (moto's own filter ignores it when the query has
  dimensions).
- ListMetrics de-duplicates series with a set, not a scan of those kept so far (moto's is
  quadratic in the datapoints of a metric name).
- DescribeAlarmHistory (moto 5 has none) answers StateUpdate items from the history moto keeps
  for every alarm (each SetAlarmState records the state it left), newest first, as AWS
  shapes them: HistorySummary "Alarm updated from OK to ALARM" and HistoryData with oldState
  and newState. StartDate, EndDate and AlarmName are honoured; one page.
"""
import datetime
import json
import sys

from moto.cloudwatch import responses as cw_responses
from moto.cloudwatch.models import CloudWatchBackend, Dimension
from moto.firehose.models import DeliveryStream
from moto.server import main

DeliveryStream.MAX_STREAMS_PER_REGION = 5000

_get_metric_data = CloudWatchBackend.get_metric_data


class _OneMetric:
    """The backend as one query sees it: every datapoint of its metric, nothing else."""

    def __init__(self, backend, datapoints):
        self._backend = backend
        self._datapoints = datapoints

    def get_all_metrics(self):
        return self._datapoints

    def __getattr__(self, name):
        return getattr(self._backend, name)


_indexes = {}


def _add_to_index(index, datapoints):
    for md in datapoints:
        dims = frozenset((d.name, d.value) for d in md.dimensions)
        index.setdefault((md.namespace, md.name), {}).setdefault(dims, []).append(md)


def _index_of(backend):
    """Every datapoint by metric and dimensions, with each metric's dimension-set sizes. The
    put datapoints' index is built again only when some were added (moto appends to that list
    and never changes a datapoint: at 5,000 streams, indexing their 63,000 datapoints for every
    call took most of it); the datapoints moto computes from other services at call time
    (`aws_metric_data`) are indexed fresh and merged by the caller."""
    key = len(backend.metric_data)
    cached = _indexes.get(id(backend))
    if cached is None or cached[0] != key:
        index = {}
        _add_to_index(index, backend.metric_data)
        sizes = {name: {len(d) for d in by} for name, by in index.items()}
        cached = (key, index, sizes)
        _indexes[id(backend)] = cached
    computed = {}
    _add_to_index(computed, backend.aws_metric_data)
    return cached[1], cached[2], computed


def _indexed_get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    if not all("MetricStat" in q for q in queries):
        return _get_metric_data(self, queries, start_time, end_time, scan_by)
    put, put_sizes, computed = _index_of(self)
    results = []
    for q in queries:
        metric = q["MetricStat"]["Metric"]
        wanted = frozenset((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
        name = (metric["Namespace"], metric["MetricName"])
        by_dims = put.get(name, {})
        sizes = put_sizes.get(name, set())
        if name in computed:
            more = computed[name]
            by_dims = {d: by_dims.get(d, []) + more.get(d, []) for d in {*by_dims, *more}}
            sizes = {len(d) for d in by_dims}
        # Every datapoint moto's own filter could match (its dimensions include the query's):
        # looked up by the query's own dimensions when every dimension set of the metric has
        # as many as the query's (a metric of one set per stream or rule is the scale benches'
        # case: thousands of them), else scanned for supersets.
        if sizes <= {len(wanted)}:
            datapoints = list(by_dims.get(wanted, []))
        else:
            datapoints = [md for dims, mds in by_dims.items() if wanted <= dims for md in mds]
        results.extend(_get_metric_data(_OneMetric(self, datapoints), [q], start_time, end_time, scan_by))
    return results


CloudWatchBackend.get_metric_data = _indexed_get_metric_data


def _filtered_metrics(self, metric_name, namespace, dimensions):
    """ListMetrics' filter as moto's, its de-duplication by a set instead of a scan of the
    metrics kept so far (quadratic: minutes for the datapoints of 5,000 streams)."""
    seen = set()
    out = []
    for md in self.get_all_metrics():
        if namespace and namespace != md.namespace:
            continue
        if metric_name and metric_name != md.name:
            continue
        if dimensions and any(Dimension(d["Name"], d.get("Value")) not in md.dimensions for d in dimensions):
            continue
        key = (md.namespace, md.name, frozenset((d.name, d.value) for d in md.dimensions))
        # moto keeps a metric without dimensions once per datapoint; so does this.
        if md.dimensions and key in seen:
            continue
        seen.add(key)
        out.append(md)
    return out


CloudWatchBackend.get_filtered_metrics = _filtered_metrics


def _when(v):
    """A StartDate / EndDate parameter as an aware datetime (an ISO string or a datetime)."""
    if v is None or isinstance(v, datetime.datetime):
        return v
    try:
        return datetime.datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError:
        return None


def _aware(t):
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


def _describe_alarm_history(self):
    name = self._get_param("AlarmName")
    start, end = _when(self._get_param("StartDate")), _when(self._get_param("EndDate"))
    items = []
    for alarm in self.cloudwatch_backend.describe_alarms():
        if name and alarm.name != name:
            continue
        states = [(h[1], h[3], h[4]) for h in alarm.history if h[0] == "StateUpdate"]
        states.append((alarm.state_reason, alarm.state_value, alarm.state_updated_timestamp))
        for (old_reason, old_value, _), (new_reason, new_value, at) in zip(states, states[1:]):
            at = _aware(at)
            if (start and at < _aware(start)) or (end and at > _aware(end)):
                continue
            items.append({
                "AlarmName": alarm.name,
                "AlarmType": "MetricAlarm",
                "Timestamp": at,
                "HistoryItemType": "StateUpdate",
                "HistorySummary": f"Alarm updated from {old_value} to {new_value}",
                "HistoryData": json.dumps({
                    "version": "1.0",
                    "oldState": {"stateValue": old_value, "stateReason": old_reason},
                    "newState": {"stateValue": new_value, "stateReason": new_reason},
                }),
            })
    items.sort(key=lambda i: i["Timestamp"], reverse=True)
    return cw_responses.ActionResult({"AlarmHistoryItems": items})


cw_responses.CloudWatchResponse.describe_alarm_history = _describe_alarm_history

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
