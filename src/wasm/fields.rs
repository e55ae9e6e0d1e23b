//! Reading fields of plain JS objects passed in, and building plain JS objects passed out.
//! Wrong shapes become `INVALID_ARGUMENT` errors naming the field.

use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_argument;
use crate::error::Result;

/// Largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

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

/// An optional non-negative integer field, at most `max` (itself at most 2^53 - 1).
fn opt_integer(obj: &JsValue, name: &str, max: f64) -> Result<Option<f64>> {
    get_opt(obj, name)?
        .map(|v| {
            let n = v
                .as_f64()
                .ok_or_else(|| invalid_argument(format!("{name} must be a number")))?;
            if n.fract() != 0.0 || !(0.0..=max).contains(&n) {
                return Err(invalid_argument(format!(
                    "{name} must be an integer from 0 to {}",
                    super::host_io::js_number(max)
                )));
            }
            Ok(n)
        })
        .transpose()
}

/// An optional non-negative 32-bit integer field (partition, sequence number, enum value).
pub(crate) fn opt_u32(obj: &JsValue, name: &str) -> Result<Option<u32>> {
    // Integral and within u32, checked by `opt_integer`: the cast is exact.
    Ok(opt_integer(obj, name, f64::from(u32::MAX))?.map(|n| n as u32))
}

/// A required non-negative 32-bit integer field.
pub(crate) fn u32_field(obj: &JsValue, name: &str) -> Result<u32> {
    opt_u32(obj, name)?.ok_or_else(|| invalid_argument(format!("{name} is missing")))
}

/// A required non-negative safe-integer field (timestamps).
pub(crate) fn u64_field(obj: &JsValue, name: &str) -> Result<u64> {
    let n = opt_integer(obj, name, MAX_SAFE_INTEGER)?
        .ok_or_else(|| invalid_argument(format!("{name} is missing")))?;
    // Integral and within 0..2^53, checked by `opt_integer`: the cast is exact.
    Ok(n as u64)
}

/// An optional non-negative safe-integer field (durations in ms).
pub(crate) fn opt_u64(obj: &JsValue, name: &str) -> Result<Option<u64>> {
    // Integral and within 0..2^53, checked by `opt_integer`: the cast is exact.
    Ok(opt_integer(obj, name, MAX_SAFE_INTEGER)?.map(|n| n as u64))
}

/// An optional non-negative count field (limits), at most 2^32 - 1.
pub(crate) fn opt_usize(obj: &JsValue, name: &str) -> Result<Option<usize>> {
    opt_u32(obj, name)?
        .map(|n| usize::try_from(n).map_err(|_| invalid_argument(format!("{name} is too large"))))
        .transpose()
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
