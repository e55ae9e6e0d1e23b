//! Reading fields of plain JS objects passed in, and building plain JS objects passed out.
//! Wrong shapes become `INVALID_ARGUMENT` errors naming the field.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_argument;
use crate::error::Result;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub(crate) const MAX_SAFE_INTEGER: u64 = 9_007_199_254_740_991;

/// The one integer reader of the boundary: a JS number that is an integer from 0 to `max`
/// (itself at most `MAX_SAFE_INTEGER`). Arguments (`nowMs`, question ids) and fields alike.
pub(crate) fn integer_from_f64(n: f64, name: &str, max: u64) -> Result<u64> {
    // `max` is at most 2^53 - 1: exact as an f64.
    let limit = max as f64;
    if n.fract() != 0.0 || !(0.0..=limit).contains(&n) {
        return Err(invalid_argument(format!(
            "{name} must be an integer from 0 to {max}, got {}",
            super::host_io::js_number(n)
        )));
    }
    // Integral and within 0..=max (< 2^53), checked above: the cast is exact.
    Ok(n as u64)
}

/// [`integer_from_f64`] of a JS value, which must be a number.
pub(crate) fn integer(value: &JsValue, name: &str, max: u64) -> Result<u64> {
    let n = value
        .as_f64()
        .ok_or_else(|| invalid_argument(format!("{name} must be a number")))?;
    integer_from_f64(n, name, max)
}

/// Checks that a config object is an object with only the `known` fields: a misspelt option
/// (`keyRequestTimeoutMs` for `keyRequestTimeout`) is an error, not a silent default.
pub(crate) fn check_known(config: &JsValue, what: &str, known: &[&str]) -> Result<()> {
    if !config.is_object() || Array::is_array(config) {
        return Err(invalid_argument(format!("{what} must be an object")));
    }
    for key in Object::keys(config.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            return Err(invalid_argument(format!(
                "{what} has an unknown field {key:?}; known: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// The value of `obj[name]`; `undefined` when absent.
fn get(obj: &JsValue, name: &str) -> Result<JsValue> {
    if !obj.is_object() {
        return Err(invalid_argument(format!(
            "expected an object with field {name}"
        )));
    }
    Reflect::get(obj, &JsValue::from_str(name))
        .map_err(|_| invalid_argument(format!("cannot read field {name}")))
}

/// `obj[name]`, or `None` when it is `undefined` or `null`.
fn get_opt(obj: &JsValue, name: &str) -> Result<Option<JsValue>> {
    let v = get(obj, name)?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

/// `obj[name]` when it is neither `undefined` nor `null`, whatever its type.
pub(crate) fn opt_value(obj: &JsValue, name: &str) -> Result<Option<JsValue>> {
    get_opt(obj, name)
}

/// An optional boolean field.
pub(crate) fn opt_bool(obj: &JsValue, name: &str) -> Result<Option<bool>> {
    get_opt(obj, name)?
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| invalid_argument(format!("{name} must be a boolean")))
        })
        .transpose()
}

/// A required boolean field.
pub(crate) fn bool_field(obj: &JsValue, name: &str) -> Result<bool> {
    opt_bool(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))
}

/// A required string field.
pub(crate) fn string(obj: &JsValue, name: &str) -> Result<String> {
    opt_string(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))
}

/// An optional string field.
pub(crate) fn opt_string(obj: &JsValue, name: &str) -> Result<Option<String>> {
    get_opt(obj, name)?
        .map(|v| {
            v.as_string()
                .ok_or_else(|| invalid_argument(format!("{name} must be a string")))
        })
        .transpose()
}

/// A required `Uint8Array` field (a Node `Buffer` is one).
pub(crate) fn bytes(obj: &JsValue, name: &str) -> Result<Vec<u8>> {
    opt_bytes(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))
}

/// An optional `Uint8Array` field.
pub(crate) fn opt_bytes(obj: &JsValue, name: &str) -> Result<Option<Vec<u8>>> {
    get_opt(obj, name)?
        .map(|v| {
            v.dyn_ref::<Uint8Array>()
                .map(Uint8Array::to_vec)
                .ok_or_else(|| invalid_argument(format!("{name} must be a Uint8Array")))
        })
        .transpose()
}

/// An optional non-negative 32-bit integer field (partition, sequence number, enum value).
pub(crate) fn opt_u32(obj: &JsValue, name: &str) -> Result<Option<u32>> {
    get_opt(obj, name)?
        .map(|v| {
            let n = integer(&v, name, u64::from(u32::MAX))?;
            u32::try_from(n).map_err(|_| invalid_argument(format!("{name} is too large")))
        })
        .transpose()
}

/// A required non-negative 32-bit integer field.
pub(crate) fn u32_field(obj: &JsValue, name: &str) -> Result<u32> {
    opt_u32(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))
}

/// A required non-negative safe-integer field (timestamps).
pub(crate) fn u64_field(obj: &JsValue, name: &str) -> Result<u64> {
    let v = get_opt(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))?;
    integer(&v, name, MAX_SAFE_INTEGER)
}

/// An optional nested object field.
pub(crate) fn opt_object(obj: &JsValue, name: &str) -> Result<Option<JsValue>> {
    get_opt(obj, name)?
        .map(|v| {
            if v.is_object() {
                Ok(v)
            } else {
                Err(invalid_argument(format!("{name} must be an object")))
            }
        })
        .transpose()
}

/// Builds a plain JS object from `(name, value)` pairs.
pub(crate) fn object(entries: &[(&str, JsValue)]) -> Result<JsValue, JsValue> {
    let obj = Object::new();
    for (name, value) in entries {
        Reflect::set(&obj, &JsValue::from_str(name), value)?;
    }
    Ok(obj.into())
}

/// A fresh `Uint8Array` holding a copy of `data`.
pub(crate) fn uint8_array(data: &[u8]) -> JsValue {
    Uint8Array::from(data).into()
}

/// A timestamp as a JS number. Exact up to 2^53 ms, i.e. for any real date.
pub(crate) fn timestamp(ms: u64) -> JsValue {
    JsValue::from_f64(ms as f64)
}
