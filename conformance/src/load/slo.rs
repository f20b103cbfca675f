//! Pass/fail thresholds: `--slo 'imap.fetch-body.p99<500ms'`, `--slo 'delivery.p99<5s'`,
//! `--slo 'errors<0.1%'`, `--slo 'smtp.submit.errors<1%'`.

use super::stats::{LoadResult, percent};

/// One threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    /// As written.
    pub text: String,
    what: Measure,
    below: bool,
    limit: f64,
}

#[derive(Debug, Clone, PartialEq)]
enum Measure {
    /// A latency percentile of an action (or `delivery`), in ms.
    Latency { action: String, stat: String },
    /// Failed actions over all actions (or one action's), in %.
    Errors { action: Option<String> },
}

impl Slo {
    /// Parses one SLO.
    pub fn parse(text: &str) -> Result<Slo, String> {
        let bad = |why: &str| format!("--slo {text:?}: {why}");
        let (at, below) = match (text.find('<'), text.find('>')) {
            (Some(at), None) => (at, true),
            (None, Some(at)) => (at, false),
            _ => return Err(bad("expected NAME<VALUE or NAME>VALUE")),
        };
        let name = text[..at].trim();
        let value = text[at + 1..].trim();
        let what = if name == "errors" {
            Measure::Errors { action: None }
        } else {
            let (action, stat) = name
                .rsplit_once('.')
                .ok_or_else(|| bad("expected ACTION.p99, delivery.p99 or errors"))?;
            if stat == "errors" {
                Measure::Errors {
                    action: Some(action.to_string()),
                }
            } else {
                if super::stats::Percentiles::default().get(stat).is_none() {
                    return Err(bad(
                        "the statistic is one of p50, p90, p99, p999, max, mean",
                    ));
                }
                Measure::Latency {
                    action: action.to_string(),
                    stat: stat.to_string(),
                }
            }
        };
        let split = value
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(value.len());
        let (number, unit) = value.split_at(split);
        let number: f64 = number
            .parse()
            .map_err(|_| bad("the value is not a number"))?;
        let limit = match (&what, unit.trim()) {
            (Measure::Errors { .. }, "%") => number,
            (Measure::Latency { .. }, "ms") => number,
            (Measure::Latency { .. }, "s") => number * 1000.0,
            (Measure::Latency { .. }, "us" | "µs") => number / 1000.0,
            (Measure::Errors { .. }, _) => return Err(bad("an error rate ends in %")),
            (Measure::Latency { .. }, _) => return Err(bad("a latency ends in ms, s or us")),
        };
        Ok(Slo {
            text: text.to_string(),
            what,
            below,
            limit,
        })
    }

    /// The unit of the measured value (`ms` or `%`).
    pub fn unit(&self) -> &'static str {
        match self.what {
            Measure::Latency { .. } => " ms",
            Measure::Errors { .. } => " %",
        }
    }

    /// The value this SLO measures in `result`, `None` when nothing of it ran.
    pub fn measure(&self, result: &LoadResult) -> Option<f64> {
        match &self.what {
            Measure::Errors { action: None } => {
                let total = result.total_actions();
                (total > 0).then(|| percent(result.total_failed(), total))
            }
            Measure::Errors {
                action: Some(action),
            } => {
                let a = result.actions.get(action)?;
                let total = a.ok + a.failed;
                (total > 0).then(|| percent(a.failed, total))
            }
            Measure::Latency { action, stat } => {
                let percentiles = if action == "delivery" {
                    (result.delivery.delivered > 0).then_some(result.delivery.latency_ms)?
                } else {
                    let a = result.actions.get(action)?;
                    (a.ok > 0).then_some(a.latency_ms)?
                };
                percentiles.get(stat)
            }
        }
    }

    /// Whether `value` meets the threshold.
    pub fn holds(&self, value: f64) -> bool {
        if self.below {
            value < self.limit
        } else {
            value > self.limit
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slos_parse_with_units() {
        let slo = Slo::parse("imap.fetch-body.p99<500ms").unwrap();
        assert!(slo.holds(499.0) && !slo.holds(500.0));
        let slo = Slo::parse("delivery.p99<5s").unwrap();
        assert!(slo.holds(4999.0) && !slo.holds(5001.0));
        let slo = Slo::parse("errors<0.1%").unwrap();
        assert!(slo.holds(0.05) && !slo.holds(0.2));
        assert!(Slo::parse("imap.sync.errors<1%").is_ok());
        assert!(Slo::parse("errors<3ms").is_err());
        assert!(Slo::parse("imap.sync.p42<3ms").is_err());
        assert!(Slo::parse("imap.sync.p99=3ms").is_err());
    }
}
