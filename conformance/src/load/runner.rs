//! The run: users arrive (closed or open model), each session draws weighted actions with
//! think times, every action is timed into its histogram, and after the duration the
//! tracker's pending messages are waited for (the delivery bound) before the verdict.

use std::collections::VecDeque;
use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::accounts::{Shard, User};
use super::conn::Dialer;
use super::imap::{ImapError, ImapSession};
use super::mix::{ActionKind, Arrival, Mix};
use super::slo::Slo;
use super::stats::{LoadResult, RESULT_VERSION, Recorder, Sample};
use super::tracker::Tracker;

/// Everything a run needs.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The target's name (for the report).
    pub target: String,
    /// The IMAP endpoint, if the target has one.
    pub imap: Option<Dialer>,
    /// The submission endpoint, if the target has one.
    pub smtp: Option<Dialer>,
    /// The CalDAV base URL, if the target has one.
    pub caldav: Option<Dialer>,
    /// The CardDAV base URL, if the target has one.
    pub carddav: Option<Dialer>,
    /// Every user of the whole run (all shards).
    pub users: Vec<User>,
    /// This shard.
    pub shard: Shard,
    /// The mix.
    pub mix: Mix,
    /// Time over which users (closed) or the rate (open) ramp up.
    pub ramp: Duration,
    /// How long load is applied (ramp included).
    pub duration: Duration,
    /// How long after the load an accepted message may take to show up.
    pub delivery_bound: Duration,
    /// How long one action may take.
    pub action_timeout: Duration,
    /// Thresholds.
    pub slos: Vec<Slo>,
    /// Seed of the action choices.
    pub seed: u64,
}

/// A small, fast, seedable generator (SplitMix64): action choices, jitter, recipients.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `d` jittered uniformly within ±50 %.
    pub fn jitter(&mut self, d: Duration) -> Duration {
        let factor = 0.5 + (self.next_u64() % 1000) as f64 / 1000.0;
        d.mul_f64(factor)
    }
}

struct Shared {
    plan: Plan,
    slice: Range<usize>,
    tracker: Tracker,
    recorder: Recorder,
    stop: watch::Receiver<bool>,
    session_ids: AtomicU64,
    rss_peak: AtomicU64,
    dav_tokens: super::dav::Tokens,
}

/// Runs the plan to its end and returns the judged result.
pub async fn run(
    plan: Plan,
    progress: Option<indicatif::ProgressBar>,
) -> Result<LoadResult, String> {
    let slice = plan.shard.range(plan.users.len());
    if slice.is_empty() {
        return Err(format!(
            "shard {}/{} of {} users is empty",
            plan.shard.index,
            plan.shard.count,
            plan.users.len()
        ));
    }
    if plan.mix.uses_imap() && plan.imap.is_none() {
        return Err("the mix uses IMAP but the target names no IMAP endpoint".into());
    }
    let submits = plan
        .mix
        .actions
        .iter()
        .any(|a| a.kind == ActionKind::SmtpSubmit && a.weight > 0);
    if submits && plan.smtp.is_none() {
        return Err("the mix submits mail but the target names no submission endpoint".into());
    }
    for (kind, dialer, base) in [
        (ActionKind::CaldavSync, &plan.caldav, "caldav"),
        (ActionKind::CarddavSync, &plan.carddav, "carddav"),
    ] {
        if dialer.is_none()
            && plan
                .mix
                .actions
                .iter()
                .any(|a| a.kind == kind && a.weight > 0)
        {
            return Err(format!(
                "the mix uses {} but the target names no {base} URL",
                kind.name()
            ));
        }
    }
    if submits && plan.imap.is_none() {
        return Err("delivery is verified over IMAP: the target needs an IMAP endpoint".into());
    }
    let run_id = format!(
        "{:x}{:x}s{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64 & 0xff_ffff_ffff),
        plan.shard.index
    );
    let (stop_tx, stop) = watch::channel(false);
    let shared = Arc::new(Shared {
        slice: slice.clone(),
        tracker: Tracker::new(run_id),
        recorder: Recorder::default(),
        stop,
        session_ids: AtomicU64::new(1),
        rss_peak: AtomicU64::new(0),
        dav_tokens: super::dav::Tokens::default(),
        plan,
    });
    let rss_start = super::limits::rss_bytes().unwrap_or(0);
    let cpu_start = super::limits::cpu_seconds();
    let started = Instant::now();
    let sampler = tokio::spawn(sample(Arc::clone(&shared), started, progress.clone()));
    let mut users = JoinSet::new();
    match shared.plan.mix.arrival {
        Arrival::Closed {
            pause,
            sessions_per_user,
        } => {
            let count = slice.len();
            for (n, user) in slice.clone().enumerate() {
                let shared = Arc::clone(&shared);
                let delay = shared.plan.ramp.mul_f64(n as f64 / count as f64);
                users.spawn(async move {
                    let mut stop = shared.stop.clone();
                    if sleep_or_stop(delay, &mut stop).await {
                        return;
                    }
                    let mut rng = Rng::new(
                        shared.plan.seed ^ (user as u64).wrapping_mul(0x2545_F491_4F6C_DD1D),
                    );
                    let mut sessions = 0u32;
                    loop {
                        session(&shared, user, &mut rng).await;
                        sessions += 1;
                        if sessions == sessions_per_user
                            || *stop.borrow()
                            || sleep_or_stop(rng.jitter(pause), &mut stop).await
                        {
                            return;
                        }
                    }
                });
            }
        }
        Arrival::Open { rate } => {
            let shared = Arc::clone(&shared);
            users.spawn(async move { open_arrivals(shared, rate, started).await });
        }
    }
    let mut stop_wait = shared.stop.clone();
    let end = tokio::time::sleep(shared.plan.duration);
    tokio::select! {
        () = end => {}
        // Every user finished early (not with the built-in mixes, whose sessions repeat).
        _ = async { while users.join_next().await.is_some() {} } => {}
        _ = stop_wait.changed() => {}
    }
    let load_secs = started.elapsed().as_secs_f64();
    let _ = stop_tx.send(true);
    // Sessions finish their action (IDLE ends at once) and log out.
    let grace = shared.plan.action_timeout + Duration::from_secs(5);
    if tokio::time::timeout(grace, async { while users.join_next().await.is_some() {} })
        .await
        .is_err()
    {
        users.abort_all();
    }
    if let Some(bar) = &progress {
        bar.set_message("waiting for pending deliveries");
    }
    drain(&shared).await;
    sampler.abort();
    if let Some(bar) = &progress {
        bar.finish_and_clear();
    }
    let finished = shared.recorder.finish();
    let names = |index: usize| {
        shared
            .plan
            .users
            .get(index)
            .map_or_else(|| format!("user #{index}"), |u| u.address.clone())
    };
    let (delivery, correctness) = shared.tracker.finish(&names, shared.plan.delivery_bound);
    let mut result = LoadResult {
        version: RESULT_VERSION,
        mix: shared.plan.mix.name.clone(),
        target: shared.plan.target.clone(),
        shards: vec![shared.plan.shard],
        users: slice.len() as u64,
        duration_secs: load_secs,
        sessions_peak: shared.recorder.sessions_peak.load(Ordering::Relaxed),
        rss_start_bytes: rss_start,
        rss_peak_bytes: shared.rss_peak.load(Ordering::Relaxed),
        cpu_secs: match (cpu_start, super::limits::cpu_seconds()) {
            (Some(start), Some(end)) => (end - start).max(0.0),
            _ => 0.0,
        },
        actions: finished.actions,
        errors: finished.errors,
        error_samples: finished.samples,
        delivery,
        correctness,
        timeline: finished.timeline,
        slos: Vec::new(),
        passed: false,
        failures: Vec::new(),
    };
    result.judge(&shared.plan.slos);
    Ok(result)
}

/// Sleeps `d`; true when the run was stopped meanwhile.
async fn sleep_or_stop(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        () = tokio::time::sleep(d) => *stop.borrow(),
        _ = stop.changed() => true,
    }
}

/// Open model: sessions start at `rate` per second (ramped), each with a user not in a
/// session; an arrival finding every user busy is counted (`load.arrival-skipped`).
async fn open_arrivals(shared: Arc<Shared>, rate: f64, started: Instant) {
    let free = Arc::new(std::sync::Mutex::new(
        shared.slice.clone().collect::<VecDeque<usize>>(),
    ));
    let mut sessions = JoinSet::new();
    let mut stop = shared.stop.clone();
    let mut rng = Rng::new(shared.plan.seed);
    // Arrivals are owed at the current (ramped) rate; a short tick pays them out, so a low
    // rate at the start of the ramp does not delay the first arrivals by a long gap.
    let tick = Duration::from_millis(20);
    let mut owed = 0.0f64;
    let mut last = Instant::now();
    loop {
        if sleep_or_stop(tick, &mut stop).await {
            break;
        }
        let now = Instant::now();
        let elapsed = started.elapsed().as_secs_f64();
        let ramp = shared.plan.ramp.as_secs_f64();
        let now_rate = if ramp > 0.0 && elapsed < ramp {
            rate * elapsed / ramp
        } else {
            rate
        };
        owed += now_rate * now.duration_since(last).as_secs_f64();
        last = now;
        while owed >= 1.0 {
            owed -= 1.0;
            let user = free.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
            let Some(user) = user else {
                shared
                    .recorder
                    .error_only("load.arrival-skipped", "every user of the shard was busy");
                continue;
            };
            let shared = Arc::clone(&shared);
            let free = Arc::clone(&free);
            let seed = rng.next_u64();
            sessions.spawn(async move {
                let mut rng = Rng::new(seed);
                session(&shared, user, &mut rng).await;
                free.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push_back(user);
            });
        }
        while sessions.try_join_next().is_some() {}
    }
    while sessions.join_next().await.is_some() {}
}

fn record_imap_error(shared: &Shared, action: &'static str, error: &ImapError) {
    if error.is_grammar() {
        shared
            .tracker
            .grammar_violation(format!("{action}: {}", error.detail));
    }
    shared.recorder.failed(action, &error.kind, &error.detail);
}

/// One session of `user`: up to `actions_per_session` actions (0: until the run stops).
async fn session(shared: &Shared, index: usize, rng: &mut Rng) {
    let plan = &shared.plan;
    let Some(user) = plan.users.get(index) else {
        return;
    };
    let mut stop = shared.stop.clone();
    let mut imap: Option<ImapSession> = None;
    let mut done = 0u32;
    loop {
        if *stop.borrow() {
            break;
        }
        if plan.mix.actions_per_session > 0 && done >= plan.mix.actions_per_session {
            break;
        }
        let Some(action) = plan.mix.pick(rng.next_u64()).cloned() else {
            break;
        };
        done += 1;
        if action.kind.is_imap() && imap.is_none() {
            let Some(dialer) = &plan.imap else { break };
            let id = shared.session_ids.fetch_add(1, Ordering::Relaxed);
            let begun = Instant::now();
            match tokio::time::timeout(
                plan.action_timeout,
                ImapSession::open(dialer, user, id, &shared.tracker, plan.mix.uses_qresync()),
            )
            .await
            {
                Ok(Ok(session)) => {
                    shared.recorder.ok("imap.login", begun.elapsed());
                    shared.recorder.session_opened();
                    imap = Some(session);
                }
                Ok(Err(error)) => {
                    record_imap_error(shared, "imap.login", &error);
                    if sleep_or_stop(rng.jitter(Duration::from_secs(1)), &mut stop).await {
                        break;
                    }
                    continue;
                }
                Err(_) => {
                    shared.recorder.failed(
                        "imap.login",
                        "imap.timeout",
                        "no answer within the action timeout",
                    );
                    continue;
                }
            }
        }
        let begun = Instant::now();
        let name = action.kind.name();
        let outcome = match (action.kind, imap.as_mut()) {
            (ActionKind::SmtpSubmit, _) => {
                submit(shared, user, action.size, rng).await;
                None
            }
            (ActionKind::CaldavSync | ActionKind::CarddavSync, _) => {
                dav_sync(
                    shared,
                    user,
                    &action.path,
                    action.kind == ActionKind::CaldavSync,
                )
                .await;
                None
            }
            (kind, Some(session)) => {
                let random = rng.next_u64();
                let tracker = &shared.tracker;
                let timeout = if kind == ActionKind::ImapIdle {
                    action.think + plan.action_timeout
                } else {
                    plan.action_timeout
                };
                let run = async {
                    match kind {
                        ActionKind::ImapIdle => {
                            let hold = rng.jitter(action.think);
                            let woke = session.idle(hold, &mut stop.clone()).await?;
                            if woke {
                                let sync_begun = Instant::now();
                                session.sync(user, tracker).await?;
                                shared.recorder.ok("imap.sync", sync_begun.elapsed());
                            }
                            Ok(())
                        }
                        ActionKind::ImapSync => session.sync(user, tracker).await.map(|_| ()),
                        ActionKind::ImapResync => {
                            session
                                .resync(user, tracker, &action.folders, action.qresync)
                                .await
                        }
                        ActionKind::ImapFetchHeaders => session.fetch_headers(user, tracker).await,
                        ActionKind::ImapFetchBody => {
                            session.fetch_body(user, tracker, random).await
                        }
                        ActionKind::ImapFlag => session.flag(user, tracker, random).await,
                        ActionKind::ImapAppend => session.append(user, tracker, action.size).await,
                        ActionKind::ImapMove => session.move_to_trash(user, tracker).await,
                        ActionKind::SmtpSubmit
                        | ActionKind::CaldavSync
                        | ActionKind::CarddavSync => Ok(()),
                    }
                };
                Some(match tokio::time::timeout(timeout, run).await {
                    Ok(result) => result,
                    Err(_) => Err(ImapError {
                        kind: "imap.timeout".into(),
                        detail: format!("{name}: no answer within {} s", timeout.as_secs()),
                        fatal: true,
                    }),
                })
            }
            (_, None) => continue,
        };
        match outcome {
            Some(Ok(())) => shared.recorder.ok(name, begun.elapsed()),
            Some(Err(error)) => {
                record_imap_error(shared, name, &error);
                if error.fatal {
                    imap = None;
                    shared.recorder.session_closed();
                }
            }
            None => {}
        }
        if action.kind != ActionKind::ImapIdle
            && sleep_or_stop(rng.jitter(action.think), &mut stop).await
        {
            break;
        }
    }
    if let Some(session) = imap {
        session.logout().await;
        shared.recorder.session_closed();
    }
}

/// One CalDAV or CardDAV sync of `user`'s collection.
async fn dav_sync(shared: &Shared, user: &User, path: &str, calendar: bool) {
    let (dialer, name) = if calendar {
        (&shared.plan.caldav, "caldav.sync")
    } else {
        (&shared.plan.carddav, "carddav.sync")
    };
    let Some(dialer) = dialer else { return };
    let begun = Instant::now();
    let result = tokio::time::timeout(
        shared.plan.action_timeout,
        super::dav::sync(dialer, user, path, calendar, &shared.dav_tokens),
    )
    .await;
    match result {
        Ok(Ok(_)) => shared.recorder.ok(name, begun.elapsed()),
        Ok(Err(error)) => {
            if error.is_grammar() {
                shared
                    .tracker
                    .grammar_violation(format!("{name}: {}", error.detail));
            }
            shared.recorder.failed(name, &error.kind, &error.detail);
        }
        Err(_) => {
            shared
                .recorder
                .failed(name, "dav.timeout", "no answer within the action timeout")
        }
    }
}

/// One submission to another user of the shard.
async fn submit(shared: &Shared, from: &User, size: usize, rng: &mut Rng) {
    let plan = &shared.plan;
    let Some(dialer) = &plan.smtp else { return };
    let len = shared.slice.len() as u64;
    let mut to = shared.slice.start + usize::try_from(rng.next_u64() % len).unwrap_or(0);
    if to == from.index && len > 1 {
        to = shared.slice.start + (to - shared.slice.start + 1) % shared.slice.len();
    }
    let Some(recipient) = plan.users.get(to) else {
        return;
    };
    let begun = Instant::now();
    let result = tokio::time::timeout(
        plan.action_timeout,
        super::smtp::submit(dialer, from, recipient, size, &shared.tracker),
    )
    .await;
    match result {
        Ok(Ok(())) => shared.recorder.ok("smtp.submit", begun.elapsed()),
        Ok(Err(error)) => {
            if error.is_grammar() {
                shared
                    .tracker
                    .grammar_violation(format!("smtp.submit: {}", error.detail));
            }
            shared
                .recorder
                .failed("smtp.submit", &error.kind, &error.detail);
        }
        Err(_) => shared.recorder.failed(
            "smtp.submit",
            "smtp.timeout",
            "no answer within the action timeout",
        ),
    }
}

/// After the load: every recipient of an accepted message is synced once (late duplicates
/// show up there), then those with messages not yet seen every 500 ms, until none is
/// pending or the delivery bound has passed.
async fn drain(shared: &Arc<Shared>) {
    let Some(dialer) = shared.plan.imap.clone() else {
        return;
    };
    let deadline = Instant::now() + shared.plan.delivery_bound;
    let limit = Arc::new(Semaphore::new(50));
    let mut first = true;
    loop {
        let pending: Vec<usize> = if first {
            // The first round visits every recipient: duplicates delivered after a user's
            // last sync show up here.
            shared.tracker.recipients()
        } else {
            shared
                .tracker
                .pending()
                .into_iter()
                .map(|(user, _)| user)
                .collect()
        };
        first = false;
        if pending.is_empty() {
            return;
        }
        let mut syncs = JoinSet::new();
        for index in pending {
            let (shared, dialer, limit) = (Arc::clone(shared), dialer.clone(), Arc::clone(&limit));
            syncs.spawn(async move {
                let Ok(_permit) = limit.acquire_owned().await else {
                    return;
                };
                let Some(user) = shared.plan.users.get(index) else {
                    return;
                };
                let id = shared.session_ids.fetch_add(1, Ordering::Relaxed);
                let work = async {
                    let mut session =
                        ImapSession::open(&dialer, user, id, &shared.tracker, false).await?;
                    session.sync(user, &shared.tracker).await?;
                    session.logout().await;
                    Ok::<(), ImapError>(())
                };
                match tokio::time::timeout(shared.plan.action_timeout, work).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => record_imap_error(&shared, "drain.sync", &error),
                    Err(_) => {
                        shared
                            .recorder
                            .failed("drain.sync", "imap.timeout", "drain sync timed out")
                    }
                }
            });
        }
        while syncs.join_next().await.is_some() {}
        if shared.tracker.pending().is_empty() || Instant::now() >= deadline {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Samples the timeline every second and updates the progress line.
async fn sample(shared: Arc<Shared>, started: Instant, progress: Option<indicatif::ProgressBar>) {
    let mut interval = tokio::time::interval(Duration::from_secs(1));
    interval.tick().await;
    let (mut last_actions, mut last_errors) = (0, 0);
    loop {
        interval.tick().await;
        let r = &shared.recorder;
        let actions = r.actions.load(Ordering::Relaxed);
        let errors = r.errors.load(Ordering::Relaxed);
        let sessions = r.sessions.load(Ordering::Relaxed);
        if let Some(rss) = super::limits::rss_bytes() {
            shared.rss_peak.fetch_max(rss, Ordering::Relaxed);
        }
        r.sample(Sample {
            second: started.elapsed().as_secs(),
            sessions,
            actions: actions - last_actions,
            errors: errors - last_errors,
            ..Sample::default()
        });
        if let Some(bar) = &progress {
            let p99: Vec<String> = r
                .p99s()
                .into_iter()
                .map(|(name, ms)| format!("{name} {ms:.0}ms"))
                .collect();
            bar.set_message(format!(
                "{sessions} sessions, {} actions/s, {errors} errors | p99 {}",
                actions - last_actions,
                p99.join(" ")
            ));
            bar.tick();
        }
        last_actions = actions;
        last_errors = errors;
    }
}
