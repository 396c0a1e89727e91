//! Casting as Rails does: a `Deserializer` over a `serde_json::Value` that reads the string
//! `"3"` where the target is a number and `"true"`/`"1"`/`"false"`/`"0"`… where it is a boolean
//! (`ActiveModel::Type::Integer`, `ActiveModel::Type::Boolean`). Form bodies carry only strings,
//! and many JSON clients send numbers as strings, so every body goes through it once, in the
//! extractors; a string that is no number or boolean stays an error that names its field
//! (serde_path_to_error wraps this deserializer).
//!
//! Stricter than Rails in one way, on purpose: Rails casts any string outside its false list to
//! `true` (`"banana"` → true); here only Rails' own spellings of true and false are read.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, Unexpected, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::{Error, Value};

/// A value whose scalars are cast to what the target asks for.
pub struct Lenient(pub Value);

impl<'de> IntoDeserializer<'de, Error> for Lenient {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Rails' `ActiveModel::Type::Boolean::FALSE_VALUES`, as strings.
const FALSE: [&str; 7] = ["0", "f", "F", "false", "FALSE", "off", "OFF"];
/// The strings Rails' own forms send for true (`check_box`'s "1", `to_s` of `true`, and the
/// mirror images of the false list).
const TRUE: [&str; 7] = ["1", "t", "T", "true", "TRUE", "on", "ON"];

fn boolean(text: &str) -> Option<bool> {
    let text = text.trim();
    if TRUE.contains(&text) {
        Some(true)
    } else if FALSE.contains(&text) {
        Some(false)
    } else {
        None
    }
}

macro_rules! integer {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::String(text) => match text.trim().parse::<$ty>() {
                    Ok(number) => visitor.$visit(number),
                    Err(_) => Err(de::Error::invalid_type(Unexpected::Str(&text), &visitor)),
                },
                other => other.$method(visitor),
            }
        }
    };
}

macro_rules! float {
    ($method:ident, $visit:ident, $ty:ty) => {
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.0 {
                Value::String(text) => match text.trim().parse::<$ty>() {
                    Ok(number) if number.is_finite() => visitor.$visit(number),
                    _ => Err(de::Error::invalid_type(Unexpected::Str(&text), &visitor)),
                },
                other => other.$method(visitor),
            }
        }
    };
}

impl<'de> Deserializer<'de> for Lenient {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(map) => {
                let mut access =
                    MapDeserializer::new(map.into_iter().map(|(k, v)| (k, Lenient(v))));
                let value = visitor.visit_map(&mut access)?;
                access.end()?;
                Ok(value)
            }
            Value::Array(list) => {
                let mut access = SeqDeserializer::new(list.into_iter().map(Lenient));
                let value = visitor.visit_seq(&mut access)?;
                access.end()?;
                Ok(value)
            }
            scalar => scalar.deserialize_any(visitor),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::String(text) => match boolean(&text) {
                Some(flag) => visitor.visit_bool(flag),
                None => Err(de::Error::invalid_type(Unexpected::Str(&text), &visitor)),
            },
            Value::Number(number) if number.as_i64() == Some(0) => visitor.visit_bool(false),
            Value::Number(number) if number.as_i64() == Some(1) => visitor.visit_bool(true),
            other => other.deserialize_bool(visitor),
        }
    }

    integer!(deserialize_i8, visit_i8, i8);
    integer!(deserialize_i16, visit_i16, i16);
    integer!(deserialize_i32, visit_i32, i32);
    integer!(deserialize_i64, visit_i64, i64);
    integer!(deserialize_i128, visit_i128, i128);
    integer!(deserialize_u8, visit_u8, u8);
    integer!(deserialize_u16, visit_u16, u16);
    integer!(deserialize_u32, visit_u32, u32);
    integer!(deserialize_u64, visit_u64, u64);
    integer!(deserialize_u128, visit_u128, u128);
    float!(deserialize_f32, visit_f32, f32);
    float!(deserialize_f64, visit_f64, f64);

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            value => visitor.visit_some(Lenient(value)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_unit(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        drop(self);
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit_struct seq tuple tuple_struct map struct identifier
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Params {
        inbox_id: Option<i64>,
        private: Option<bool>,
        name: Option<String>,
        ids: Option<Vec<u32>>,
        nested: Option<Nested>,
        attributes: Option<serde_json::Map<String, Value>>,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Nested {
        flag: bool,
    }

    fn read(value: Value) -> Result<Params, String> {
        serde_path_to_error::deserialize(Lenient(value)).map_err(|e| e.path().to_string())
    }

    #[test]
    fn numeric_and_boolean_strings_are_cast_where_the_field_wants_them() {
        let params = read(json!({
            "inbox_id": " 3", "private": "true", "name": "42", "ids": ["1", 2],
            "nested": {"flag": "0"}, "attributes": {"plan": "pro", "seats": "5"}
        }))
        .unwrap();
        assert_eq!(params.inbox_id, Some(3));
        assert_eq!(params.private, Some(true));
        assert_eq!(params.name.as_deref(), Some("42"));
        assert_eq!(params.ids, Some(vec![1, 2]));
        assert_eq!(params.nested, Some(Nested { flag: false }));
        // Free-form values keep what was sent.
        assert_eq!(params.attributes.unwrap()["seats"], json!("5"));
        for (text, flag) in [
            ("1", true),
            ("t", true),
            ("on", true),
            ("false", false),
            ("0", false),
            ("off", false),
            ("f", false),
        ] {
            assert_eq!(
                read(json!({"private": text})).unwrap().private,
                Some(flag),
                "{text}"
            );
        }
        assert_eq!(read(json!({"private": 0})).unwrap().private, Some(false));
    }

    #[test]
    fn values_that_cannot_be_cast_name_their_field() {
        assert_eq!(read(json!({"inbox_id": "3x"})).unwrap_err(), "inbox_id");
        assert_eq!(read(json!({"inbox_id": ""})).unwrap_err(), "inbox_id");
        assert_eq!(read(json!({"private": "banana"})).unwrap_err(), "private");
        assert_eq!(read(json!({"private": 2})).unwrap_err(), "private");
        assert_eq!(read(json!({"name": 5})).unwrap_err(), "name");
        assert_eq!(read(json!({"ids": ["1", "x"]})).unwrap_err(), "ids[1]");
        assert_eq!(
            read(json!({"nested": {"flag": "maybe"}})).unwrap_err(),
            "nested.flag"
        );
    }
}
