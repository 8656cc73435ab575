//! The rules of sign-in throttling and session lifetimes. The counts live in the database
//! (`store::throttle`); this is the arithmetic on them.

use crate::db::micros;
use crate::store::throttle::Entry;
use std::time::Duration;

/// Sessions and sign-in limits.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session unused this long ends (MESHENV_SESSION_IDLE).
    pub session_idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub session_ttl: Duration,
    pub throttle: ThrottleSettings,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            session_idle: Duration::from_secs(12 * 3600),
            session_ttl: Duration::from_secs(14 * 24 * 3600),
            throttle: ThrottleSettings::default(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct ThrottleSettings {
    /// Failures in one window before a key (login or address) is locked.
    pub max_failures: i64,
    /// How long failures are remembered, counted from the window's first one.
    pub window: Duration,
    /// The first lock; each further one lasts twice the one before, up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        ThrottleSettings {
            max_failures: 5,
            window: Duration::from_secs(15 * 60),
            base_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(15 * 60),
        }
    }
}

impl ThrottleSettings {
    /// Counts one failure at `now`. Returns whether it opened a new window (whose audit event
    /// is then new too). Reaching `max_failures` locks the key; every failure after that, once
    /// the lock has passed, locks it again for twice as long.
    pub fn fail(&self, e: &mut Entry, now: i64) -> bool {
        let window = micros(self.window);
        let opened = e.failures == 0 || now - e.window_started_at >= window;
        if opened {
            // A quiet window since the last lock ended forgives the earlier locks.
            if e.locked_until + window <= now {
                e.lockouts = 0;
            }
            e.failures = 0;
            e.window_started_at = now;
            e.audit_ids.clear();
        }
        e.failures += 1;
        if e.failures >= self.max_failures {
            let factor = 1i64 << e.lockouts.clamp(0, 20);
            let delay = micros(self.base_delay)
                .saturating_mul(factor)
                .min(micros(self.max_delay));
            e.locked_until = now + delay;
            e.lockouts += 1;
        }
        opened
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000;

    #[test]
    fn the_fifth_failure_locks_and_locks_double() {
        let t = ThrottleSettings {
            window: Duration::from_secs(24 * 3600),
            ..Default::default()
        };
        let mut e = Entry::default();
        let now = 1_000 * S;
        assert!(t.fail(&mut e, now));
        for i in 2..=4 {
            assert!(!t.fail(&mut e, now + i));
            assert_eq!(e.locked_until, 0);
        }
        t.fail(&mut e, now + 5);
        assert_eq!(e.locked_until, now + 5 + 30 * S);
        // after the lock, the next failure locks for twice as long, then four times
        let later = e.locked_until + 1;
        t.fail(&mut e, later);
        assert_eq!(e.locked_until, later + 60 * S);
        let later = e.locked_until + 1;
        t.fail(&mut e, later);
        assert_eq!(e.locked_until, later + 120 * S);
        // capped at max_delay
        let mut later = 0;
        for _ in 0..3 {
            later = e.locked_until + 1;
            t.fail(&mut e, later);
        }
        assert_eq!(e.locked_until - later, 15 * 60 * S);
    }

    #[test]
    fn a_quiet_window_starts_over() {
        let t = ThrottleSettings::default();
        let mut e = Entry::default();
        for i in 0..5 {
            t.fail(&mut e, i);
        }
        assert_eq!(e.lockouts, 1);
        let much_later = e.locked_until + 16 * 60 * S;
        assert!(t.fail(&mut e, much_later));
        assert_eq!((e.failures, e.lockouts, e.locked_until), (1, 0, 30 * S + 4));
    }
}
