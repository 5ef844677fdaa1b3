//! `clock`: podflow's virtual time. Every timestamp the cluster writes (`creationTimestamp`,
//! event times) and every delay it waits comes from here, so tests and the conductor can run
//! the cluster faster or slower than the wall (`--speed`), and a fixed start makes traces
//! reproducible. Sim time is kept in Unix milliseconds.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Virtual time: `now = origin + speed × (wall elapsed since the last re-anchor)`.
pub struct Clock {
    state: Mutex<Anchor>,
}

#[derive(Clone, Copy)]
struct Anchor {
    wall: Instant,
    sim_ms: i64,
    speed: f64,
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
            state: Mutex::new(Anchor {
                wall: Instant::now(),
                sim_ms,
                speed: sanitize(speed),
            }),
        }
    }

    fn anchor(&self) -> Anchor {
        *self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current sim time, Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        let a = self.anchor();
        a.sim_ms + (a.wall.elapsed().as_secs_f64() * 1000.0 * a.speed) as i64
    }

    pub fn speed(&self) -> f64 {
        self.anchor().speed
    }

    /// Changes the speed from now on; sim time does not jump.
    pub fn set_speed(&self, speed: f64) {
        let mut a = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = a.sim_ms + (a.wall.elapsed().as_secs_f64() * 1000.0 * a.speed) as i64;
        *a = Anchor {
            wall: Instant::now(),
            sim_ms: now,
            speed: sanitize(speed),
        };
    }

    /// Waits until `sim` of virtual time has passed.
    pub async fn sleep(&self, sim: Duration) {
        let deadline = self.now_ms() + sim.as_millis() as i64;
        loop {
            let left = deadline - self.now_ms();
            if left <= 0 {
                return;
            }
            // Re-check after each wall slice: the speed may change while we wait.
            let wall = Duration::from_secs_f64(left as f64 / 1000.0 / self.speed());
            tokio::time::sleep(wall.min(Duration::from_millis(250))).await;
        }
    }
}

fn sanitize(speed: f64) -> f64 {
    if speed.is_finite() && speed > 0.0 {
        speed.clamp(0.01, 10_000.0)
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
