//! Unicode case mapping without Rust's case tables: `str::to_lowercase`
//! and `char::to_uppercase` link large conversion tables into the wasm
//! (see docs/size.md). ASCII text (nearly all of it) is mapped here; other text goes,
//! on wasm32, through JavaScript's `toLowerCase`/`toUpperCase` (the same
//! locale-independent Unicode default case mapping, final sigma included)
//! and natively (SSR, tests) through `str`'s own.

/// `s.to_lowercase()`.
pub fn to_lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        imp::to_lowercase(s)
    }
}

/// `s.to_uppercase()`.
pub fn to_uppercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_uppercase()
    } else {
        imp::to_uppercase(s)
    }
}

/// Case-insensitive equality under the full lowercase mapping
/// (`a.to_lowercase() == b.to_lowercase()`), without allocating for ASCII.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
        || (!(a.is_ascii() && b.is_ascii()) && to_lowercase(a) == to_lowercase(b))
}

#[cfg(target_arch = "wasm32")]
mod imp {
    use js_sys::JsString;

    pub fn to_lowercase(s: &str) -> String {
        JsString::from(s).to_lower_case().into()
    }

    pub fn to_uppercase(s: &str) -> String {
        JsString::from(s).to_upper_case().into()
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    pub fn to_lowercase(s: &str) -> String {
        s.to_lowercase()
    }

    pub fn to_uppercase(s: &str) -> String {
        s.to_uppercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_as_std() {
        for s in ["", "Climate", "ÉCONOMIE", "Straße", "ΟΔΟΣ", "İstanbul", "ǅ"] {
            assert_eq!(to_lowercase(s), s.to_lowercase(), "{s}");
            assert_eq!(to_uppercase(s), s.to_uppercase(), "{s}");
        }
        assert!(eq_ignore_case("Économie", "éCONOMIE"));
        assert!(eq_ignore_case("Tech", "tECH"));
        assert!(!eq_ignore_case("Tech", "Teck"));
        assert!(!eq_ignore_case("Straße", "STRASSE"));
    }
}
