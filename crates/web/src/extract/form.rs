//! Rails' bracket notation: the `(name, value)` pairs of a form or multipart body become the JSON
//! object a JSON body would have been. `message[content]=x` is `{"message": {"content": "x"}}`,
//! `labels[]=a&labels[]=b` is `{"labels": ["a", "b"]}`, `a[][b]=1&a[][c]=2` is
//! `{"a": [{"b": "1", "c": "2"}]}`. Mirrors `Rack::QueryParser#normalize_params` (rack 3),
//! including its depth limit; values stay strings (casting is `lenient`'s job).

use serde_json::{Map, Value};

/// How deep brackets may nest (Rack's `param_depth_limit`).
pub const MAX_DEPTH: usize = 32;
/// How many pairs a body may hold (Rack's `params_limit`).
pub const MAX_PAIRS: usize = 4096;

/// Why a body's pairs cannot be read as parameters. Each names the top-level field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormError {
    /// More than [`MAX_DEPTH`] levels of brackets.
    TooDeep(String),
    /// One name used as two kinds of thing (`a=1&a[b]=2`).
    Conflict(String),
    /// More than [`MAX_PAIRS`] pairs.
    TooMany,
}

impl FormError {
    /// The field a 422 names.
    pub fn attribute(&self) -> &str {
        match self {
            FormError::TooDeep(field) | FormError::Conflict(field) => field,
            FormError::TooMany => "body",
        }
    }

    pub fn message(&self) -> String {
        match self {
            FormError::TooDeep(field) => {
                format!("{field} is nested too deeply (at most {MAX_DEPTH} levels of brackets)")
            }
            FormError::Conflict(field) => {
                format!("{field} is sent both as a value and as a list or a group of fields")
            }
            FormError::TooMany => format!("The body holds more than {MAX_PAIRS} parameters"),
        }
    }
}

/// Builds the parameters object from `(name, value)` pairs in order; `None` is a name sent
/// without `=` (Rack's `nil`).
pub fn params<I>(pairs: I) -> Result<Map<String, Value>, FormError>
where
    I: IntoIterator<Item = (String, Option<String>)>,
{
    let mut params = Map::new();
    for (count, (name, value)) in pairs.into_iter().enumerate() {
        if count >= MAX_PAIRS {
            return Err(FormError::TooMany);
        }
        let value = value.map_or(Value::Null, Value::String);
        let top = top_key(&name).to_owned();
        normalize(&mut params, &name, value, 0).map_err(|kind| match kind {
            Failure::TooDeep => FormError::TooDeep(top),
            Failure::Conflict => FormError::Conflict(top),
        })?;
    }
    Ok(params)
}

/// The URL-encoded pairs of an `application/x-www-form-urlencoded` body, `+` as space.
pub fn urlencoded_pairs(body: &[u8]) -> Vec<(String, Option<String>)> {
    body.split(|b| *b == b'&')
        .filter(|part| !part.is_empty())
        .map(|part| match part.iter().position(|b| *b == b'=') {
            Some(at) => (decode(&part[..at]), Some(decode(&part[at + 1..]))),
            None => (decode(part), None),
        })
        .collect()
}

fn decode(bytes: &[u8]) -> String {
    let spaced: Vec<u8> = bytes
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

/// The name a pair sets at the top level (`message` for `message[content]`).
fn top_key(name: &str) -> &str {
    match name.get(1..).and_then(|rest| rest.find('[')) {
        Some(at) => &name[..at + 1],
        None => name,
    }
}

enum Failure {
    TooDeep,
    Conflict,
}

/// `Rack::QueryParser#_normalize_params`: sets `value` at the path `name` spells inside
/// `params`. At depth 0 a leading `[` is part of the key, as in Rack.
fn normalize(
    params: &mut Map<String, Value>,
    name: &str,
    value: Value,
    depth: usize,
) -> Result<(), Failure> {
    if depth >= MAX_DEPTH {
        return Err(Failure::TooDeep);
    }
    let (key, after) = if depth == 0 {
        match name.get(1..).and_then(|rest| rest.find('[')) {
            Some(at) => name.split_at(at + 1),
            None => (name, ""),
        }
    } else if let Some(after) = name.strip_prefix("[]") {
        ("[]", after)
    } else if let Some(close) = name
        .strip_prefix('[')
        .and_then(|rest| rest.find(']').map(|at| at + 1))
    {
        (&name[1..close], &name[close + 1..])
    } else {
        (name, "")
    };
    if key.is_empty() {
        return Ok(());
    }
    match after {
        "" => {
            params.insert(key.to_owned(), value);
        }
        "[" => {
            params.insert(name.to_owned(), value);
        }
        "[]" => array_at(params, key)?.push(value),
        after if after.starts_with("[]") => {
            let child = hash_child_key(after).unwrap_or(&after[2..]).to_owned();
            let list = array_at(params, key)?;
            match list.last_mut() {
                Some(Value::Object(last)) if !has_path(last, &child) => {
                    normalize(last, &child, value, depth + 1)?;
                }
                _ => {
                    let mut fresh = Map::new();
                    normalize(&mut fresh, &child, value, depth + 1)?;
                    list.push(Value::Object(fresh));
                }
            }
        }
        after => {
            let slot = params
                .entry(key.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            match slot {
                Value::Object(inner) => normalize(inner, after, value, depth + 1)?,
                _ => return Err(Failure::Conflict),
            }
        }
    }
    Ok(())
}

/// `x[][y]`: the `y` of a hash inside an array, when `after` is exactly `[][y]`.
fn hash_child_key(after: &str) -> Option<&str> {
    let inner = after.strip_prefix("[][")?.strip_suffix(']')?;
    (!inner.is_empty() && !inner.contains(['[', ']'])).then_some(inner)
}

fn array_at<'a>(
    params: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Vec<Value>, Failure> {
    match params
        .entry(key.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(list) => Ok(list),
        _ => Err(Failure::Conflict),
    }
}

/// `params_hash_has_key?`: whether the bracket path `key` already leads to a value.
fn has_path(hash: &Map<String, Value>, key: &str) -> bool {
    if key.contains("[]") {
        return false;
    }
    let mut current = hash;
    let mut parts = key.split(['[', ']']).filter(|p| !p.is_empty()).peekable();
    while let Some(part) = parts.next() {
        match current.get(part) {
            None => return false,
            Some(Value::Object(inner)) => current = inner,
            Some(_) if parts.peek().is_none() => return true,
            Some(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn parse(body: &str) -> Result<Value, FormError> {
        params(urlencoded_pairs(body.as_bytes())).map(Value::Object)
    }

    #[test]
    fn brackets_nest_as_rails_reads_them() {
        assert_eq!(
            parse("message[content]=hi+there&message[private]=true").unwrap(),
            json!({"message": {"content": "hi there", "private": "true"}})
        );
        assert_eq!(
            parse("labels[]=a&labels[]=b%20c").unwrap(),
            json!({"labels": ["a", "b c"]})
        );
        assert_eq!(
            parse("custom_attributes[plan]=pro&a[b][c]=1").unwrap(),
            json!({"custom_attributes": {"plan": "pro"}, "a": {"b": {"c": "1"}}})
        );
        assert_eq!(
            parse("a[][b]=1&a[][c]=2&a[][b]=3").unwrap(),
            json!({"a": [{"b": "1", "c": "2"}, {"b": "3"}]})
        );
        assert_eq!(
            parse("flag&empty=&=orphan").unwrap(),
            json!({"flag": null, "empty": ""})
        );
    }

    #[test]
    fn a_name_used_two_ways_is_refused_naming_it() {
        assert_eq!(
            parse("labels=a&labels[]=b").unwrap_err(),
            FormError::Conflict("labels".into())
        );
        assert_eq!(
            parse("a[]=1&a[b]=2").unwrap_err(),
            FormError::Conflict("a".into())
        );
    }

    #[test]
    fn deep_nesting_and_too_many_pairs_are_refused() {
        let deep = format!("deep{}=1", "[x]".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep).unwrap_err(), FormError::TooDeep("deep".into()));
        let shallow = format!("deep{}=1", "[x]".repeat(MAX_DEPTH - 1));
        assert!(parse(&shallow).is_ok());
        let many = vec!["a[]=1"; MAX_PAIRS + 1].join("&");
        assert_eq!(parse(&many).unwrap_err(), FormError::TooMany);
    }

    proptest! {
        #[test]
        fn any_body_parses_or_is_refused_without_panicking(body in "[a-z\\[\\]=&%+0-9]{0,200}") {
            let _ = parse(&body);
        }

        #[test]
        fn any_bytes_parse_or_are_refused_without_panicking(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = params(urlencoded_pairs(&body));
        }

        #[test]
        fn a_plain_bracketed_path_round_trips(keys in proptest::collection::vec("[a-z]{1,6}", 1..8), value in "[a-z0-9 ]{0,10}") {
            let name = format!("{}{}", keys[0], keys[1..].iter().map(|k| format!("[{k}]")).collect::<String>());
            let parsed = params([(name, Some(value.clone()))]).unwrap();
            let mut current = &Value::Object(parsed);
            for key in &keys {
                current = &current[key];
            }
            prop_assert_eq!(current, &Value::String(value));
        }
    }
}
