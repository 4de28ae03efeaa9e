//! Message templates per kind, channel and language, rendered with minijinja. A parameter a
//! template needs but the notice lacks is an error, not a blank in someone's SMS.

use linli_core::{Error, Result};
use minijinja::{Environment, UndefinedBehavior};
use serde_json::Value;

use crate::{DeliveryChannel, Kind};

/// Subject and text in one language.
struct Text {
    subject: &'static str,
    body: &'static str,
}

/// The texts of a kind, and the values its SMS template can take (which template and which of
/// them is the provider account's configuration: [`crate::sms`]).
struct Template {
    zh: Text,
    en: Text,
    sms_params: &'static [&'static str],
}

fn template(kind: Kind) -> Template {
    let t = |subject, body| Text { subject, body };
    match kind {
        Kind::BillIssued => Template {
            zh: t(
                "{{ period }} 账单已出",
                "{{ name }}您好，您的房屋 {{ house }} {{ period }} 账单已出，应缴 {{ amount }} 元，请于 {{ due_date }} 前缴纳。",
            ),
            en: t(
                "Your bill for {{ period }}",
                "Dear {{ name }}, the bill of {{ house }} for {{ period }} is {{ amount }} yuan, due on {{ due_date }}.",
            ),
            sms_params: &["name", "house", "period", "amount", "due_date"],
        },
        Kind::BillOverdue => Template {
            zh: t("费用逾期提醒", "{{ name }}您好，您的房屋 {{ house }} 有 {{ amount }} 元费用已逾期，请尽快缴纳。"),
            en: t("Overdue charges", "Dear {{ name }}, {{ amount }} yuan for {{ house }} is overdue. Please pay soon."),
            sms_params: &["name", "house", "amount"],
        },
        Kind::PaymentReceived => Template {
            zh: t("缴费成功", "{{ name }}您好，已收到您为 {{ house }} 缴纳的 {{ amount }} 元，谢谢。"),
            en: t("Payment received", "Dear {{ name }}, we received {{ amount }} yuan for {{ house }}. Thank you."),
            sms_params: &["name", "house", "amount"],
        },
        Kind::WorkOrderAssigned => Template {
            zh: t("新工单 {{ number }}", "新工单 {{ number }}：{{ title }}，地点 {{ place }}，请及时处理。"),
            en: t("Work order {{ number }}", "Work order {{ number }}: {{ title }} at {{ place }}."),
            sms_params: &["number", "title", "place"],
        },
        Kind::VisitorConfirm => Template {
            zh: t("访客到访确认", "访客 {{ visitor }} 正在 {{ gate }} 等候，请确认是否放行。"),
            en: t("A visitor is waiting", "{{ visitor }} is waiting at {{ gate }}. Please confirm the visit."),
            sms_params: &["visitor", "gate"],
        },
        Kind::AlarmRaised => Template {
            zh: t("告警：{{ alarm }}", "{{ place }} 发生{{ alarm }}告警，请立即处理。"),
            en: t("Alarm: {{ alarm }}", "{{ alarm }} at {{ place }}. Please respond now."),
            sms_params: &["alarm", "place"],
        },
        Kind::NoticePublished => Template {
            zh: t("{{ title }}", "{{ summary }}"),
            en: t("{{ title }}", "{{ summary }}"),
            sms_params: &["title"],
        },
        Kind::EventPublished => Template {
            zh: t("社区活动：{{ title }}", "{{ title }}，时间 {{ time }}，欢迎报名参加。"),
            en: t("Community event: {{ title }}", "{{ title }} on {{ time }}. Sign up in the app."),
            sms_params: &["title", "time"],
        },
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub body: String,
    pub html: Option<String>,
}

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env
}

fn fill(env: &Environment<'_>, source: &str, params: &Value) -> Result<String> {
    env.render_str(source, params).map_err(|e| {
        tracing::warn!(error = %e, "template rendering failed");
        Error::invalid("params", "missing_template_parameter")
    })
}

/// The message of `kind` for `channel` in `locale` (`en`, else Chinese). Email gets an HTML
/// body (escaped by minijinja) with the unsubscribe link when `params.unsubscribe_url` is set.
pub fn render(kind: Kind, channel: DeliveryChannel, locale: &str, params: &Value) -> Result<Rendered> {
    let t = template(kind);
    let text = if locale == "en" { &t.en } else { &t.zh };
    let env = env();
    let subject = fill(&env, text.subject, params)?;
    let body = fill(&env, text.body, params)?;
    let html = if channel == DeliveryChannel::Email {
        let footer = if locale == "en" { "Unsubscribe" } else { "退订此类邮件" };
        let page = format!(
            "<!doctype html><html><body style=\"font-family:sans-serif\"><h3>{{{{ subject }}}}</h3><p>{{{{ body }}}}</p>\
             {{% if unsubscribe_url is defined %}}<p style=\"color:#888;font-size:12px\"><a href=\"{{{{ unsubscribe_url }}}}\">{footer}</a></p>{{% endif %}}\
             </body></html>"
        );
        let mut ctx = params.clone();
        if let Value::Object(m) = &mut ctx {
            m.insert("subject".into(), Value::String(subject.clone()));
            m.insert("body".into(), Value::String(body.clone()));
        }
        let mut html_env = env.clone();
        html_env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        Some(html_env.render_str(&page, ctx).map_err(|_| Error::invalid("params", "missing_template_parameter"))?)
    } else {
        None
    };
    Ok(Rendered { subject, body, html })
}

/// The values a kind's SMS template can take, in the order of Linli's own text.
pub fn sms_fields(kind: Kind) -> &'static [&'static str] {
    template(kind).sms_params
}

/// A kind's Chinese text with `{{ value }}` placeholders: what its SMS template says.
pub fn sms_body(kind: Kind) -> &'static str {
    template(kind).zh.body
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_bill_renders_in_both_languages_and_html_is_escaped() {
        let p = json!({"name": "张伟", "house": "1栋301", "period": "2026年11月", "amount": "210.25", "due_date": "2026-12-15", "unsubscribe_url": "https://x/u?t=1"});
        let zh = render(Kind::BillIssued, DeliveryChannel::Sms, "zh-CN", &p).unwrap();
        assert_eq!(zh.body, "张伟您好，您的房屋 1栋301 2026年11月 账单已出，应缴 210.25 元，请于 2026-12-15 前缴纳。");
        let en = render(Kind::BillIssued, DeliveryChannel::Email, "en", &json!({"name": "<b>Li</b>", "house": "1-301", "period": "Nov 2026", "amount": "210.25", "due_date": "2026-12-15"})).unwrap();
        assert_eq!(en.subject, "Your bill for Nov 2026");
        let html = en.html.unwrap();
        assert!(html.contains("&lt;b&gt;Li") && !html.contains("<b>Li") && !html.contains("Unsubscribe"));
        let zh_html = render(Kind::BillIssued, DeliveryChannel::Email, "zh-CN", &p).unwrap().html.unwrap();
        assert!(zh_html.contains("退订此类邮件") && zh_html.contains("u?t=1"), "{zh_html}");
    }

    #[test]
    fn a_missing_parameter_is_an_error_not_a_blank() {
        assert!(render(Kind::BillIssued, DeliveryChannel::InApp, "zh-CN", &json!({"name": "张伟"})).is_err());
        assert_eq!(sms_fields(Kind::AlarmRaised), ["alarm", "place"]);
    }
}
