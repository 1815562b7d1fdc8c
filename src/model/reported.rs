//! What ListMetrics says of a stream before it is described ([`Reported`]).

use super::metric::MetricId;
use super::stream::DestinationKind;

/// What a stream's recently active CloudWatch metrics say of it before DescribeDeliveryStream
/// answers (ListMetrics, namespace `AWS/Firehose`, `RecentlyActive` `PT3H`: metrics with a
/// datapoint in the last 3 hours — Amazon CloudWatch API Reference, ListMetrics): where its
/// records come from and where they go, enough to fetch its triage set as soon as the stream
/// is listed. Never used for health: a stream not described is undecided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reported {
    /// The count of records in that it reports: `IncomingRecords` (Direct PUT),
    /// `DataReadFromKinesisStream.Records` (Kinesis data stream),
    /// `DataReadFromSource.Records` (MSK); `None` when none had a datapoint.
    pub incoming: Option<MetricId>,
    /// The destination kind whose `DeliveryTo<kind>.Success` it reports (S3 only when no other
    /// kind is: a non-S3 destination reports its S3 backup's delivery too).
    pub destination: Option<DestinationKind>,
    /// `DeliveryToS3.Success` reported beside another destination kind's: it backs up to S3
    /// (or, for Redshift, stages through S3).
    pub s3_backup: bool,
}

impl Reported {
    /// Whether its metrics report nothing (no datapoint in 3 hours): nothing to fetch.
    pub fn is_empty(&self) -> bool {
        self.incoming.is_none() && self.destination.is_none()
    }

    /// The metrics whose listings tell a stream's source and destination kind: the three
    /// incoming counts, then `DeliveryTo<kind>.Success` of every kind (12 ListMetrics
    /// listings).
    pub fn listed() -> Vec<MetricId> {
        let mut v = vec![
            MetricId::IncomingRecords,
            MetricId::KinesisReadRecords,
            MetricId::SourceReadRecords,
        ];
        v.extend(
            DestinationKind::ALL
                .iter()
                .map(|k| MetricId::DeliverySuccess(*k)),
        );
        v
    }

    /// Notes that the stream reports `metric` (one of [`Reported::listed`]).
    pub fn saw(&mut self, metric: MetricId) {
        match metric {
            MetricId::DeliverySuccess(DestinationKind::S3) => match self.destination {
                Some(k) if k != DestinationKind::S3 => self.s3_backup = true,
                _ => self.destination = Some(DestinationKind::S3),
            },
            MetricId::DeliverySuccess(k) => {
                if self.destination == Some(DestinationKind::S3) {
                    self.s3_backup = true;
                }
                self.destination = Some(k);
            }
            m => self.incoming = Some(m),
        }
    }
}

impl MetricId {
    /// The triage set of a stream listed and not described yet, from what its recently
    /// active metrics report ([`Reported`]): empty when they report nothing.
    pub fn triage_reported(r: &Reported) -> Vec<MetricId> {
        Self::triage_of(r.incoming, r.destination, r.s3_backup)
    }
}
