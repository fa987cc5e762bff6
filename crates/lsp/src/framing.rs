//! A guard in front of the transport's decoder: it re-frames incoming
//! messages so that nothing a client sends can stop the server.
//!
//! The transport's codec gives up on a body that is not UTF-8 (it neither
//! skips the body nor answers), which ends the server. This layer reads the
//! `Content-Length` framing itself and passes on: valid messages unchanged;
//! bodies with invalid UTF-8 with the bad bytes replaced by U+FFFD (so the
//! request still gets an answer, usually "method not found" or "invalid
//! params"); and in place of anything the transport could not decode (not
//! JSON, JSON but not a JSON-RPC message, a header block without a usable
//! `Content-Length`, a body over [`MAX_MESSAGE_BYTES`]) a request for
//! [`PARSE_ERROR_METHOD`] or [`INVALID_REQUEST_METHOD`], which the server
//! answers with the JSON-RPC error. (The transport's own decoder stops
//! reading after its first error, so a single bad message would otherwise
//! leave the server deaf.)

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Bodies larger than this are discarded (documents are limited to
/// [`crate::documents::MAX_DOCUMENT_BYTES`]; JSON escaping may double them).
pub const MAX_MESSAGE_BYTES: usize = 2 * crate::documents::MAX_DOCUMENT_BYTES + 1024 * 1024;

/// A header line longer than this is not a header.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// The method a message that is not JSON becomes; the server answers it
/// with a parse error (-32700) and a null id, as JSON-RPC asks.
pub const PARSE_ERROR_METHOD: &str = "flakeedit/internal/parseError";
/// The method a JSON value that is not a JSON-RPC message becomes; the
/// server answers it with "invalid request" (-32600), with the value's id
/// when it had one.
pub const INVALID_REQUEST_METHOD: &str = "flakeedit/internal/invalidRequest";

/// A request for one of the error methods above.
fn error_request(method: &str, id: &Value) -> Vec<u8> {
    serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": method })
        .to_string()
        .into_bytes()
}

/// `body` when the transport can decode it, or an error request in its
/// place: the transport stops reading after any body it cannot decode.
fn checked(body: Vec<u8>) -> Vec<u8> {
    if serde_json::from_slice::<Request>(&body).is_ok()
        || serde_json::from_slice::<Response>(&body).is_ok()
    {
        return body;
    }
    match serde_json::from_slice::<Value>(&body) {
        Ok(value) => {
            let id = match value.get("id") {
                Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
                _ => Value::Null,
            };
            error_request(INVALID_REQUEST_METHOD, &id)
        }
        Err(_) => error_request(PARSE_ERROR_METHOD, &Value::Null),
    }
}

/// Copies LSP messages from `input` to `output`, re-framed (see the module
/// docs). Returns when `input` ends.
pub async fn sanitize<R, W>(input: R, mut output: W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut reader = BufReader::new(input);
    loop {
        let mut length: Option<usize> = None;
        let mut valid_headers = true;
        let mut any_header = false;
        loop {
            let mut line = Vec::new();
            let read = (&mut reader)
                .take(MAX_HEADER_LINE)
                .read_until(b'\n', &mut line)
                .await?;
            if read == 0 {
                return Ok(());
            }
            if line == b"\r\n" || line == b"\n" {
                if any_header {
                    break;
                }
                continue;
            }
            any_header = true;
            let text = String::from_utf8_lossy(&line);
            match text.split_once(':') {
                Some((name, value)) if name.trim().eq_ignore_ascii_case("content-length") => {
                    match value.trim().parse::<usize>() {
                        Ok(parsed) => length = Some(parsed),
                        Err(_) => valid_headers = false,
                    }
                }
                Some(_) => {}
                None => valid_headers = false,
            }
        }
        let body = match length {
            Some(length) if valid_headers && length <= MAX_MESSAGE_BYTES => {
                let mut body = vec![0; length];
                match reader.read_exact(&mut body).await {
                    Ok(_) => {}
                    // The client went away in the middle of a message.
                    Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => {
                        return Ok(())
                    }
                    Err(error) => return Err(error),
                }
                let body = match String::from_utf8(body) {
                    Ok(text) => text.into_bytes(),
                    Err(error) => String::from_utf8_lossy(error.as_bytes())
                        .into_owned()
                        .into_bytes(),
                };
                checked(body)
            }
            Some(length) if valid_headers => {
                let skipped = tokio::io::copy(
                    &mut (&mut reader).take(length as u64),
                    &mut tokio::io::sink(),
                )
                .await?;
                if skipped < length as u64 {
                    return Ok(());
                }
                error_request(PARSE_ERROR_METHOD, &Value::Null)
            }
            _ => error_request(PARSE_ERROR_METHOD, &Value::Null),
        };
        output
            .write_all(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes())
            .await?;
        output.write_all(&body).await?;
        output.flush().await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn run(input: &[u8]) -> String {
        let mut output = Vec::new();
        sanitize(input, &mut output).await.unwrap();
        String::from_utf8(output).unwrap()
    }

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend_from_slice(body);
        framed
    }

    fn bodies(output: &str) -> Vec<&str> {
        output
            .split("Content-Length: ")
            .filter_map(|frame| frame.split_once("\r\n\r\n").map(|(_, body)| body))
            .collect()
    }

    #[tokio::test]
    async fn valid_messages_pass_unchanged() {
        let body = r#"{"jsonrpc":"2.0","method":"é"}"#;
        let input = format!(
            "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}",
            body.len()
        );
        assert_eq!(
            run(input.as_bytes()).await,
            format!("Content-Length: {}\r\n\r\n{body}", body.len())
        );
    }

    #[tokio::test]
    async fn undecodable_messages_become_error_requests() {
        let mut input =
            frame(b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":\"\xff\"}");
        input.extend_from_slice(b"Content-Length: x\r\n\r\n");
        input.extend(frame(b"{"));
        input.extend(frame(b"{\"id\": 4}"));
        let output = run(&input).await;
        assert_eq!(
            bodies(&output),
            [
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"m\",\"params\":\"\u{fffd}\"}",
                r#"{"id":null,"jsonrpc":"2.0","method":"flakeedit/internal/parseError"}"#,
                r#"{"id":null,"jsonrpc":"2.0","method":"flakeedit/internal/parseError"}"#,
                r#"{"id":4,"jsonrpc":"2.0","method":"flakeedit/internal/invalidRequest"}"#,
            ]
        );
    }

    #[tokio::test]
    async fn a_truncated_stream_just_ends() {
        assert_eq!(run(b"Content-Length: 10\r\n\r\n{}").await, "");
    }
}
