//! PEM framing for RSA keys, as strict as the SDK allows and no stricter (docs/wire.md §8).
//!
//! Accepted: `-----BEGIN <label>-----\n`, the base64 in lines each ending in `\n`, then
//! `-----END <label>-----\n` and nothing after it. The base64 is either Node's layout (64
//! columns, the last line 1..=64) or the browser's (the whole base64 on one line). Everything
//! else is refused: CRLF, blank lines, other widths, spaces, text around the armour, a missing
//! or doubled final newline (the SDK refuses a public key that does not end in exactly
//! `-----END PUBLIC KEY-----\n`).
//!
//! Decoding re-wraps the base64 at 64 columns and hands it to `pem-rfc7468` (constant-time
//! base64, canonical padding), so this file only checks the layout.

use der::pem;
use zeroize::Zeroizing;

/// Longest PEM accepted. A 4096-bit PKCS#8 private key is about 3.3 KB and its SPKI public key
/// about 800 bytes; the bound keeps a hostile `publicKey` from costing more than a glance.
pub(crate) const MAX_PEM_LEN: usize = 8 * 1024;

const WIDTH: usize = 64;

/// The two documents this crate reads and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    /// SPKI, `-----BEGIN PUBLIC KEY-----`.
    PublicKey,
    /// PKCS#8, `-----BEGIN PRIVATE KEY-----`.
    PrivateKey,
}

impl Label {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Label::PublicKey => "PUBLIC KEY",
            Label::PrivateKey => "PRIVATE KEY",
        }
    }
}

/// The DER inside `text`, or a message saying which rule failed. The message never quotes the
/// input, which may be a private key.
pub(crate) fn decode(text: &[u8], label: Label) -> Result<Zeroizing<Vec<u8>>, String> {
    let name = label.as_str();
    if text.len() > MAX_PEM_LEN {
        return Err(format!("PEM longer than {MAX_PEM_LEN} bytes"));
    }
    let begin = format!("-----BEGIN {name}-----\n");
    let end = format!("-----END {name}-----\n");
    let body = text
        .strip_prefix(begin.as_bytes())
        .ok_or_else(|| format!("PEM must start with the line -----BEGIN {name}-----"))?;
    let body = body
        .strip_suffix(end.as_bytes())
        .ok_or_else(|| format!("PEM must end with -----END {name}----- and exactly one newline"))?;
    let body = body
        .strip_suffix(b"\n")
        .ok_or_else(|| "PEM has no base64 body".to_string())?;

    let lines: Vec<&[u8]> = body.split(|&b| b == b'\n').collect();
    if lines
        .iter()
        .any(|line| line.is_empty() || !line.iter().all(|&b| is_base64_char(b)))
    {
        return Err("PEM body must be base64 lines without blanks, spaces or CR".into());
    }
    if let Some((last, full)) = lines.split_last() {
        // One line is the browser's layout; several must be Node's 64 columns.
        if !full.is_empty() && (full.iter().any(|l| l.len() != WIDTH) || last.len() > WIDTH) {
            return Err(format!(
                "PEM base64 must be wrapped at {WIDTH} columns or be on one line"
            ));
        }
    }

    // Re-wrap at 64 columns and let pem-rfc7468 check the base64 itself.
    let mut canonical = Zeroizing::new(Vec::with_capacity(text.len() + text.len() / WIDTH));
    canonical.extend_from_slice(begin.as_bytes());
    let joined = Zeroizing::new(lines.concat());
    for chunk in joined.chunks(WIDTH) {
        canonical.extend_from_slice(chunk);
        canonical.push(b'\n');
    }
    canonical.extend_from_slice(end.as_bytes());

    let (found, der) =
        pem::decode_vec(&canonical).map_err(|_| "PEM body is not valid base64".to_string())?;
    let der = Zeroizing::new(der);
    if found != name {
        return Err(format!("PEM must be a {name}"));
    }
    Ok(der)
}

/// `der` as PEM in Node's layout: 64 columns, one final `\n`.
pub(crate) fn encode(der: &[u8], label: Label) -> Result<String, String> {
    pem::encode_string(label.as_str(), pem::LineEnding::LF, der)
        .map_err(|_| "DER cannot be encoded as PEM".to_string())
}

fn is_base64_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pem(body_lines: &[&str]) -> String {
        let mut s = String::from("-----BEGIN PUBLIC KEY-----\n");
        for l in body_lines {
            s.push_str(l);
            s.push('\n');
        }
        s.push_str("-----END PUBLIC KEY-----\n");
        s
    }

    #[test]
    fn layouts() {
        // 96 bytes -> 128 base64 characters.
        let b64 = "QUJD".repeat(32);
        let node = pem(&[&b64[..64], &b64[64..]]);
        let browser = pem(&[&b64]);
        let expected = b"ABC".repeat(32);
        assert_eq!(
            *decode(node.as_bytes(), Label::PublicKey).unwrap(),
            expected
        );
        assert_eq!(
            *decode(browser.as_bytes(), Label::PublicKey).unwrap(),
            expected
        );
        // Only the last line may be short in Node's layout.
        let odd = pem(&[&b64[..64], &b64[64..100], &b64[100..]]);
        assert!(decode(odd.as_bytes(), Label::PublicKey).is_err());
        let short_last = pem(&[&b64[..64], &b64[64..124]]);
        assert!(decode(short_last.as_bytes(), Label::PublicKey).is_ok());
    }

    #[test]
    fn refusals() {
        let b64 = "QUJD".repeat(32);
        let good = pem(&[&b64[..64], &b64[64..]]);
        let bad = [
            good.trim_end().to_string(),                        // no final newline
            format!("{good}\n"),                                // two final newlines
            good.replace('\n', "\r\n"),                         // CRLF
            format!(" {good}"),                                 // text before
            good.replace("PUBLIC KEY", "RSA PUBLIC KEY"),       // PKCS#1 label
            good.replace("PUBLIC KEY", "PRIVATE KEY"),          // wrong label
            pem(&[&b64[..64], "", &b64[64..]]),                 // blank line
            pem(&[&b64[..60], &b64[60..]]),                     // other width
            pem(&[&b64[..64], &b64[64..127]]),                  // truncated base64
            pem(&[&b64[..64], &format!("{}*", &b64[64..127])]), // bad character
            pem(&[&b64[..64], &format!("{} ", &b64[64..127])]), // space
            pem(&[]),                                           // no body
            "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n".into(),
        ];
        for b in &bad {
            assert!(decode(b.as_bytes(), Label::PublicKey).is_err(), "{b:?}");
        }
        assert!(decode(&vec![b'A'; MAX_PEM_LEN + 1], Label::PublicKey).is_err());
    }
}
