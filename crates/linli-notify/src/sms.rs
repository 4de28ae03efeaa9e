//! Which SMS template each message goes out with. Aliyun and Tencent deliver only templates they
//! have approved, and an account learns each template's code (Aliyun `SMS_…`, Tencent a number)
//! when it is approved. So the mapping is configuration, per provider account: for every kind of
//! message (and the house binding code) the approved code and the names of its variables, each
//! filled from one of the values the kind provides. It is checked when the server starts.
//!
//! A parameter is written `"name"` (the template's variable is called like the value it takes)
//! or `"var=name"` (the template's variable `var` takes the value `name`): Aliyun fills
//! `TemplateParam` by variable name, Tencent `TemplateParamSet` by position, in this order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{DeliveryChannel, Kind};

/// The one-time code of house binding, sent by SMS outside the outbox (it must never be stored
/// or shown in the message log).
pub const BINDING_CODE: &str = "binding_code";

/// One template as written in configuration: `[sms_templates.bill_issued] code = "SMS_…"
/// params = ["name", "amount"]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsTemplateConfig {
    pub code: String,
    #[serde(default)]
    pub params: Vec<String>,
}

/// Whose rules a template code follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmsProviderKind {
    /// Codes `SMS_` and digits; variables `${name}`, filled by name.
    Aliyun,
    /// Numeric template ids; variables `{1}`, `{2}`…, filled by position.
    Tencent,
}

impl SmsProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SmsProviderKind::Aliyun => "aliyun",
            SmsProviderKind::Tencent => "tencent",
        }
    }

    fn code_is_valid(self, code: &str) -> bool {
        match self {
            SmsProviderKind::Aliyun => code.strip_prefix("SMS_").is_some_and(|rest| !rest.is_empty()),
            SmsProviderKind::Tencent => !code.is_empty() && code.bytes().all(|b| b.is_ascii_digit()),
        }
    }
}

/// One variable of an approved template and the value that fills it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsParam {
    /// The template's own name for it (Aliyun's `${name}`).
    pub name: String,
    /// The value it takes, one of [`fields`].
    pub field: &'static str,
}

/// An approved template: its code and its variables in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsTemplate {
    pub code: String,
    pub params: Vec<SmsParam>,
}

impl SmsTemplate {
    /// The template's variables filled from a message's values, in order, by the template's names.
    pub fn values(&self, params: &Value) -> Vec<(String, String)> {
        self.params
            .iter()
            .map(|p| {
                let value = match params.get(p.field) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => String::new(),
                    Some(other) => other.to_string(),
                };
                (p.name.clone(), value)
            })
            .collect()
    }
}

/// The checked templates of one provider account, by kind (and [`BINDING_CODE`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SmsTemplates {
    by_subject: BTreeMap<&'static str, SmsTemplate>,
}

impl SmsTemplates {
    /// Checks a configuration: every kind in [`required`] has its template, every code looks like
    /// the provider's, every parameter is a value the kind can fill. Err lists each problem on a
    /// line of its own, naming the kind.
    pub fn from_config(
        provider: SmsProviderKind,
        config: &BTreeMap<String, SmsTemplateConfig>,
    ) -> Result<Self, String> {
        let mut problems = Vec::new();
        let mut by_subject = BTreeMap::new();
        for (key, entry) in config {
            let Some(subject) = subjects().into_iter().find(|s| s == key) else {
                problems
                    .push(format!("sms_templates.{key}: not a message kind (the kinds are {})", subjects().join(", ")));
                continue;
            };
            match check(provider, subject, entry) {
                Ok(template) => {
                    by_subject.insert(subject, template);
                }
                Err(mut errs) => problems.append(&mut errs),
            }
        }
        for subject in subjects().into_iter().filter(|s| required(s) && !config.contains_key(*s)) {
            let example = fields(subject).unwrap_or_default().iter().map(|f| format!("\"{f}\"")).collect::<Vec<_>>();
            problems.push(format!(
                "sms_templates.{subject} is missing: the {} account needs the code of its approved template for \
                 {subject} messages, e.g. [sms_templates.{subject}] code = \"{}\" params = [{}]",
                provider.as_str(),
                match provider {
                    SmsProviderKind::Aliyun => "SMS_123456789",
                    SmsProviderKind::Tencent => "1234567",
                },
                example.join(", ")
            ));
        }
        if problems.is_empty() { Ok(SmsTemplates { by_subject }) } else { Err(problems.join("\n")) }
    }

    pub fn for_kind(&self, kind: Kind) -> Option<&SmsTemplate> {
        self.get(kind.as_str())
    }

    /// The template of a kind's name or [`BINDING_CODE`].
    pub fn get(&self, subject: &str) -> Option<&SmsTemplate> {
        self.by_subject.get(subject)
    }

    pub fn binding_code(&self) -> Option<&SmsTemplate> {
        self.by_subject.get(BINDING_CODE)
    }

    /// Which kind (or [`BINDING_CODE`]) a template code belongs to.
    pub fn subject_of(&self, code: &str) -> Option<&'static str> {
        self.by_subject.iter().find(|(_, t)| t.code == code).map(|(s, _)| *s)
    }
}

fn check(
    provider: SmsProviderKind,
    subject: &'static str,
    entry: &SmsTemplateConfig,
) -> Result<SmsTemplate, Vec<String>> {
    let mut problems = Vec::new();
    let available = fields(subject).unwrap_or_default();
    let code = entry.code.trim();
    if !provider.code_is_valid(code) {
        problems.push(format!(
            "sms_templates.{subject}: code {:?} is not a {} template code ({})",
            entry.code,
            provider.as_str(),
            match provider {
                SmsProviderKind::Aliyun => "SMS_ and digits, as the console shows it once the template is approved",
                SmsProviderKind::Tencent => "the numeric template ID the console shows once the template is approved",
            }
        ));
    }
    let mut params = Vec::with_capacity(entry.params.len());
    for written in &entry.params {
        let (name, field) = written.split_once('=').unwrap_or((written, written));
        let (name, field) = (name.trim(), field.trim());
        let Some(field) = available.iter().copied().find(|f| *f == field) else {
            problems.push(format!(
                "sms_templates.{subject}: parameter {written:?} asks for {field:?}, which {subject} messages cannot fill \
                 (they fill {})",
                available.join(", ")
            ));
            continue;
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            problems.push(format!("sms_templates.{subject}: parameter {written:?} has no usable variable name"));
            continue;
        }
        if params.iter().any(|p: &SmsParam| p.name == name) {
            problems.push(format!("sms_templates.{subject}: variable {name:?} is listed twice"));
            continue;
        }
        params.push(SmsParam { name: name.to_owned(), field });
    }
    if problems.is_empty() { Ok(SmsTemplate { code: code.to_owned(), params }) } else { Err(problems) }
}

/// Every kind that can go by SMS, and [`BINDING_CODE`].
pub fn subjects() -> Vec<&'static str> {
    Kind::ALL.iter().map(|k| k.as_str()).chain([BINDING_CODE]).collect()
}

/// The values a kind's messages carry, which its template's variables can take.
pub fn fields(subject: &str) -> Option<&'static [&'static str]> {
    if subject == BINDING_CODE {
        return Some(&["code", "minutes"]);
    }
    Kind::parse(subject).map(crate::template::sms_fields)
}

/// Whether a provider account must have a template for `subject` before the server starts: the
/// binding code, and every kind that goes by SMS unless a recipient opts out. A kind only sent by
/// SMS when someone chooses it may go without; it is then not offered on SMS.
pub fn required(subject: &str) -> bool {
    subject == BINDING_CODE
        || Kind::parse(subject).is_some_and(|k| k.default_channels().contains(&DeliveryChannel::Sms))
}

/// The Chinese text of a kind's SMS with the provider's variables (`${name}` or `{1}`…), as the
/// template is submitted for approval and as a simulator is given it.
pub fn template_text(subject: &str, provider: SmsProviderKind, template: &SmsTemplate) -> String {
    let mut text = if subject == BINDING_CODE {
        "您正在绑定房屋，验证码 {{ code }}，{{ minutes }} 分钟内有效。如非本人操作请忽略。".to_owned()
    } else {
        Kind::parse(subject).map(crate::template::sms_body).unwrap_or_default().to_owned()
    };
    for (i, p) in template.params.iter().enumerate() {
        let var = match provider {
            SmsProviderKind::Aliyun => format!("${{{}}}", p.name),
            SmsProviderKind::Tencent => format!("{{{}}}", i + 1),
        };
        text = text.replace(&format!("{{{{ {} }}}}", p.field), &var);
    }
    text
}

/// A complete configuration with every value of every kind, codes from `code(i)`: what the demo
/// and the tests give a simulator.
pub fn full_config(code: impl Fn(usize) -> String) -> BTreeMap<String, SmsTemplateConfig> {
    subjects()
        .into_iter()
        .enumerate()
        .map(|(i, subject)| {
            let params = fields(subject).unwrap_or_default().iter().map(|f| (*f).to_owned()).collect();
            (subject.to_owned(), SmsTemplateConfig { code: code(i), params })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(code: &str, params: &[&str]) -> SmsTemplateConfig {
        SmsTemplateConfig { code: code.into(), params: params.iter().map(|p| (*p).to_owned()).collect() }
    }

    fn aliyun_codes() -> BTreeMap<String, SmsTemplateConfig> {
        full_config(|i| format!("SMS_4600{i:05}"))
    }

    #[test]
    fn a_full_configuration_is_accepted_and_fills_each_template_in_order() {
        let t = SmsTemplates::from_config(SmsProviderKind::Aliyun, &aliyun_codes()).unwrap();
        let bill = t.for_kind(Kind::BillIssued).unwrap();
        assert_eq!(bill.code, "SMS_460000000");
        let values = bill.values(&json!({"name": "张伟", "house": "1栋301", "period": "2026年11月", "amount": "210.25", "due_date": "2026-12-15"}));
        assert_eq!(values[0], ("name".to_owned(), "张伟".to_owned()));
        assert_eq!(values.len(), 5);
        assert_eq!(t.subject_of("SMS_460000000"), Some("bill_issued"));
        assert_eq!(t.binding_code().unwrap().params.len(), 2);
    }

    #[test]
    fn a_kind_sent_by_sms_without_its_template_is_an_error_naming_the_kind() {
        let mut config = aliyun_codes();
        config.remove("bill_overdue");
        config.remove("binding_code");
        let err = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap_err();
        assert!(err.contains("sms_templates.bill_overdue is missing"), "{err}");
        assert!(err.contains("sms_templates.binding_code is missing"), "{err}");
        assert!(err.contains(r#"params = ["name", "house", "amount"]"#), "{err}");
        // A kind that only goes by SMS when someone chooses it may go without.
        config = aliyun_codes();
        config.remove("event_published");
        let t = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap();
        assert!(t.for_kind(Kind::EventPublished).is_none());
    }

    #[test]
    fn parameters_must_be_values_the_kind_fills_and_may_be_renamed() {
        let mut config = aliyun_codes();
        config.insert("bill_issued".into(), entry("SMS_1", &["customer=name", "amount", "balance"]));
        let err = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap_err();
        assert_eq!(
            err,
            "sms_templates.bill_issued: parameter \"balance\" asks for \"balance\", which bill_issued messages cannot \
             fill (they fill name, house, period, amount, due_date)"
        );
        config.insert("bill_issued".into(), entry("SMS_1", &["customer=name", "amount"]));
        let t = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap();
        let values = t.for_kind(Kind::BillIssued).unwrap().values(&json!({"name": "张伟", "amount": "1.00"}));
        assert_eq!(values, [("customer".to_owned(), "张伟".to_owned()), ("amount".to_owned(), "1.00".to_owned())]);
        config.insert("bill_issued".into(), entry("SMS_1", &["name", "name"]));
        assert!(SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap_err().contains("listed twice"));
    }

    #[test]
    fn codes_must_look_like_the_providers_and_kinds_must_exist() {
        let mut config = aliyun_codes();
        config.insert("bill_issued".into(), entry("1956123", &["name"]));
        config.insert("bill_isued".into(), entry("SMS_1", &[]));
        let err = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap_err();
        assert!(err.contains("sms_templates.bill_issued: code \"1956123\" is not a aliyun template code"), "{err}");
        assert!(err.contains("sms_templates.bill_isued: not a message kind"), "{err}");
        let tencent = full_config(|i| format!("19561{i:02}"));
        assert!(SmsTemplates::from_config(SmsProviderKind::Tencent, &tencent).is_ok());
        assert!(SmsTemplates::from_config(SmsProviderKind::Tencent, &aliyun_codes()).is_err());
    }

    #[test]
    fn the_template_text_uses_each_providers_variables() {
        let config = aliyun_codes();
        let t = SmsTemplates::from_config(SmsProviderKind::Aliyun, &config).unwrap();
        let alarm = t.for_kind(Kind::AlarmRaised).unwrap();
        assert_eq!(
            template_text("alarm_raised", SmsProviderKind::Aliyun, alarm),
            "${place} 发生${alarm}告警，请立即处理。"
        );
        assert_eq!(template_text("alarm_raised", SmsProviderKind::Tencent, alarm), "{2} 发生{1}告警，请立即处理。");
        let code = t.binding_code().unwrap();
        assert!(template_text(BINDING_CODE, SmsProviderKind::Aliyun, code).contains("验证码 ${code}，${minutes} 分钟"));
    }
}
