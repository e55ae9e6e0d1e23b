//! Stream content as the SDK serialises it (`publish/MessageFactory.ts`, spec §5): JSON is
//! the UTF-8 text of `JSON.stringify(value)`, BINARY is the raw bytes.

use crate::error::{Error, Result};
use crate::wire::ContentType;

/// JSON content must be UTF-8 text; the SDK decodes it strictly before `JSON.parse`, so
/// invalid UTF-8 is `INVALID_MESSAGE_CONTENT` rather than replacement characters.
pub fn json_text(content_type: ContentType, bytes: &[u8]) -> Result<&str> {
    if content_type != ContentType::Json {
        return Err(Error::InvalidArgument("content is not JSON".into()));
    }
    std::str::from_utf8(bytes)
        .map_err(|_| Error::InvalidMessageContent("JSON content is not valid UTF-8".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_must_be_utf8() {
        assert_eq!(
            json_text(ContentType::Json, b"{\"a\":1}").unwrap(),
            "{\"a\":1}"
        );
        assert_eq!(
            json_text(ContentType::Json, &[0xff, 0xfe])
                .unwrap_err()
                .code()
                .as_str(),
            "INVALID_MESSAGE_CONTENT"
        );
        assert!(json_text(ContentType::Binary, b"x").is_err());
    }
}
