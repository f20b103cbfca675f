//! Measurements of a run: one HDR histogram of latencies per action (microseconds), errors
//! counted by kind (`imap.NO`, `imap.BYE`, `smtp.451`, `imap.decode`...), sessions held and a
//! per-second timeline. [`Recorder`] collects while the run goes; [`LoadResult`] is the
//! finished, serialisable result (also a shard's result file), merged exactly by
//! [`LoadResult::merge`] because HDR histograms add without loss.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use hdrhistogram::Histogram;
use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};
use serde::{Deserialize, Serialize};

use super::accounts::Shard;

/// The format version of result files.
pub const RESULT_VERSION: u32 = 1;

/// Highest latency a histogram holds: one hour, in microseconds.
const MAX_MICROS: u64 = 3_600_000_000;

/// How many error and violation samples a result keeps.
pub const MAX_SAMPLES: usize = 50;

/// A new latency histogram (1 µs to 1 h, 3 significant digits).
pub fn new_histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts; auto-resize is the fallback.
    // Constant, valid bounds (1 <= low, high >= 2 * low, sigfig <= 5): creation cannot fail.
    #[allow(clippy::expect_used)]
    Histogram::new_with_bounds(1, MAX_MICROS, 3).expect("constant histogram bounds are valid")
}

fn record(histogram: &mut Histogram<u64>, latency: Duration) {
    let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_MICROS);
    let _ = histogram.record(micros.clamp(1, MAX_MICROS));
}

/// A histogram as base64 of its V2 serialisation (the HdrHistogram interchange format).
pub fn encode_histogram(histogram: &Histogram<u64>) -> String {
    let mut bytes = Vec::new();
    let _ = V2Serializer::new().serialize(histogram, &mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The histogram a string of [`encode_histogram`] holds.
pub fn decode_histogram(text: &str) -> Result<Histogram<u64>, String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|error| format!("histogram is not base64: {error}"))?;
    Deserializer::new()
        .deserialize(&mut bytes.as_slice())
        .map_err(|error| format!("histogram does not decode: {error:?}"))
}

/// What is being collected during a run.
#[derive(Debug)]
pub struct Recorder {
    inner: Mutex<Collected>,
    /// Sessions connected now.
    pub sessions: AtomicU64,
    /// The most sessions connected at once.
    pub sessions_peak: AtomicU64,
    /// Actions finished (ok or not).
    pub actions: AtomicU64,
    /// Actions that failed.
    pub errors: AtomicU64,
}

#[derive(Debug, Default)]
struct Collected {
    actions: BTreeMap<&'static str, ActionCollected>,
    errors: BTreeMap<String, u64>,
    samples: Vec<String>,
    timeline: Vec<Sample>,
    /// Latencies of every action since the last sample (the timeline's percentiles).
    window: Option<Histogram<u64>>,
}

#[derive(Debug)]
struct ActionCollected {
    histogram: Histogram<u64>,
    ok: u64,
    failed: u64,
}

/// One second of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the start.
    pub second: u64,
    /// Sessions connected.
    pub sessions: u64,
    /// Actions finished in this second.
    pub actions: u64,
    /// Actions failed in this second.
    pub errors: u64,
    /// Median latency of the actions that succeeded in this second, ms.
    #[serde(default)]
    pub p50_ms: f64,
    /// 99th percentile of the same, ms (in a merge: the highest shard's, an upper bound).
    #[serde(default)]
    pub p99_ms: f64,
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Collected::default()),
            sessions: AtomicU64::new(0),
            sessions_peak: AtomicU64::new(0),
            actions: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        }
    }
}

impl Recorder {
    fn lock(&self) -> std::sync::MutexGuard<'_, Collected> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A session connected.
    pub fn session_opened(&self) {
        let now = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        self.sessions_peak.fetch_max(now, Ordering::Relaxed);
    }

    /// A session ended.
    pub fn session_closed(&self) {
        self.sessions.fetch_sub(1, Ordering::Relaxed);
    }

    /// An action succeeded after `latency`.
    pub fn ok(&self, action: &'static str, latency: Duration) {
        self.actions.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.lock();
        let entry = inner
            .actions
            .entry(action)
            .or_insert_with(|| ActionCollected {
                histogram: new_histogram(),
                ok: 0,
                failed: 0,
            });
        entry.ok += 1;
        record(&mut entry.histogram, latency);
        record(inner.window.get_or_insert_with(new_histogram), latency);
    }

    /// An action failed with an error of `kind` (`imap.NO`, `smtp.451`); `detail` is kept as
    /// evidence for the first few.
    pub fn failed(&self, action: &'static str, kind: &str, detail: &str) {
        self.actions.fetch_add(1, Ordering::Relaxed);
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut inner = self.lock();
        inner
            .actions
            .entry(action)
            .or_insert_with(|| ActionCollected {
                histogram: new_histogram(),
                ok: 0,
                failed: 0,
            })
            .failed += 1;
        *inner.errors.entry(kind.to_string()).or_insert(0) += 1;
        if inner.samples.len() < MAX_SAMPLES {
            inner.samples.push(format!("{action}: {kind}: {detail}"));
        }
    }

    /// Counts an error that belongs to no action (a BYE while idle).
    pub fn error_only(&self, kind: &str, detail: &str) {
        let mut inner = self.lock();
        *inner.errors.entry(kind.to_string()).or_insert(0) += 1;
        if inner.samples.len() < MAX_SAMPLES {
            inner.samples.push(format!("{kind}: {detail}"));
        }
    }

    /// Appends one timeline sample, with the percentiles of the actions since the last one.
    pub fn sample(&self, mut sample: Sample) {
        let mut inner = self.lock();
        if let Some(window) = inner.window.take() {
            let p = Percentiles::of(&window);
            sample.p50_ms = p.p50;
            sample.p99_ms = p.p99;
        }
        inner.timeline.push(sample);
    }

    /// The p99 latency of each action so far, in milliseconds, for the progress line.
    pub fn p99s(&self) -> Vec<(&'static str, f64)> {
        self.lock()
            .actions
            .iter()
            .filter(|(_, a)| !a.histogram.is_empty())
            .map(|(name, a)| (*name, a.histogram.value_at_quantile(0.99) as f64 / 1000.0))
            .collect()
    }

    /// The per-action summaries, errors, samples and timeline collected.
    pub fn finish(&self) -> Finished {
        let inner = self.lock();
        Finished {
            actions: inner
                .actions
                .iter()
                .map(|(name, a)| {
                    (
                        (*name).to_string(),
                        ActionSummary::new(a.ok, a.failed, &a.histogram),
                    )
                })
                .collect(),
            errors: inner.errors.clone(),
            samples: inner.samples.clone(),
            timeline: inner.timeline.clone(),
        }
    }
}

/// What a [`Recorder`] collected, at the end.
#[derive(Debug, Clone, PartialEq)]
pub struct Finished {
    /// Per action.
    pub actions: BTreeMap<String, ActionSummary>,
    /// Errors by kind.
    pub errors: BTreeMap<String, u64>,
    /// The first errors, one line each.
    pub samples: Vec<String>,
    /// Per-second samples.
    pub timeline: Vec<Sample>,
}

/// One action's totals and latency distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionSummary {
    /// Successful executions.
    pub ok: u64,
    /// Failed executions.
    pub failed: u64,
    /// Latency percentiles of the successful ones, in milliseconds (derived from the
    /// histogram; recomputed after a merge).
    pub latency_ms: Percentiles,
    /// The latency histogram (µs), base64 of its HdrHistogram V2 serialisation.
    pub histogram: String,
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Maximum.
    pub max: f64,
    /// Mean.
    pub mean: f64,
}

impl Percentiles {
    /// The percentiles of a µs histogram, in ms.
    pub fn of(histogram: &Histogram<u64>) -> Percentiles {
        if histogram.is_empty() {
            return Percentiles::default();
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        Percentiles {
            p50: ms(histogram.value_at_quantile(0.5)),
            p90: ms(histogram.value_at_quantile(0.9)),
            p99: ms(histogram.value_at_quantile(0.99)),
            p999: ms(histogram.value_at_quantile(0.999)),
            max: ms(histogram.max()),
            mean: histogram.mean() / 1000.0,
        }
    }

    /// The percentile named `p50`, `p90`, `p99`, `p999`, `max` or `mean`.
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "p50" => self.p50,
            "p90" => self.p90,
            "p99" => self.p99,
            "p999" | "p99.9" => self.p999,
            "max" => self.max,
            "mean" => self.mean,
            _ => return None,
        })
    }
}

impl ActionSummary {
    /// A summary of counts and a histogram.
    pub fn new(ok: u64, failed: u64, histogram: &Histogram<u64>) -> ActionSummary {
        ActionSummary {
            ok,
            failed,
            latency_ms: Percentiles::of(histogram),
            histogram: encode_histogram(histogram),
        }
    }
}

/// Delivery tracking: what was submitted and how it arrived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Messages the submission server accepted (250 after DATA).
    pub submitted: u64,
    /// Accepted messages found in the recipient's INBOX (exactly once or more).
    pub delivered: u64,
    /// Accepted messages not found within the bound.
    pub lost: u64,
    /// Messages found more than once.
    pub duplicated: u64,
    /// Delivery latency (submission accepted to first seen by an IMAP session), in ms.
    pub latency_ms: Percentiles,
    /// The delivery latency histogram (µs), base64 V2.
    pub histogram: String,
}

/// The state checks made while loading.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Correctness {
    /// New messages that came with a UID not above one already seen, or UIDNEXT going down.
    pub uid_regressions: u64,
    /// Flags read back that differ from what a session had set.
    pub flag_mismatches: u64,
    /// Flags compared with what a session had set.
    pub flag_checks: u64,
    /// Of those, compared in a session other than the one that set them.
    pub flag_checks_cross_session: u64,
    /// Responses that did not decode (the grammar was violated) or exceeded limits.
    pub grammar_violations: u64,
    /// Folder resyncs checked (what the session knew plus what it got against the folder).
    #[serde(default)]
    pub resync_checks: u64,
    /// Of those, QRESYNC SELECTs (RFC 7162 §3.2.5) rather than full listings.
    #[serde(default)]
    pub qresync_checks: u64,
    /// Of those, resyncs that did not add up: a known message missing or vanished with no
    /// client removing it, or a QRESYNC SELECT whose VANISHED and FETCH do not make EXISTS.
    #[serde(default)]
    pub resync_mismatches: u64,
    /// Evidence: the first violations, each one line.
    pub evidence: Vec<String>,
}

/// A run's (or a shard's, or a merge's) complete result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoadResult {
    /// Result format version.
    pub version: u32,
    /// The mix name.
    pub mix: String,
    /// The target's name.
    pub target: String,
    /// The shards this result covers (one for a single run).
    pub shards: Vec<Shard>,
    /// Users simulated.
    pub users: u64,
    /// Seconds of load (ramp included, drain excluded).
    pub duration_secs: f64,
    /// The most sessions held at once (for a merge: the sum of the shards' peaks, an upper
    /// bound).
    pub sessions_peak: u64,
    /// Resident memory of the generator before the load, bytes (0 when unknown; a merge adds).
    #[serde(default)]
    pub rss_start_bytes: u64,
    /// The highest resident memory of the generator seen during the load, bytes.
    #[serde(default)]
    pub rss_peak_bytes: u64,
    /// CPU seconds the generator used during the load and drain (0 when unknown; a merge adds).
    #[serde(default)]
    pub cpu_secs: f64,
    /// Per action.
    pub actions: BTreeMap<String, ActionSummary>,
    /// Errors by kind.
    pub errors: BTreeMap<String, u64>,
    /// The first errors, one line each.
    pub error_samples: Vec<String>,
    /// Delivery tracking.
    pub delivery: Delivery,
    /// State checks.
    pub correctness: Correctness,
    /// Per-second samples (a merge adds them second by second).
    pub timeline: Vec<Sample>,
    /// The SLOs and how they came out.
    pub slos: Vec<SloOutcome>,
    /// Whether the run passed: no lost or duplicated message, no state violation, every SLO met.
    pub passed: bool,
    /// Why it failed, one reason a line.
    pub failures: Vec<String>,
}

/// One SLO and its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloOutcome {
    /// As given (`imap.fetch-body.p99<500ms`).
    pub slo: String,
    /// The measured value, in the SLO's unit (ms or %).
    pub measured: Option<f64>,
    /// Whether it was met.
    pub met: bool,
}

impl LoadResult {
    /// Actions finished, ok or failed.
    pub fn total_actions(&self) -> u64 {
        self.actions.values().map(|a| a.ok + a.failed).sum()
    }

    /// Actions failed.
    pub fn total_failed(&self) -> u64 {
        self.actions.values().map(|a| a.failed).sum()
    }

    /// Combines shard results exactly: counts add, histograms add, evidence is concatenated
    /// (bounded), timelines add second by second; the verdict is judged again with `slos`.
    pub fn merge(results: &[LoadResult], slos: &[super::slo::Slo]) -> Result<LoadResult, String> {
        let first = results.first().ok_or("nothing to merge")?;
        let mut actions: BTreeMap<String, (u64, u64, Histogram<u64>)> = BTreeMap::new();
        let mut errors = BTreeMap::new();
        let mut samples = Vec::new();
        let mut delivery_histogram = new_histogram();
        let mut delivery = (0u64, 0u64, 0u64, 0u64);
        let mut correctness = Correctness::default();
        let mut timeline: Vec<Sample> = Vec::new();
        let mut shards = Vec::new();
        let (mut users, mut peak, mut duration) = (0, 0, 0f64);
        let (mut rss_start, mut rss_peak, mut cpu) = (0, 0, 0.0);
        for result in results {
            if result.version != RESULT_VERSION {
                return Err(format!(
                    "result version {} is not {RESULT_VERSION}",
                    result.version
                ));
            }
            shards.extend(result.shards.iter().copied());
            users += result.users;
            peak += result.sessions_peak;
            rss_start += result.rss_start_bytes;
            rss_peak += result.rss_peak_bytes;
            cpu += result.cpu_secs;
            duration = duration.max(result.duration_secs);
            for (name, action) in &result.actions {
                let entry = actions
                    .entry(name.clone())
                    .or_insert_with(|| (0, 0, new_histogram()));
                entry.0 += action.ok;
                entry.1 += action.failed;
                let histogram = decode_histogram(&action.histogram)?;
                entry
                    .2
                    .add(&histogram)
                    .map_err(|e| format!("{name}: {e:?}"))?;
            }
            for (kind, count) in &result.errors {
                *errors.entry(kind.clone()).or_insert(0) += count;
            }
            samples.extend(result.error_samples.iter().cloned());
            delivery.0 += result.delivery.submitted;
            delivery.1 += result.delivery.delivered;
            delivery.2 += result.delivery.lost;
            delivery.3 += result.delivery.duplicated;
            delivery_histogram
                .add(&decode_histogram(&result.delivery.histogram)?)
                .map_err(|e| format!("delivery: {e:?}"))?;
            let c = &result.correctness;
            correctness.uid_regressions += c.uid_regressions;
            correctness.flag_mismatches += c.flag_mismatches;
            correctness.flag_checks += c.flag_checks;
            correctness.flag_checks_cross_session += c.flag_checks_cross_session;
            correctness.grammar_violations += c.grammar_violations;
            correctness.resync_checks += c.resync_checks;
            correctness.qresync_checks += c.qresync_checks;
            correctness.resync_mismatches += c.resync_mismatches;
            correctness.evidence.extend(c.evidence.iter().cloned());
            for sample in &result.timeline {
                let at = usize::try_from(sample.second).unwrap_or(usize::MAX);
                if at >= 100_000 {
                    continue;
                }
                if timeline.len() <= at {
                    timeline.resize(at + 1, Sample::default());
                }
                let slot = &mut timeline[at];
                slot.second = sample.second;
                slot.sessions += sample.sessions;
                slot.actions += sample.actions;
                slot.errors += sample.errors;
                slot.p50_ms = slot.p50_ms.max(sample.p50_ms);
                slot.p99_ms = slot.p99_ms.max(sample.p99_ms);
            }
        }
        samples.truncate(MAX_SAMPLES * 4);
        correctness.evidence.truncate(MAX_SAMPLES * 4);
        shards.sort_by_key(|s| (s.count, s.index));
        let mut merged = LoadResult {
            version: RESULT_VERSION,
            mix: first.mix.clone(),
            target: first.target.clone(),
            shards,
            users,
            duration_secs: duration,
            sessions_peak: peak,
            rss_start_bytes: rss_start,
            rss_peak_bytes: rss_peak,
            cpu_secs: cpu,
            actions: actions
                .into_iter()
                .map(|(name, (ok, failed, h))| (name, ActionSummary::new(ok, failed, &h)))
                .collect(),
            errors,
            error_samples: samples,
            delivery: Delivery {
                submitted: delivery.0,
                delivered: delivery.1,
                lost: delivery.2,
                duplicated: delivery.3,
                latency_ms: Percentiles::of(&delivery_histogram),
                histogram: encode_histogram(&delivery_histogram),
            },
            correctness,
            timeline,
            slos: Vec::new(),
            passed: false,
            failures: Vec::new(),
        };
        merged.judge(slos);
        Ok(merged)
    }

    /// Sets `slos`, `passed` and `failures`: any lost or duplicated message, UID regression,
    /// flag mismatch or grammar violation fails the run, and so does an SLO not met.
    pub fn judge(&mut self, slos: &[super::slo::Slo]) {
        let mut failures = Vec::new();
        if self.delivery.lost > 0 {
            failures.push(format!("{} message(s) lost", self.delivery.lost));
        }
        if self.delivery.duplicated > 0 {
            failures.push(format!(
                "{} message(s) duplicated",
                self.delivery.duplicated
            ));
        }
        let c = &self.correctness;
        if c.uid_regressions > 0 {
            failures.push(format!("{} UID regression(s)", c.uid_regressions));
        }
        if c.flag_mismatches > 0 {
            failures.push(format!("{} flag mismatch(es)", c.flag_mismatches));
        }
        if c.resync_mismatches > 0 {
            failures.push(format!(
                "{} resync(s) that did not add up",
                c.resync_mismatches
            ));
        }
        if c.grammar_violations > 0 {
            failures.push(format!(
                "{} response(s) violating the grammar",
                c.grammar_violations
            ));
        }
        self.slos = slos
            .iter()
            .map(|slo| {
                let measured = slo.measure(self);
                let met = measured.is_some_and(|value| slo.holds(value));
                if !met {
                    failures.push(match measured {
                        Some(value) => {
                            format!("SLO {} not met: {value:.3}{}", slo.text, slo.unit())
                        }
                        None => format!("SLO {} not measured (no such action ran)", slo.text),
                    });
                }
                SloOutcome {
                    slo: slo.text.clone(),
                    measured,
                    met,
                }
            })
            .collect();
        self.passed = failures.is_empty();
        self.failures = failures;
    }

    /// The text report.
    pub fn render_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let shards = if self.shards.len() > 1 {
            format!(", {} shards merged", self.shards.len())
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "groupwire load: mix {} against {}: {} users, {:.1} s{shards}, peak {} sessions",
            self.mix, self.target, self.users, self.duration_secs, self.sessions_peak
        );
        let total = self.total_actions();
        let rate = if self.duration_secs > 0.0 {
            total as f64 / self.duration_secs
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "{total} actions ({rate:.1}/s), {} failed ({:.3} %)",
            self.total_failed(),
            percent(self.total_failed(), total)
        );
        let _ = writeln!(
            out,
            "\n{:<20} {:>8} {:>7} {:>9} {:>9} {:>9} {:>9}",
            "action", "ok", "failed", "p50 ms", "p90 ms", "p99 ms", "max ms"
        );
        for (name, a) in &self.actions {
            let _ = writeln!(
                out,
                "{name:<20} {:>8} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2}",
                a.ok,
                a.failed,
                a.latency_ms.p50,
                a.latency_ms.p90,
                a.latency_ms.p99,
                a.latency_ms.max
            );
        }
        let d = &self.delivery;
        let _ = writeln!(
            out,
            "\ndelivery: {} submitted, {} delivered, {} lost, {} duplicated; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            d.submitted,
            d.delivered,
            d.lost,
            d.duplicated,
            d.latency_ms.p50,
            d.latency_ms.p99,
            d.latency_ms.max
        );
        let c = &self.correctness;
        let _ = writeln!(
            out,
            "state: {} UID regressions, {} flag mismatches in {} flag checks ({} across sessions), {} resync mismatches in {} resyncs ({} QRESYNC), {} grammar violations",
            c.uid_regressions,
            c.flag_mismatches,
            c.flag_checks,
            c.flag_checks_cross_session,
            c.resync_mismatches,
            c.resync_checks,
            c.qresync_checks,
            c.grammar_violations
        );
        if !self.errors.is_empty() {
            let kinds: Vec<String> = self
                .errors
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let _ = writeln!(out, "errors by kind: {}", kinds.join(", "));
            for sample in self.error_samples.iter().take(10) {
                let _ = writeln!(out, "  {sample}");
            }
        }
        for line in c.evidence.iter().take(20) {
            let _ = writeln!(out, "  evidence: {line}");
        }
        for slo in &self.slos {
            let measured = slo
                .measured
                .map_or("not measured".to_string(), |v| format!("{v:.3}"));
            let _ = writeln!(
                out,
                "SLO {}: {} ({measured})",
                slo.slo,
                if slo.met { "met" } else { "NOT MET" }
            );
        }
        if self.passed {
            let _ = writeln!(out, "PASS");
        } else {
            let _ = writeln!(out, "FAIL: {}", self.failures.join("; "));
        }
        out
    }
}

/// `part` of `whole` in percent (0 when `whole` is 0).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_round_trip_through_text() {
        let mut histogram = new_histogram();
        for micros in [5u64, 900, 12_000, 3_000_000] {
            histogram.record(micros).unwrap();
        }
        let back = decode_histogram(&encode_histogram(&histogram)).unwrap();
        assert_eq!(back.len(), 4);
        assert_eq!(back.max(), histogram.max());
        assert!(decode_histogram("not base64!").is_err());
    }
}
