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
}
