#!/usr/bin/env python3
"""moto's server, with two changes for accounts at scale. Arguments as for `moto_server`.

- The Firehose per-region stream quota is raised from 50 to 1000 (AWS raises it on request
  too), so the scale benches can seed 500 and 1,000 streams.
- GetMetricData answers each query from the datapoints of its own metric (namespace, name and
  dimensions including the query's) instead of scanning every datapoint of the account for
  every query and period (queries × periods × datapoints): computed by moto's own code, in time
  for an account with datapoints for hundreds of streams. The answers are moto's, except that
  a query's namespace is always honoured (moto's own filter ignores it when the query has
  dimensions).
"""
import sys

from moto.cloudwatch.models import CloudWatchBackend
from moto.firehose.models import DeliveryStream
from moto.server import main

DeliveryStream.MAX_STREAMS_PER_REGION = 1000

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


def _indexed_get_metric_data(self, queries, start_time, end_time, scan_by="TimestampAscending"):
    if not all("MetricStat" in q for q in queries):
        return _get_metric_data(self, queries, start_time, end_time, scan_by)
    index = {}
    for md in self.get_all_metrics():
        dims = frozenset((d.name, d.value) for d in md.dimensions)
        index.setdefault((md.namespace, md.name), {}).setdefault(dims, []).append(md)
    results = []
    for q in queries:
        metric = q["MetricStat"]["Metric"]
        wanted = {(d["Name"], d["Value"]) for d in metric.get("Dimensions", [])}
        by_dims = index.get((metric["Namespace"], metric["MetricName"]), {})
        # Every datapoint moto's own filter could match (its dimensions include the query's).
        datapoints = [md for dims, mds in by_dims.items() if wanted <= dims for md in mds]
        results.extend(_get_metric_data(_OneMetric(self, datapoints), [q], start_time, end_time, scan_by))
    return results


CloudWatchBackend.get_metric_data = _indexed_get_metric_data

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
