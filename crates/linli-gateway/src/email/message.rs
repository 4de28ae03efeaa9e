//! From a rendered [`Email`] to the MIME message on the wire. Pure: no IO, no clock beyond the
//! Date header lettre adds.

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

use super::EmailError;

/// One rendered message to one recipient. Bodies use `\n` line ends; on the wire they become
/// CRLF, as SMTP requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The bare address, `zhang.wei@example.com`.
    pub to: String,
    /// The name shown with the address, `张伟`; any Unicode.
    pub to_name: Option<String>,
    pub subject: String,
    pub text: String,
    /// When empty the message is sent as plain text only (where lettre ends the body with an
    /// empty line or two that no reader shows).
    pub html: String,
    /// Sent as `List-Unsubscribe: <url>` (RFC 2369); an `https:` or `mailto:` URL.
    pub unsubscribe_url: Option<String>,
}

/// Builds the message with the given Message-ID (`<…@…>`).
pub(super) fn build(email: &Email, from: &Mailbox, message_id: &str) -> Result<Message, EmailError> {
    let address = email
        .to
        .trim()
        .parse()
        .map_err(|e| EmailError::Permanent(format!("invalid recipient address {:?}: {e}", email.to)))?;
    let name = email.to_name.as_deref().map(one_line).filter(|n| !n.is_empty());
    let to = Mailbox::new(name, address);

    let mut builder = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(one_line(&email.subject))
        .message_id(Some(message_id.to_owned()))
        // RFC 3834: tells vacation responders not to answer a notification.
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("Auto-Submitted"), "auto-generated".into()));
    if let Some(url) = &email.unsubscribe_url {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", unsubscribe_url(url)?),
        ));
    }
    let built = if email.html.is_empty() {
        builder.singlepart(SinglePart::plain(email.text.clone()))
    } else {
        builder.multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
    };
    built.map_err(|e| EmailError::Permanent(format!("cannot build the message: {e}")))
}

/// A new Message-ID in the sender's domain, so replies and bounces can be traced to it.
pub(super) fn new_message_id(from: &Mailbox) -> String {
    format!("<{}@{}>", uuid::Uuid::new_v4().simple(), from.email.domain())
}

/// Headers are one line: a newline from a template must not end the header early.
fn one_line(s: &str) -> String {
    s.split(char::is_control).filter(|part| !part.is_empty()).collect::<Vec<_>>().join(" ").trim().to_owned()
}

/// The URL goes between angle brackets as is, so it must be plain ASCII without spaces or brackets
/// (percent-encode anything else); lettre would otherwise RFC 2047-encode it into nonsense.
fn unsubscribe_url(url: &str) -> Result<&str, EmailError> {
    let url = url.trim();
    let ok = !url.is_empty()
        && url.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b','))
        && (url.starts_with("https://") || url.starts_with("http://") || url.starts_with("mailto:"));
    if ok {
        Ok(url)
    } else {
        Err(EmailError::Permanent(format!(
            "unsubscribe URL {url:?} must be an ASCII http(s) or mailto URL without spaces, commas or angle brackets"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from() -> Mailbox {
        "邻里物业 <noreply@linli.test>".parse().unwrap()
    }

    fn email() -> Email {
        Email {
            to: "zhang.wei@example.com".into(),
            to_name: Some("张伟".into()),
            subject: "物业费缴费提醒".into(),
            text: "您好".into(),
            html: "<p>您好</p>".into(),
            unsubscribe_url: Some("https://linli.test/unsubscribe?t=abc".into()),
        }
    }

    fn wire(email: &Email) -> String {
        String::from_utf8(build(email, &from(), "<id@linli.test>").unwrap().formatted()).unwrap()
    }

    #[test]
    fn a_message_carries_the_message_id_and_the_unsubscribe_link_in_brackets() {
        let wire = wire(&email());
        assert!(wire.contains("Message-ID: <id@linli.test>\r\n"), "{wire}");
        assert!(wire.contains("List-Unsubscribe: <https://linli.test/unsubscribe?t=abc>\r\n"), "{wire}");
        assert!(wire.contains("Auto-Submitted: auto-generated\r\n"), "{wire}");
        assert!(wire.contains("multipart/alternative"), "{wire}");
    }

    #[test]
    fn no_unsubscribe_url_means_no_header_and_no_html_means_plain_text_only() {
        let wire = wire(&Email { unsubscribe_url: None, html: String::new(), ..email() });
        assert!(!wire.contains("List-Unsubscribe"), "{wire}");
        assert!(!wire.contains("multipart"), "{wire}");
        assert!(wire.contains("Content-Type: text/plain; charset=utf-8"), "{wire}");
    }

    #[test]
    fn a_newline_in_the_subject_cannot_start_a_new_header() {
        let wire = wire(&Email { subject: "缴费提醒\r\nBcc: victim@example.com\n".into(), ..email() });
        assert!(!wire.contains("\r\nBcc:"), "{wire}");
        assert_eq!(one_line("缴费提醒\r\nBcc: x\n"), "缴费提醒 Bcc: x");
    }

    #[test]
    fn a_malformed_recipient_is_a_permanent_failure() {
        for to in ["", "no-at-sign", "two@@example.com"] {
            let err = build(&Email { to: to.into(), ..email() }, &from(), "<id@linli.test>").unwrap_err();
            assert!(matches!(err, EmailError::Permanent(_)), "{to}: {err}");
        }
    }

    #[test]
    fn an_unsubscribe_url_that_cannot_sit_in_angle_brackets_is_refused() {
        for url in ["https://linli.test/退订", "https://a b", "<https://a>", "javascript:x", ""] {
            let err = build(&Email { unsubscribe_url: Some(url.into()), ..email() }, &from(), "<i@l>").unwrap_err();
            assert!(matches!(err, EmailError::Permanent(_)), "{url}: {err}");
        }
        assert!(unsubscribe_url("mailto:unsubscribe@linli.test?subject=unsubscribe").is_ok());
    }

    #[test]
    fn message_ids_are_unique_and_in_the_senders_domain() {
        let (a, b) = (new_message_id(&from()), new_message_id(&from()));
        assert_ne!(a, b);
        assert!(a.starts_with('<') && a.ends_with("@linli.test>"), "{a}");
    }
}
