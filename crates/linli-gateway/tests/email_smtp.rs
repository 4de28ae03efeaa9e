//! `SmtpMailer` against a real SMTP server: aiosmtpd, run by `SmtpSink`
//! (tests/support/smtp_sink.py). Needs `pip install aiosmtpd`; without it these tests fail and
//! say so rather than skip.

use linli_gateway::email::testing::{SINK_SCRIPT, SmtpSink, mail_parser};
use linli_gateway::email::{Email, EmailError, SmtpConfig, SmtpMailer, SmtpSecurity};

fn bill_reminder(to: &str) -> Email {
    Email {
        to: to.into(),
        to_name: Some("张伟".into()),
        subject: "【邻里物业】2026年3月物业费缴费提醒 ¥1,280.50".into(),
        text: "张伟 您好：\n\n\
               您 2026 年 3 月的物业费 ¥1,280.50 将于 3 月 31 日到期。\n\
               .\n\
               ..以点开头的行不能被当作 SMTP 的结束符\n\
               From the office: 请按时缴纳，逾期将按日加收万分之五的滞纳金。这一行足够长，长到传输编码必须折行，以检验解码后逐字一致。\n\n\
               邻里物业服务中心\n"
            .into(),
        html: "<!doctype html>\n<html><body>\n<p>张伟 您好：</p>\n\
               <p>您 2026 年 3 月的物业费 <b>¥1,280.50</b> 将于 3 月 31 日到期。</p>\n\
               <p><a href=\"https://linli.test/unsubscribe?t=8f3a&amp;p=1\">退订</a></p>\n</body></html>\n"
            .into(),
        unsubscribe_url: Some("https://linli.test/unsubscribe?t=8f3a&p=1".into()),
    }
}

fn mailer(cfg: SmtpConfig) -> SmtpMailer {
    SmtpMailer::new(cfg).expect("valid SMTP configuration")
}

#[tokio::test]
async fn a_rendered_email_arrives_with_its_chinese_subject_and_name_both_bodies_and_the_unsubscribe_link() {
    let sink = SmtpSink::start().await;
    let email = bill_reminder("zhang.wei@example.com");

    let message_id = mailer(sink.config()).send(&email).await.expect("sent");

    let received = sink.received();
    assert_eq!(received.len(), 1);
    let got = &received[0];
    assert_eq!(got.path.file_name().unwrap(), "1.eml");
    assert_eq!(got.mail_from, "noreply@linli.test");
    assert_eq!(got.rcpt_to, ["zhang.wei@example.com"]);

    // Read it back the way a mail client would, with a MIME parser.
    let parsed = mail_parser::MessageParser::default().parse(&got.raw).expect("a MIME message");
    assert_eq!(parsed.subject(), Some("【邻里物业】2026年3月物业费缴费提醒 ¥1,280.50"));
    let to = parsed.to().and_then(|a| a.first()).expect("a To header");
    assert_eq!((to.name(), to.address()), (Some("张伟"), Some("zhang.wei@example.com")));
    let from = parsed.from().and_then(|a| a.first()).expect("a From header");
    assert_eq!((from.name(), from.address()), (Some("邻里物业"), Some("noreply@linli.test")));
    assert_eq!(parsed.message_id().map(|id| format!("<{id}>")), Some(message_id.clone()));
    assert_eq!(parsed.text_body.len(), 1);
    assert_eq!(parsed.html_body.len(), 1);
    // SMTP carries CRLF; the words are exactly what was rendered.
    assert_eq!(parsed.body_text(0).unwrap(), email.text.replace('\n', "\r\n"));
    assert_eq!(parsed.body_html(0).unwrap(), email.html.replace('\n', "\r\n"));
    assert_eq!(
        parsed.header_raw("List-Unsubscribe").map(str::trim),
        Some("<https://linli.test/unsubscribe?t=8f3a&p=1>")
    );

    // The same through the helper's shortcuts, which the notify tests use.
    assert_eq!(got.subject().as_deref(), Some(email.subject.as_str()));
    assert_eq!(got.to(), [(Some("张伟".to_owned()), "zhang.wei@example.com".to_owned())]);
    assert_eq!(got.text().as_deref(), Some(email.text.as_str()));
    assert_eq!(got.html().as_deref(), Some(email.html.as_str()));
    assert_eq!(got.message_id(), Some(message_id));
    assert_eq!(got.header("list-unsubscribe").as_deref(), Some("<https://linli.test/unsubscribe?t=8f3a&p=1>"));
    assert_eq!(got.header("Auto-Submitted").as_deref(), Some("auto-generated"));
}

#[tokio::test]
async fn a_plain_ascii_text_only_email_survives_lines_that_look_like_smtp_commands() {
    // ASCII text goes out unencoded, so these lines reach the server as they are and must be
    // dot-stuffed: a lone "." would otherwise end the message early.
    let sink = SmtpSink::start().await;
    let email = Email {
        to: "facilities@example.com".into(),
        to_name: None,
        subject: "Work order WO-2026-0042 closed".into(),
        text: "Line one\n.\n..two dots\nFrom the desk\n.\n".into(),
        html: String::new(),
        unsubscribe_url: None,
    };

    mailer(sink.config()).send(&email).await.expect("sent");

    let got = &sink.received()[0];
    // Every line arrives as sent. A single-part body also gains trailing empty lines: lettre ends
    // the part with CRLF and then sends "CRLF.CRLF" after it.
    let text = got.text().expect("a text/plain body");
    let extra = text.strip_prefix(email.text.as_str()).unwrap_or_else(|| panic!("{text:?}"));
    assert!(extra.chars().all(|c| c == '\n'), "{text:?}");
    assert_eq!(got.html(), None);
    assert_eq!(got.to(), [(None, "facilities@example.com".to_owned())]);
    assert_eq!(got.header("List-Unsubscribe"), None);
}

#[tokio::test]
async fn a_stopped_server_is_a_transient_failure_and_the_same_mailer_sends_again_after_a_restart() {
    let mut sink = SmtpSink::start().await;
    let port = sink.port();
    let mailer = mailer(sink.config());
    mailer.send(&bill_reminder("first@example.com")).await.expect("sent before the outage");

    sink.stop().await;
    let err = mailer.send(&bill_reminder("second@example.com")).await.unwrap_err();
    assert!(matches!(err, EmailError::Transient(_)), "{err}");
    assert!(err.is_transient());

    sink.restart().await;
    assert_eq!(sink.port(), port);
    mailer.send(&bill_reminder("second@example.com")).await.expect("sent after the restart");

    let received = sink.received();
    let names: Vec<_> = received.iter().map(|r| r.path.file_name().unwrap().to_owned()).collect();
    assert_eq!(names, ["1.eml", "2.eml"]);
    assert_eq!(received[1].rcpt_to, ["second@example.com"]);
}

#[tokio::test]
async fn a_mailbox_refused_with_550_is_permanent_and_a_451_is_transient() {
    let sink = SmtpSink::start().await;
    let mailer = mailer(sink.config());

    let err = mailer.send(&bill_reminder("bounce.li.na@example.com")).await.unwrap_err();
    assert!(matches!(&err, EmailError::Permanent(m) if m.contains("550")), "{err}");

    let err = mailer.send(&bill_reminder("defer.wang@example.com")).await.unwrap_err();
    assert!(matches!(&err, EmailError::Transient(m) if m.contains("451")), "{err}");

    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_malformed_address_is_permanent_before_any_connection() {
    let mut sink = SmtpSink::start().await;
    let mailer = mailer(sink.config());
    sink.stop().await;

    let err = mailer.send(&bill_reminder("zhang.wei.example.com")).await.unwrap_err();
    assert!(matches!(err, EmailError::Permanent(_)), "{err}");
}

#[tokio::test]
async fn credentials_are_sent_when_configured_and_refused_ones_are_permanent() {
    let sink = SmtpSink::start_with_auth("noreply@linli.test", "物业-secret").await;
    let email = bill_reminder("zhang.wei@example.com");

    mailer(sink.config()).send(&email).await.expect("sent with the right password");

    let wrong = SmtpConfig { password: Some("wrong".into()), ..sink.config() };
    let err = mailer(wrong).send(&email).await.unwrap_err();
    assert!(matches!(&err, EmailError::Permanent(m) if m.contains("535")), "{err}");

    let anonymous = SmtpConfig { username: None, password: None, ..sink.config() };
    let err = mailer(anonymous).send(&email).await.unwrap_err();
    assert!(matches!(&err, EmailError::Permanent(m) if m.contains("530")), "{err}");

    assert_eq!(sink.received().len(), 1);
}

#[tokio::test]
async fn the_tls_modes_never_fall_back_to_plain_text() {
    // The sink offers no TLS: STARTTLS mode must stop after EHLO and SMTPS mode at the handshake,
    // before any credentials or mail cross the wire.
    let sink = SmtpSink::start().await;
    for security in [SmtpSecurity::StartTls, SmtpSecurity::Tls] {
        let cfg = SmtpConfig { security, ..sink.config() };
        let err = mailer(cfg).send(&bill_reminder("zhang.wei@example.com")).await.unwrap_err();
        // Reached the server and refused to go on there: not a refused connection.
        assert!(matches!(&err, EmailError::Transient(m) if !m.contains("refused")), "{security:?}: {err}");
    }
    assert!(sink.received().is_empty());
}

#[test]
fn without_aiosmtpd_the_sink_says_to_pip_install_it() {
    // -I -S: no site-packages, so aiosmtpd cannot be imported even where it is installed.
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new("python3")
        .args(["-I", "-S", SINK_SCRIPT, "--port", "0", "--dir"])
        .arg(dir.path())
        .output()
        .expect("python3 runs");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no READY without a server");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("pip install aiosmtpd"), "{stderr}");
}
