//! The rules every name and description follows, whatever it names: trimmed, bounded in
//! characters (not bytes), and a name is required and free of control characters. Each model
//! sets its own limits.
//!
//! The OpenAPI description states the same rules as patterns (the request types' `schema`
//! attributes), of the shape `^\s*[^\s<ctl>](?:[^<ctl>]{0,N-2}[^\s<ctl>])?\s*$`: 1 to N
//! characters once trimmed, no control character. Lengths are in the pattern, not `maxLength`,
//! because the text is trimmed before it is counted.

/// A trimmed name of 1 to `max` characters.
pub fn name(raw: &str, max: usize) -> Result<String, String> {
    let name = raw.trim();
    let len = name.chars().count();
    if len == 0 {
        Err("name is required".into())
    } else if len > max {
        Err(format!("name is at most {max} characters ({len} given)"))
    } else if name.chars().any(char::is_control) {
        Err("name cannot contain control characters".into())
    } else {
        Ok(name.to_string())
    }
}

/// A trimmed description of at most `max` characters.
pub fn description(raw: &str, max: usize) -> Result<String, String> {
    let d = raw.trim();
    let len = d.chars().count();
    if len > max {
        Err(format!(
            "description is at most {max} characters ({len} given)"
        ))
    } else if d
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err("description cannot contain control characters other than line breaks and tabs".into())
    } else {
        Ok(d.to_string())
    }
}

/// The key a name is listed by: lower-cased, with each run of digits compared as a number, so
/// "te2" comes before "te10" (natural order). A run is written as its count of significant
/// digits (two digits) and then those digits; leading zeros only break ties, by id.
pub fn sort_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len() + 8);
    let mut digits = String::new();
    let flush = |digits: &mut String, key: &mut String| {
        if digits.is_empty() {
            return;
        }
        let significant = digits.trim_start_matches('0');
        key.push_str(&format!("{:02}", significant.len().min(99)));
        key.push_str(significant);
        digits.clear();
    };
    for c in name.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut key);
            key.extend(c.to_lowercase());
        }
    }
    flush(&mut digits, &mut key);
    key
}

/// "1 connection", "2 connections": a count and its noun, plural by adding "s".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Where to go after signing in: only a local path, never another site. Only visible ASCII is
/// accepted (browsers percent-encode the rest): the path goes into a Location header, which
/// cannot carry anything else.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            p.to_string()
        }
        _ => "/environments".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_counted_in_characters_and_clean() {
        assert_eq!(name("  a ", 3).unwrap(), "a");
        assert!(name("   ", 3).is_err());
        assert!(name("ééé", 3).is_ok());
        assert!(name("éééé", 3).unwrap_err().contains("(4 given)"));
        assert!(name("a\u{7}b", 10).is_err());
        assert!(description("", 3).is_ok());
        assert!(description("abcd", 3).is_err());
        assert!(description("line\nbreak\ttab", 30).is_ok());
        assert!(description("nul\u{0}", 30).is_err());
    }

    #[test]
    fn names_sort_in_natural_order() {
        let mut names = vec![
            "te10", "te100", "Te2", "te1", "te0", "alpha", "te", "te1a", "te01b",
        ];
        names.sort_by_key(|n| sort_key(n));
        assert_eq!(
            names,
            ["alpha", "te", "te0", "te1", "te1a", "te01b", "Te2", "te10", "te100"]
        );
        assert_eq!(sort_key("Prod-EU 7"), "prod-eu 017");
        assert!(sort_key("node9") < sort_key("node10"));
        assert!(sort_key("v1.9") < sort_key("v1.10"));
    }
}
