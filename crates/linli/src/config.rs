//! Configuration: defaults, then `linli.toml` (or `--config`), then `LINLI_*` environment
//! variables, then command-line flags. The names are part of the product's interface.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use linli_notify::SmsTemplateConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// `LINLI_DATA_DIR`: the SQLite database and uploaded files live here.
    pub data_dir: PathBuf,
    /// `LINLI_DATABASE_URL`: `sqlite://…` or `postgres://…`; default `sqlite://<data_dir>/linli.db`.
    pub database_url: Option<String>,
    /// `LINLI_BIND`: address the HTTP server listens on.
    pub bind: String,
    /// `LINLI_ADMIN_PASSWORD`: the demo admin's password (random when unset).
    pub admin_password: Option<String>,
    /// `LINLI_COMPANY_NAME`: the company created on an empty database.
    pub company_name: String,
    /// `LINLI_SECURE_COOKIES`: mark cookies `Secure` (set when served over HTTPS; implied by an
    /// https `public_url`).
    pub secure_cookies: bool,
    /// `LINLI_TRUSTED_PROXIES`: addresses or networks of reverse proxies whose `X-Forwarded-For`
    /// names the client (`127.0.0.1, 10.0.0.0/8`); empty: the header is ignored.
    pub trusted_proxies: String,
    /// `LINLI_WORKERS`: run the job workers and scheduler in this process.
    pub workers: bool,
    /// `LINLI_SECRET_KEY`: base64 of 32 random bytes; the key personal data is encrypted with.
    /// When unset, `<data_dir>/secret.key` is used (created on first start). Several instances
    /// on one PostgreSQL must share one key: set it explicitly there.
    pub secret_key: Option<String>,
    /// `LINLI_PUBLIC_URL` / `--public-url`: how people reach this server, e.g.
    /// `https://wuye.example.cn`: links in email and the equipment QR labels. Unset: links use
    /// `http://<bind>`, labels the address the browser asked for. When it is `https://…`, answers
    /// carry HSTS and cookies are `Secure`.
    pub public_url: Option<String>,
    /// `LINLI_METRICS_TOKEN`: `/metrics` on the app port answers only `Authorization: Bearer <token>`.
    /// Without it (and without `metrics_bind`) metrics are not served at all.
    pub metrics_token: Option<String>,
    /// `LINLI_METRICS_BIND`: a listen address of its own for `/metrics` (e.g. `127.0.0.1:9464`).
    pub metrics_bind: Option<String>,
    /// `LINLI_SMS_PROVIDER`: `aliyun`, `tencent`, or `none` (the demo runs the Aliyun simulator).
    pub sms_provider: String,
    /// `LINLI_SMS_ENDPOINT`: the provider's base URL, when not the public one.
    pub sms_endpoint: Option<String>,
    /// `LINLI_SMS_ACCESS_KEY_ID` / `LINLI_SMS_ACCESS_KEY_SECRET` (Tencent: SecretId / SecretKey).
    pub sms_access_key_id: Option<String>,
    pub sms_access_key_secret: Option<String>,
    /// `LINLI_SMS_SIGN_NAME`: the registered signature, e.g. 邻里物业.
    pub sms_sign_name: String,
    /// `LINLI_SMS_APP_ID`: Tencent's SmsSdkAppId.
    pub sms_app_id: Option<String>,
    /// `LINLI_SMS_REGION`: Tencent's `X-TC-Region` (default `ap-guangzhou`), Aliyun's `RegionId`
    /// (default `cn-hangzhou`).
    pub sms_region: Option<String>,
    /// `LINLI_SMTP_HOST` (unset: no email), `LINLI_SMTP_PORT`, `LINLI_SMTP_SECURITY`
    /// (`plain`, `starttls`, `tls`), `LINLI_SMTP_USERNAME`, `LINLI_SMTP_PASSWORD`, `LINLI_SMTP_FROM`.
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    pub smtp_security: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub smtp_from: String,
    /// `LINLI_WECHAT_PAY_MCHID` (unset: no WeChat Pay), `…_APPID`, `…_SERIAL_NO` (the merchant API
    /// certificate's serial), `…_PRIVATE_KEY` (the text of `apiclient_key.pem`), `…_APIV3_KEY`,
    /// `…_PUBLIC_KEY_ID` and `…_PUBLIC_KEY` (WeChat Pay's `PUB_KEY_ID_…` key and its PEM text),
    /// `…_BASE_URL` (the API, when not `https://api.mch.weixin.qq.com`). Notifications come to
    /// `public_url` + `/api/v1/channels/wechat/notify`.
    pub wechat_pay_mchid: Option<String>,
    pub wechat_pay_appid: Option<String>,
    pub wechat_pay_serial_no: Option<String>,
    pub wechat_pay_private_key: Option<String>,
    pub wechat_pay_apiv3_key: Option<String>,
    pub wechat_pay_public_key_id: Option<String>,
    pub wechat_pay_public_key: Option<String>,
    pub wechat_pay_base_url: Option<String>,
    /// `LINLI_ALIPAY_APP_ID` (unset: no Alipay), `…_SELLER_ID` (the merchant's PID, `2088…`),
    /// `…_APP_PRIVATE_KEY` (the app's RSA2 private key, PEM or the bare base64 the key tool
    /// writes), `…_PUBLIC_KEY` (Alipay's public key from the console, not the app's),
    /// `…_GATEWAY_URL` (when not `https://openapi.alipay.com/gateway.do`). Notifications come to
    /// `public_url` + `/api/v1/channels/alipay/notify`.
    pub alipay_app_id: Option<String>,
    pub alipay_seller_id: Option<String>,
    pub alipay_app_private_key: Option<String>,
    pub alipay_public_key: Option<String>,
    pub alipay_gateway_url: Option<String>,
    /// `[sms_templates.<kind>] code = "SMS_…" params = ["name", …]`, or
    /// `LINLI_SMS_TEMPLATES__<KIND>__CODE` / `LINLI_SMS_TEMPLATES__<KIND>__PARAMS=[name,…]`: the
    /// provider account's approved template for each kind of message and the values its
    /// variables take, in order (`var=value` renames one). Checked at start (`linli_notify::sms`).
    /// Last: TOML writes tables after plain values.
    pub sms_templates: BTreeMap<String, SmsTemplateConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./linli-data"),
            database_url: None,
            bind: "127.0.0.1:8080".into(),
            admin_password: None,
            company_name: "邻里物业服务有限公司".into(),
            secure_cookies: false,
            trusted_proxies: String::new(),
            workers: true,
            secret_key: None,
            public_url: None,
            metrics_token: None,
            metrics_bind: None,
            sms_provider: "none".into(),
            sms_endpoint: None,
            sms_access_key_id: None,
            sms_access_key_secret: None,
            sms_sign_name: "邻里物业".into(),
            sms_app_id: None,
            sms_region: None,
            smtp_host: None,
            smtp_port: 25,
            smtp_security: "plain".into(),
            smtp_username: None,
            smtp_password: None,
            smtp_from: "邻里物业 <noreply@linli.local>".into(),
            wechat_pay_mchid: None,
            wechat_pay_appid: None,
            wechat_pay_serial_no: None,
            wechat_pay_private_key: None,
            wechat_pay_apiv3_key: None,
            wechat_pay_public_key_id: None,
            wechat_pay_public_key: None,
            wechat_pay_base_url: None,
            alipay_app_id: None,
            alipay_seller_id: None,
            alipay_app_private_key: None,
            alipay_public_key: None,
            alipay_gateway_url: None,
            sms_templates: BTreeMap::new(),
        }
    }
}

/// Values given as flags, applied last.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_password: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

impl Config {
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Self> {
        let file = file.map_or_else(|| PathBuf::from("linli.toml"), Path::to_path_buf);
        let cfg = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("LINLI_").only(&[
                "data_dir",
                "database_url",
                "bind",
                "admin_password",
                "company_name",
                "secure_cookies",
                "trusted_proxies",
                "workers",
                "secret_key",
                "public_url",
                "metrics_token",
                "metrics_bind",
                "sms_provider",
                "sms_endpoint",
                "sms_access_key_id",
                "sms_access_key_secret",
                "sms_sign_name",
                "sms_app_id",
                "sms_region",
                "sms_templates",
                "smtp_host",
                "smtp_port",
                "smtp_security",
                "smtp_username",
                "smtp_password",
                "smtp_from",
                "wechat_pay_mchid",
                "wechat_pay_appid",
                "wechat_pay_serial_no",
                "wechat_pay_private_key",
                "wechat_pay_apiv3_key",
                "wechat_pay_public_key_id",
                "wechat_pay_public_key",
                "wechat_pay_base_url",
                "alipay_app_id",
                "alipay_seller_id",
                "alipay_app_private_key",
                "alipay_public_key",
                "alipay_gateway_url",
            ]))
            // One template at a time: LINLI_SMS_TEMPLATES__BILL_ISSUED__CODE=SMS_1 (`__` nests).
            .merge(Env::prefixed("LINLI_SMS_TEMPLATES__").split("__").map(|key| format!("sms_templates.{key}").into()))
            .merge(Serialized::defaults(overrides))
            .extract()?;
        Ok(cfg)
    }

    /// The public URL is https: HSTS and `Secure` cookies follow.
    pub fn is_https(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"))
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/linli.db?mode=rwc", self.data_dir.display()))
    }

    /// The effective configuration as TOML, secrets replaced.
    pub fn redacted_toml(&self) -> anyhow::Result<String> {
        let mut shown = self.clone();
        shown.database_url = Some(redact_url(&self.database_url()));
        if shown.admin_password.is_some() {
            shown.admin_password = Some("<redacted>".into());
        }
        for secret in [
            &mut shown.secret_key,
            &mut shown.sms_access_key_secret,
            &mut shown.smtp_password,
            &mut shown.metrics_token,
            &mut shown.wechat_pay_private_key,
            &mut shown.wechat_pay_apiv3_key,
            &mut shown.alipay_app_private_key,
        ] {
            if secret.is_some() {
                *secret = Some("<redacted>".into());
            }
        }
        Ok(toml::to_string(&shown)?)
    }
}

impl Config {
    /// The master key for personal data: from `secret_key`, else from `<data_dir>/secret.key`,
    /// which is created (readable by the owner only) when missing.
    pub fn master_key(&self) -> anyhow::Result<[u8; 32]> {
        use base64::Engine;
        let engine = base64::engine::general_purpose::STANDARD;
        let text = if let Some(k) = &self.secret_key {
            k.clone()
        } else {
            let path = self.data_dir.join("secret.key");
            if path.exists() {
                std::fs::read_to_string(&path)?
            } else {
                std::fs::create_dir_all(&self.data_dir)?;
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("random key: {e}"))?;
                let text = engine.encode(key);
                write_private(&path, &text)?;
                tracing::warn!(path = %path.display(), "created a new secret key; back it up with the database");
                text
            }
        };
        let bytes = engine.decode(text.trim()).map_err(|_| anyhow::anyhow!("the secret key is not base64"))?;
        bytes.try_into().map_err(|_| anyhow::anyhow!("the secret key must be 32 bytes (base64 of 32 random bytes)"))
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
        f.write_all(text.as_bytes())?;
    }
    #[cfg(not(unix))]
    std::fs::write(path, text)?;
    Ok(())
}

/// `postgres://user:secret@host/db` → `postgres://user:<redacted>@host/db`.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let Some((creds, host)) = rest.split_once('@') else {
        return url.to_string();
    };
    match creds.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:<redacted>@{host}"),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_url_defaults_to_sqlite_in_the_data_dir() {
        let c = Config { data_dir: "/srv/linli".into(), ..Config::default() };
        assert_eq!(c.database_url(), "sqlite:///srv/linli/linli.db?mode=rwc");
    }

    #[test]
    fn the_effective_configuration_prints_with_its_templates() {
        let mut c = Config::default();
        c.sms_templates
            .insert("bill_issued".into(), SmsTemplateConfig { code: "SMS_1".into(), params: vec!["name".into()] });
        let text = c.redacted_toml().unwrap();
        assert!(text.contains("[sms_templates.bill_issued]\ncode = \"SMS_1\""), "{text}");
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(redact_url("postgres://linli:s3cret@db:5432/linli"), "postgres://linli:<redacted>@db:5432/linli");
        assert_eq!(redact_url("postgres://postgres@127.0.0.1/x"), "postgres://postgres@127.0.0.1/x");
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn flags_beat_environment_beat_file_beat_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "linli.toml",
                "bind = \"0.0.0.0:1\"\ncompany_name = \"文件物业\"\ndata_dir = \"/from-file\"",
            )?;
            jail.set_env("LINLI_BIND", "0.0.0.0:2");
            jail.set_env("LINLI_DATA_DIR", "/from-env");
            let o = Overrides { data_dir: Some("/from-flag".into()), ..Overrides::default() };
            let c = Config::load(None, &o).map_err(|e| e.to_string())?;
            assert_eq!(c.bind, "0.0.0.0:2");
            assert_eq!(c.company_name, "文件物业");
            assert_eq!(c.data_dir, PathBuf::from("/from-flag"));
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn sms_templates_come_from_the_file_and_from_the_environment() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "linli.toml",
                "sms_provider = \"aliyun\"\n[sms_templates.bill_issued]\ncode = \"SMS_4412001\"\n\
                 params = [\"customer=name\", \"amount\"]\n[sms_templates.alarm_raised]\ncode = \"SMS_1\"\n",
            )?;
            jail.set_env("LINLI_SMS_TEMPLATES__BILL_OVERDUE__CODE", "SMS_4412002");
            jail.set_env("LINLI_SMS_TEMPLATES__BILL_OVERDUE__PARAMS", "[name, house, amount]");
            jail.set_env("LINLI_SMS_TEMPLATES__ALARM_RAISED__CODE", "SMS_4412003");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            let t = |kind: &str| c.sms_templates[kind].clone();
            assert_eq!(t("bill_issued").code, "SMS_4412001");
            assert_eq!(t("bill_issued").params, ["customer=name", "amount"]);
            assert_eq!(t("bill_overdue").code, "SMS_4412002");
            assert_eq!(t("bill_overdue").params, ["name", "house", "amount"]);
            assert_eq!(t("alarm_raised").code, "SMS_4412003", "the environment wins over the file");
            Ok(())
        });
    }

    #[test]
    #[allow(clippy::result_large_err)] // figment::Jail's own error type
    fn all_sms_templates_fit_in_one_environment_variable_too() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("LINLI_SMS_TEMPLATES", "{bill_issued={code=\"SMS_1\",params=[name,amount]}}");
            let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
            assert_eq!(c.sms_templates["bill_issued"].params, ["name", "amount"]);
            Ok(())
        });
    }
}
