//! Core errors as JS errors: an `Error` whose `name` is `StreamrE2eeError` and whose `code`
//! is the stable code from [`crate::ErrorCode::as_str`].

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::error::Error;

/// The `name` of every error this package throws.
pub const ERROR_NAME: &str = "StreamrE2eeError";

/// Lets `?` turn a core error into the JS error an export throws.
impl From<Error> for JsValue {
    fn from(err: Error) -> Self {
        let js = js_sys::Error::new(&err.to_string());
        js.set_name(ERROR_NAME);
        // Setting a property on a fresh, extensible Error cannot fail. Were it to, the caller
        // would still get an Error with the right name and message.
        let _ = Reflect::set(
            &js,
            &JsValue::from_str("code"),
            &JsValue::from_str(err.code().as_str()),
        );
        js.into()
    }
}

/// An `INVALID_ARGUMENT` error for a JS value of the wrong shape.
pub(crate) fn invalid_argument(msg: impl Into<String>) -> Error {
    Error::InvalidArgument(msg.into())
}
