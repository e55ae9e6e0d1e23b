//! Stream content as the SDK serialises it (`publish/MessageFactory.ts`, docs/wire.md §5): JSON is
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

/// Deepest nesting of arrays and objects [`is_json`] accepts. `JSON.parse` has no small
/// limit; this one is far beyond what stream content uses and keeps the checker's memory
/// bounded (one byte per level).
pub const MAX_JSON_DEPTH: usize = 4096;

/// Checks that content of `content_type` decodes as the SDK decodes it: JSON content must be
/// UTF-8 text that `JSON.parse` accepts (`INVALID_MESSAGE_CONTENT` otherwise, the SDK's code);
/// binary content is anything. With AES-CTR (no authentication tag), JSON that does not
/// parse is also what content decrypted under the wrong key looks like.
pub fn check(content_type: ContentType, bytes: &[u8]) -> Result<()> {
    if content_type != ContentType::Json {
        return Ok(());
    }
    json_text(content_type, bytes)?;
    if is_json(bytes) {
        Ok(())
    } else {
        Err(Error::InvalidMessageContent(
            "JSON content does not parse".into(),
        ))
    }
}

/// Whether `bytes` is one JSON text (RFC 8259, as `JSON.parse` accepts it: any value at the
/// top level, whitespace around it, duplicate object keys allowed, `\u` escapes of lone
/// surrogates allowed), nested at most [`MAX_JSON_DEPTH`] deep. Iterative: no recursion on
/// input from outside. UTF-8 is checked by [`json_text`]; bytes above 0x7f are only
/// accepted inside strings.
pub fn is_json(bytes: &[u8]) -> bool {
    JsonChecker { bytes, at: 0 }.run()
}

struct JsonChecker<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// An open container: `true` for an object, `false` for an array.
type Frame = bool;

impl JsonChecker<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        if self.peek() == Some(byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let found = self
            .bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.at += word.len();
        }
        found
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> bool {
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return false,
        }
        if self.eat(b'.') && self.digits() == 0 {
            return false;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> bool {
        if !self.eat(b'"') {
            return false;
        }
        loop {
            let Some(c) = self.peek() else { return false };
            self.at += 1;
            match c {
                b'"' => return true,
                b'\\' => {
                    let Some(e) = self.peek() else { return false };
                    self.at += 1;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                if !self.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                                    return false;
                                }
                                self.at += 1;
                            }
                        }
                        _ => return false,
                    }
                }
                0..=0x1f => return false,
                _ => {}
            }
        }
    }

    /// An object member's key and colon, whitespace after.
    fn key(&mut self) -> bool {
        if !self.string() {
            return false;
        }
        self.whitespace();
        if !self.eat(b':') {
            return false;
        }
        self.whitespace();
        true
    }

    fn run(mut self) -> bool {
        let mut open: Vec<Frame> = Vec::new();
        self.whitespace();
        // At the top of this loop a value starts (whitespace before it skipped).
        'value: loop {
            match self.peek() {
                Some(b'{') | Some(b'[') => {
                    let object = self.peek() == Some(b'{');
                    if open.len() >= MAX_JSON_DEPTH {
                        return false;
                    }
                    self.at += 1;
                    self.whitespace();
                    let close = if object { b'}' } else { b']' };
                    if !self.eat(close) {
                        open.push(object);
                        if object && !self.key() {
                            return false;
                        }
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    if !self.string() {
                        return false;
                    }
                }
                Some(b'-' | b'0'..=b'9') => {
                    if !self.number() {
                        return false;
                    }
                }
                _ => {
                    if !(self.literal(b"true") || self.literal(b"false") || self.literal(b"null")) {
                        return false;
                    }
                }
            }
            // After a value: a separator, or the end of containers, or the end of input.
            loop {
                self.whitespace();
                let Some(&object) = open.last() else {
                    return self.at == self.bytes.len();
                };
                if self.eat(b',') {
                    self.whitespace();
                    if object && !self.key() {
                        return false;
                    }
                    continue 'value;
                }
                if !self.eat(if object { b'}' } else { b']' }) {
                    return false;
                }
                open.pop();
            }
        }
    }
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

    #[test]
    fn json_syntax() {
        for good in [
            "0",
            "-0",
            "1.5e+3",
            "-12.25E-2",
            "\"\"",
            "\"a\\u00e9\\ud800\\n\"",
            "true",
            " null ",
            "[]",
            "{}",
            "[1,[2,{\"a\":[]}]]",
            "{\"a\":1,\"a\":2}",
            "\t[ 1 , 2 ]\r\n",
            "\"é\"",
        ] {
            assert!(is_json(good.as_bytes()), "{good:?}");
        }
        for bad in [
            "",
            " ",
            "01",
            "1.",
            ".5",
            "1e",
            "+1",
            "-",
            "0x1",
            "NaN",
            "Infinity",
            "tru",
            "nul",
            "[1,]",
            "[,1]",
            "{\"a\"}",
            "{\"a\":}",
            "{a:1}",
            "{\"a\":1,}",
            "[1 2]",
            "1 2",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\t\"",
            "[",
            "]",
            "{\"a\":1]",
            "\u{feff}1",
            "'a'",
            "// c\n1",
            "[1]x",
        ] {
            assert!(!is_json(bad.as_bytes()), "{bad:?}");
        }
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(is_json(deep(MAX_JSON_DEPTH).as_bytes()));
        assert!(!is_json(deep(MAX_JSON_DEPTH + 1).as_bytes()));
        assert!(check(ContentType::Json, &[0xff]).is_err());
        assert!(check(ContentType::Binary, &[0xff]).is_ok());
        assert_eq!(
            check(ContentType::Json, b"{").unwrap_err().code().as_str(),
            "INVALID_MESSAGE_CONTENT"
        );
    }
}
