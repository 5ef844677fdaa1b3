//! `clock`: podflow's virtual time. Every timestamp the cluster writes (`creationTimestamp`,
//! event times, lease renewals) and every delay a component waits (a 10 s lease renewal, a 50 s
//! grace period, an image pull) comes from here, so the cluster can run faster or slower than
//! the wall (`--speed`), stand still (`pause`), or skip straight to the next thing that will
//! happen (`jump_to_next_timer`) — which is how tests and the conductor's step mode move time.
//! Sim time is kept in Unix milliseconds.
//!
//! The clock is podflow's own (a heap of timers and a `now`) rather than tokio's paused clock,
//! which advances by itself whenever the runtime is idle: wrong while a hop is held.
//! While running, a driver task ([`Clock::drive`]) fires timers as wall time reaches them;
//! while paused, only `advance`/`jump_to_next_timer` fire them, in deadline order.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering, fence};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::{Notify, oneshot};

/// Virtual time: `now = anchor_sim + speed × (wall elapsed since anchor_wall)`, or
/// `anchor_sim` while paused.
pub struct Clock {
    /// The anchor, readable without a lock (a seqlock: odd `version` while a writer changes it),
    /// because every hop and every timestamp reads the time.
    version: AtomicU64,
    anchor_sim: AtomicI64,
    /// Nanoseconds since `base`.
    anchor_wall_ns: AtomicU64,
    speed_bits: AtomicU64,
    paused: AtomicBool,
    base: Instant,
    /// Writers of the anchor and the timers.
    state: Mutex<Timers>,
    /// Wakes the driver when the anchor or the earliest timer changes.
    changed: Notify,
    /// Components at work that no hop shows yet (a controller gathering a burst of changes):
    /// while any is, the cluster is not idle and nobody should jump to the next timer.
    busy: std::sync::atomic::AtomicUsize,
    /// The last stamp [`Clock::unique_ns`] gave.
    last_unique_ns: AtomicI64,
}

/// Marks a component busy until dropped (see [`Clock::busy`]).
pub struct Busy<'a>(&'a Clock);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Default)]
struct Timers {
    heap: BinaryHeap<Reverse<(i64, u64)>>,
    /// Senders by sequence number, so the heap stays `Ord` without them.
    waiting: std::collections::BTreeMap<u64, oneshot::Sender<()>>,
    next_seq: u64,
}

impl Timers {
    /// The earliest deadline someone still waits for (cancelled sleeps are dropped here).
    fn next_deadline(&mut self) -> Option<i64> {
        while let Some(Reverse((deadline, seq))) = self.heap.peek().copied() {
            match self.waiting.get(&seq) {
                Some(sender) if !sender.is_closed() => return Some(deadline),
                _ => {
                    self.heap.pop();
                    self.waiting.remove(&seq);
                }
            }
        }
        None
    }

    /// Fires every timer due at `now`, earliest (then oldest) first.
    fn fire_due(&mut self, now: i64) -> usize {
        let mut fired = 0;
        while let Some(Reverse((deadline, seq))) = self.heap.peek().copied() {
            if deadline > now {
                break;
            }
            self.heap.pop();
            if let Some(sender) = self.waiting.remove(&seq)
                && sender.send(()).is_ok()
            {
                fired += 1;
            }
        }
        fired
    }
}

impl Clock {
    /// A clock that starts at the wall clock's current time and runs at `speed` sim seconds per
    /// wall second.
    pub fn new(speed: f64) -> Clock {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Clock::starting_at(now_ms, speed)
    }

    /// A clock that starts at a given sim time (Unix ms): how traces get identical timestamps.
    pub fn starting_at(sim_ms: i64, speed: f64) -> Clock {
        Clock {
            version: AtomicU64::new(0),
            anchor_sim: AtomicI64::new(sim_ms),
            anchor_wall_ns: AtomicU64::new(0),
            speed_bits: AtomicU64::new(sanitize(speed).to_bits()),
            paused: AtomicBool::new(false),
            base: Instant::now(),
            state: Mutex::new(Timers::default()),
            changed: Notify::new(),
            busy: std::sync::atomic::AtomicUsize::new(0),
            last_unique_ns: AtomicI64::new(i64::MIN),
        }
    }

    /// A paused clock at `sim_ms`: time moves only by `advance` and `jump_to_next_timer`.
    pub fn paused_at(sim_ms: i64) -> Clock {
        let clock = Clock::starting_at(sim_ms, 1.0);
        clock.paused.store(true, Ordering::Relaxed);
        clock
    }

    fn wall_ns(&self) -> u64 {
        u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// The current sim time, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        loop {
            let before = self.version.load(Ordering::Acquire);
            if before % 2 == 1 {
                std::hint::spin_loop();
                continue;
            }
            let sim = self.anchor_sim.load(Ordering::Relaxed);
            let wall = self.anchor_wall_ns.load(Ordering::Relaxed);
            let speed = f64::from_bits(self.speed_bits.load(Ordering::Relaxed));
            let paused = self.paused.load(Ordering::Relaxed);
            fence(Ordering::Acquire);
            if self.version.load(Ordering::Relaxed) != before {
                continue;
            }
            if paused {
                return sim;
            }
            let elapsed_ns = self.wall_ns().saturating_sub(wall) as f64;
            return sim + (elapsed_ns / 1e6 * speed) as i64;
        }
    }

    /// Re-anchors: sim time `sim` from now on, at `speed`, paused or not. Callers hold the
    /// timers' lock, which serializes writers.
    fn set_anchor(&self, sim: i64, speed: f64, paused: bool) {
        self.version.fetch_add(1, Ordering::AcqRel);
        fence(Ordering::Release);
        self.anchor_sim.store(sim, Ordering::Relaxed);
        self.anchor_wall_ns.store(self.wall_ns(), Ordering::Relaxed);
        self.speed_bits.store(speed.to_bits(), Ordering::Relaxed);
        self.paused.store(paused, Ordering::Relaxed);
        self.version.fetch_add(1, Ordering::Release);
        self.changed.notify_one();
    }

    fn timers(&self) -> std::sync::MutexGuard<'_, Timers> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Says the caller is at work until the guard drops: whoever fast-forwards the cluster
    /// (tests, `trace`, a step) waits for it before jumping the clock.
    pub fn busy(&self) -> Busy<'_> {
        self.busy.fetch_add(1, Ordering::AcqRel);
        Busy(self)
    }

    /// Sim time now in nanoseconds, nudged forward so that no two calls on this clock get the
    /// same stamp (what event names are made of: client-go's wall-clock nanoseconds never
    /// repeat in practice; a paused clock's would).
    pub fn unique_ns(&self) -> i64 {
        let wanted = self.now_ms().saturating_mul(1_000_000);
        let mut last = self.last_unique_ns.load(Ordering::Relaxed);
        loop {
            let next = wanted.max(last.saturating_add(1));
            match self.last_unique_ns.compare_exchange_weak(
                last,
                next,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return next,
                Err(seen) => last = seen,
            }
        }
    }

    /// Whether some component said it is at work.
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire) > 0
    }

    pub fn speed(&self) -> f64 {
        f64::from_bits(self.speed_bits.load(Ordering::Relaxed))
    }

    pub fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Changes the speed from now on; sim time does not jump.
    pub fn set_speed(&self, speed: f64) {
        let _timers = self.timers();
        self.set_anchor(self.now_ms(), sanitize(speed), self.is_paused());
    }

    /// Stops time: no timer fires until `resume`, `advance` or `jump_to_next_timer`.
    pub fn pause(&self) {
        let _timers = self.timers();
        self.set_anchor(self.now_ms(), self.speed(), true);
    }

    /// Lets time run again at the current speed, from where it stood.
    pub fn resume(&self) {
        let _timers = self.timers();
        self.set_anchor(self.now_ms(), self.speed(), false);
    }

    /// Moves time forward by `by` at once, firing every timer that falls due, in order.
    pub fn advance(&self, by: Duration) -> usize {
        let mut timers = self.timers();
        let to = self.now_ms() + duration_ms(by);
        self.set_anchor(to, self.speed(), self.is_paused());
        timers.fire_due(to)
    }

    /// Moves time to the next timer anyone waits for and fires it (and any due with it).
    /// Returns the new time, or None when nobody waits.
    pub fn jump_to_next_timer(&self) -> Option<i64> {
        let mut timers = self.timers();
        let deadline = timers.next_deadline()?;
        let to = deadline.max(self.now_ms());
        self.set_anchor(to, self.speed(), self.is_paused());
        timers.fire_due(to);
        Some(to)
    }

    /// When the next timer falls due, if anyone waits.
    pub fn next_timer(&self) -> Option<i64> {
        self.timers().next_deadline()
    }

    /// Waits until `sim` of virtual time has passed.
    pub async fn sleep(&self, sim: Duration) {
        self.sleep_until(self.now_ms() + duration_ms(sim)).await;
    }

    /// Waits until sim time reaches `deadline` (Unix ms).
    pub async fn sleep_until(&self, deadline: i64) {
        let receiver = {
            let mut timers = self.timers();
            if deadline <= self.now_ms() {
                return;
            }
            let (sender, receiver) = oneshot::channel();
            let seq = timers.next_seq;
            timers.next_seq += 1;
            let earliest = timers.next_deadline().is_none_or(|next| deadline < next);
            timers.heap.push(Reverse((deadline, seq)));
            timers.waiting.insert(seq, sender);
            if earliest {
                self.changed.notify_one();
            }
            receiver
        };
        // The sender is dropped only with the clock itself: then there is nothing to wait for.
        let _ = receiver.await;
    }

    /// Fires timers as wall time reaches them while the clock runs; holds still while paused.
    /// The cluster spawns one driver per clock.
    pub async fn drive(self: Arc<Self>) {
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            // Register before looking, so a change between the look and the wait is not lost.
            notified.as_mut().enable();
            let wait = {
                let mut timers = self.timers();
                let now = self.now_ms();
                timers.fire_due(now);
                match (self.is_paused(), timers.next_deadline()) {
                    (false, Some(deadline)) => {
                        let sim_ms = (deadline - now).max(1) as f64;
                        Some(Duration::from_secs_f64(sim_ms / 1000.0 / self.speed()))
                    }
                    _ => None,
                }
            };
            match wait {
                Some(wall) => {
                    tokio::select! {
                        biased;
                        _ = &mut notified => {}
                        _ = tokio::time::sleep(wall) => {}
                    }
                }
                None => notified.await,
            }
        }
    }
}

fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 4)
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed.clamp(0.01, 10_000.0)
    } else {
        1.0
    }
}

/// A wall-time ticker, for what a person watches (the screen's clock): never for the cluster.
pub fn wall_ticker(period: Duration) -> tokio::time::Interval {
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    ticker
}

/// Waits for wall time, not sim time: only for pacing what a person watches (auto-play's
/// interval, the conductor's idle window) — never for a delay of the cluster.
pub async fn wall_sleep(wall: Duration) {
    tokio::time::sleep(wall).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn starts_where_asked_and_moves_forward() {
        let clock = Clock::starting_at(1_000_000, 1.0);
        let t = clock.now_ms();
        assert!((1_000_000..1_000_000 + 60_000).contains(&t));
        assert!(clock.now_ms() >= t);
    }

    #[test]
    fn speed_change_keeps_time_continuous() {
        let clock = Clock::starting_at(0, 1.0);
        let before = clock.now_ms();
        clock.set_speed(100.0);
        assert!(clock.now_ms() >= before);
        assert_eq!(clock.speed(), 100.0);
        clock.set_speed(f64::NAN);
        assert_eq!(clock.speed(), 1.0);
    }

    #[test]
    fn paused_time_stands_still_until_advanced() {
        let clock = Clock::paused_at(5_000);
        assert_eq!(clock.now_ms(), 5_000);
        assert_eq!(clock.now_ms(), 5_000);
        clock.advance(Duration::from_secs(10));
        assert_eq!(clock.now_ms(), 15_000);
        clock.resume();
        assert!(clock.now_ms() >= 15_000);
        clock.pause();
        let t = clock.now_ms();
        assert_eq!(clock.now_ms(), t);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn timers_fire_in_deadline_order_when_jumped_to() {
        let clock = Arc::new(Clock::paused_at(0));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (name, secs) in [("lease", 10u64), ("probe", 5), ("grace", 50), ("probe2", 5)] {
            let clock = clock.clone();
            let order = order.clone();
            tasks.push(tokio::spawn(async move {
                clock.sleep(Duration::from_secs(secs)).await;
                order.lock().unwrap().push((name, clock.now_ms()));
            }));
        }
        // Let every task register its timer.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert_eq!(clock.next_timer(), Some(5_000));
        let mut jumps = Vec::new();
        while let Some(t) = clock.jump_to_next_timer() {
            jumps.push(t);
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
        }
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(jumps, [5_000, 10_000, 50_000]);
        assert_eq!(
            *order.lock().unwrap(),
            [
                ("probe", 5_000),
                ("probe2", 5_000),
                ("lease", 10_000),
                ("grace", 50_000)
            ]
        );
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_cancelled_sleep_is_not_a_timer() {
        let clock = Arc::new(Clock::paused_at(0));
        let sleeping = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep(Duration::from_secs(30)).await })
        };
        tokio::task::yield_now().await;
        assert_eq!(clock.next_timer(), Some(30_000));
        sleeping.abort();
        let _ = sleeping.await;
        assert_eq!(clock.next_timer(), None);
        assert_eq!(clock.jump_to_next_timer(), None);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_driver_fires_timers_on_wall_time_scaled_by_speed() {
        // 20 sim seconds at 1000× are 20 wall milliseconds.
        let clock = Arc::new(Clock::starting_at(0, 1000.0));
        tokio::spawn(clock.clone().drive());
        let woke = Arc::new(AtomicUsize::new(0));
        let sleeper = {
            let clock = clock.clone();
            let woke = woke.clone();
            tokio::spawn(async move {
                clock.sleep(Duration::from_secs(20)).await;
                woke.fetch_add(1, Ordering::SeqCst);
            })
        };
        sleeper.await.unwrap();
        assert_eq!(woke.load(Ordering::SeqCst), 1);
        assert!(clock.now_ms() >= 20_000);
    }
}
