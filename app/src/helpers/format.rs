//! How the UI writes values.

/// A moment, to the minute. UTC on both server and browser, so the hydrated page matches the
/// rendered one.
pub fn when(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}
