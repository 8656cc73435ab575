//! How the UI writes values.

use chrono::{Datelike, Timelike};

/// A moment, to the minute. UTC on both server and browser, so the hydrated page matches the
/// rendered one. Written out by hand: chrono's `format` would bring its whole strftime
/// interpreter into the browser's wasm.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn writes_the_minute_in_utc_zero_padded() {
        let t = chrono::Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 59).unwrap();
        assert_eq!(when(&t), "2026-03-04 05:06 UTC");
        let t = chrono::Utc.with_ymd_and_hms(987, 12, 31, 23, 0, 0).unwrap();
        assert_eq!(when(&t), "0987-12-31 23:00 UTC");
    }
}
