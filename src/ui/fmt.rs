//! Number, time and sparkline formatting for narrow table cells.

use chrono::{DateTime, Utc};

pub use crate::text::{bytes, count, fit, fmt_duration, opt_count, ratio_pct};

/// Seconds → "42s", "17m", "2h05m", "3d".
pub fn secs(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_string(), fmt_duration)
}

/// How long ago, for "data 4s ago" and "since".
pub fn age(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    fmt_duration((now - t).num_milliseconds() as f64 / 1000.0)
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The last `width` points as a one-row sparkline. A gap (no datapoint) is drawn as a blank,
/// a zero as the lowest bar, so the two never look alike.
pub fn sparkline(series: &[Option<f64>], width: usize) -> String {
    let tail = &series[series.len().saturating_sub(width)..];
    let max = tail.iter().filter_map(|v| *v).fold(0.0_f64, f64::max);
    tail.iter()
        .map(|v| match v {
            None => ' ',
            Some(x) if *x <= 0.0 || max <= 0.0 => BARS[0],
            Some(x) => {
                let i = 1 + ((x / max) * 6.999).floor() as usize;
                BARS[i.min(7)]
            }
        })
        .collect()
}

/// `series` (counts per period, oldest first) summed into exactly `width` buckets of
/// consecutive periods (when longer), the newest bucket ending with the newest period: a whole
/// window squeezed into a column, every cell used. Buckets differ by at most one period; each
/// sum is scaled to the mean bucket size so a shorter bucket does not read as a dip. A bucket
/// with no datapoint stays a gap.
pub fn squeeze(series: &[Option<f64>], width: usize) -> Vec<Option<f64>> {
    let len = series.len();
    if width == 0 || len <= width {
        return series.to_vec();
    }
    let mean = len as f64 / width as f64;
    (0..width)
        .map(|i| {
            let chunk = &series[i * len / width..(i + 1) * len / width];
            chunk
                .iter()
                .flatten()
                .fold(None, |a: Option<f64>, v| Some(a.unwrap_or(0.0) + v))
                .map(|sum| sum * mean / chunk.len().max(1) as f64)
        })
        .collect()
}

/// `series` squeezed into `width` buckets as `stat` aggregates: sums for counts (`Sum`), the
/// mean for ratios (`Average`), the highest for ages and gauges (`Maximum`); unchanged when it
/// fits.
pub fn squeeze_stat(
    series: &[Option<f64>],
    width: usize,
    stat: crate::model::Stat,
) -> Vec<Option<f64>> {
    use crate::model::Stat;
    let len = series.len();
    if width == 0 || len <= width {
        return series.to_vec();
    }
    if stat == Stat::Sum {
        return squeeze(series, width);
    }
    (0..width)
        .map(|i| {
            let vals: Vec<f64> = series[i * len / width..(i + 1) * len / width]
                .iter()
                .flatten()
                .copied()
                .collect();
            if vals.is_empty() {
                None
            } else if stat == Stat::Average {
                Some(vals.iter().sum::<f64>() / vals.len() as f64)
            } else {
                vals.into_iter().reduce(f64::max)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_squeezes_into_whole_buckets_ending_now() {
        let s: Vec<Option<f64>> =
            vec![Some(1.0), None, Some(2.0), Some(3.0), None, None, Some(5.0)];
        // 7 periods in exactly 3 buckets (2, 2, 3 periods), the newest last, every cell used.
        let q = squeeze(&s, 3);
        assert_eq!(q.len(), 3);
        let r = |v: Option<f64>| v.map(|x| (x * 100.0).round() / 100.0);
        assert_eq!(
            q.into_iter().map(r).collect::<Vec<_>>(),
            vec![Some(1.17), Some(5.83), Some(3.89)]
        );
        assert_eq!(
            squeeze(&[Some(1.0); 60], 14).len(),
            14,
            "60 minutes fill 14 cells"
        );
        assert_eq!(
            squeeze(&[None, None, Some(1.0), Some(1.0)], 2),
            vec![None, Some(2.0)]
        );
        assert_eq!(squeeze(&s, 10), s, "fits: unchanged");
    }

    #[test]
    fn counts() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(950.4), "950");
        assert_eq!(count(1_234.0), "1.2k");
        assert_eq!(count(42_000.0), "42k");
        assert_eq!(count(4_200_000.0), "4.2M");
        assert_eq!(opt_count(None), "–");
    }

    #[test]
    fn pct_never_rounds_a_failure_up() {
        assert_eq!(ratio_pct(Some(1.0)), "100%");
        assert_eq!(ratio_pct(Some(0.9999)), "99.9%");
        assert_eq!(ratio_pct(Some(0.0)), "0.0%");
    }

    #[test]
    fn sparkline_distinguishes_gaps_from_zero() {
        let s = sparkline(&[None, Some(0.0), Some(5.0), Some(10.0)], 10);
        assert_eq!(s, " ▁▅█");
        assert_eq!(sparkline(&[Some(1.0); 20], 5).chars().count(), 5);
        assert_eq!(sparkline(&[], 5), "");
    }

    #[test]
    fn fit_cuts_with_ellipsis() {
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("abc", 4), "abc");
        assert_eq!(fit("abc", 0), "");
        assert_eq!(fit("日本語", 4), "日…");
    }
}
