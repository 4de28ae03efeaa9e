//! `linli bench payments`: WeChat Pay notifications as WeChat Pay sends them (signed with the
//! platform key, the transaction encrypted with the APIv3 key) posted to the real server at once,
//! with duplicates, forged signatures and wrong amounts among them. Prints the notifications
//! verified and settled per second, beside two baselines measured on the same database in the
//! same minute: the same payments recorded at the counter through the API (the ledger's own cost
//! over HTTP) and the signature check and decryption alone (the protocol's cost, no database).

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use linli_core::{AuditEvent, Authz, Fen};
use linli_gateway::pay::wechat::model::{Transaction, TransactionAmount};
use linli_gateway::pay::wechat::simulator::{self, test_keys};
use linli_payments::OrderRepo;
use linli_payments::service::{ChannelOrder, NewOrderRow};

use super::{Client, Tally, owned_houses, scratch};
use crate::server;

/// One notification as it goes on the wire.
struct Wire {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// What a notification is, to count the answers it should get.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    Genuine,
    Duplicate,
    Forged,
    WrongAmount,
}

impl Sort {
    fn name(self) -> &'static str {
        match self {
            Sort::Genuine => "a genuine notification",
            Sort::Duplicate => "a copy",
            Sort::Forged => "a forged one",
            Sort::WrongAmount => "a wrong amount",
        }
    }
}

fn wire(out_trade_no: &str, transaction_id: &str, total: i64, forged: bool) -> anyhow::Result<Wire> {
    let t = simulator::paid_transaction(out_trade_no, transaction_id, 100);
    let t = Transaction { amount: Some(TransactionAmount { total: Some(total), ..t.amount.unwrap_or_default() }), ..t };
    let (headers, body) = simulator::transaction_notification(&t, forged)?;
    Ok(Wire { headers, body })
}

/// A stable shuffle (no randomness crate needed for a bench): an LCG's order.
fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..items.len()).rev() {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        #[allow(clippy::cast_possible_truncation)] // modulo a usize
        let j = (state >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
}

#[allow(clippy::cast_precision_loss)] // counts far below 2^52
pub async fn payments(orders: usize, connections: usize, houses: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    for server_url in std::iter::once(None).chain(postgres.map(Some)) {
        let s = scratch(server_url).await?;
        let mut config = s.config(false);
        // The merchant of the simulator's test keys; nothing is sent to WeChat Pay (the orders
        // are written here), only its notifications are received.
        config.wechat_pay_mchid = Some(test_keys::MCHID.into());
        config.wechat_pay_appid = Some(test_keys::APPID.into());
        config.wechat_pay_serial_no = Some(test_keys::MERCHANT_SERIAL_NO.into());
        config.wechat_pay_private_key = Some(test_keys::MERCHANT_PRIVATE_KEY_PEM.into());
        config.wechat_pay_apiv3_key = Some(test_keys::APIV3_KEY.into());
        config.wechat_pay_public_key_id = Some(test_keys::PLATFORM_PUBLIC_KEY_ID.into());
        config.wechat_pay_public_key = Some(test_keys::PLATFORM_PUBLIC_KEY_PEM.into());
        config.wechat_pay_base_url = Some("http://127.0.0.1:9".into());
        let (db, company) = server::open(&config).await?;
        let system = Authz::system(company);
        let app = server::app(&db, &config)?;
        let (project, _) = owned_houses(&app, &system, houses, None).await?;
        let password = "bench-cashier-password";
        let cashier = linli_auth::NewUser {
            username: "bench-cashier".into(),
            display_name: "基准收费员".into(),
            phone: None,
            password: password.into(),
        };
        crate::admin::create_user(&db, company, cashier, Some("cashier"), None).await?;
        let running = server::start(db.clone(), &config, "127.0.0.1:0").await?;
        let client =
            Client { base: format!("http://{}", running.addr), http: reqwest::Client::new(), token: String::new() };
        let token = client.login("bench-cashier", password).await?;
        let client = Arc::new(Client { token, ..client });
        let ids = client.house_ids(project.id).await?;
        let backend = db.backend.as_str();

        // The orders, as a resident's page would have made them.
        let now = Utc::now();
        let mut numbers = Vec::with_capacity(orders);
        for i in 0..orders {
            let out_trade_no = linli_payments::order::out_trade_no(now, u32::try_from(i)?);
            let row = NewOrderRow {
                company_id: company,
                project_id: project.id,
                house_id: ids[i % ids.len()],
                channel: linli_billing::PaymentChannel::Wechat,
                order: ChannelOrder {
                    out_trade_no: out_trade_no.clone(),
                    amount_fen: Fen(100),
                    description: "基准 物业缴费".into(),
                    expires_at: linli_payments::order::expires_at(now),
                },
                idempotency_key: None,
                created_by: None,
                created_at: now,
            };
            let audit =
                AuditEvent::new(system.actor(), "payments.order.created", "payment_order").project(Some(project.id));
            db.insert_order(row, audit).await?;
            numbers.push(out_trade_no);
        }

        // Every order's notification, 30% of the total again as copies, 5% forged, 5% for
        // another amount, in a shuffled order (copies before their first, too).
        let total = orders * 10 / 6;
        let mut storm: Vec<(Sort, Wire)> = Vec::with_capacity(total);
        for (i, no) in numbers.iter().enumerate() {
            storm.push((Sort::Genuine, wire(no, &format!("42{i:026}"), 100, false)?));
        }
        for i in 0..total * 3 / 10 {
            let j = i % orders;
            storm.push((Sort::Duplicate, wire(&numbers[j], &format!("42{j:026}"), 100, false)?));
        }
        for i in 0..total / 20 {
            let j = i % orders;
            storm.push((Sort::Forged, wire(&numbers[j], &format!("43{j:026}"), 100, true)?));
            storm.push((Sort::WrongAmount, wire(&numbers[j], &format!("44{j:026}"), 1, false)?));
        }
        shuffle(&mut storm);
        let storm = Arc::new(storm);
        println!(
            "WeChat Pay notifications on {backend}: {orders} orders, {} notifications ({} copies, {} forged, {} wrong amount), {connections} connections",
            storm.len(),
            storm.iter().filter(|(s, _)| *s == Sort::Duplicate).count(),
            storm.iter().filter(|(s, _)| *s == Sort::Forged).count(),
            storm.iter().filter(|(s, _)| *s == Sort::WrongAmount).count(),
        );

        // The protocol alone: verify and decrypt every notification, no database.
        let wechat = crate::channels::wechat_pay(&config)?.ok_or_else(|| anyhow::anyhow!("WeChat Pay configured"))?.0;
        let t = Instant::now();
        let mut verified = 0;
        for (_, w) in storm.iter() {
            let mut map = reqwest::header::HeaderMap::new();
            for (k, v) in &w.headers {
                map.insert(reqwest::header::HeaderName::try_from(k.as_str())?, v.parse()?);
            }
            verified += usize::from(wechat.verify_notification(&map, &w.body).is_ok());
        }
        let verify_rate = storm.len() as f64 / t.elapsed().as_secs_f64();

        let t = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (storm, next, base) = (storm.clone(), next.clone(), client.base.clone());
            let http = client.http.clone();
            tasks.push(tokio::spawn(async move {
                let mut errors = Tally::default();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((sort, w)) = storm.get(i) else { break };
                    let mut req = http.post(format!("{base}/api/v1/channels/wechat/notify")).body(w.body.clone());
                    for (k, v) in &w.headers {
                        req = req.header(k.as_str(), v.as_str());
                    }
                    let status =
                        req.header("content-type", "application/json").send().await.map_or(0, |r| r.status().as_u16());
                    let expected = if *sort == Sort::Forged { 401 } else { 204 };
                    if status != expected {
                        errors.add(Err((status, format!("{} answered {status}", sort.name()))));
                    }
                }
                errors
            }));
        }
        let mut errors = Tally::default();
        for task in tasks {
            errors.merge(task.await?);
        }
        let secs = t.elapsed().as_secs_f64();
        let rate = storm.len() as f64 / secs;
        let paid = db.paid_orders(project.id).await?;
        let payments = db.payment_count(project.id).await?;

        // The ledger's own cost over HTTP: the same number of payments at the counter.
        let t = Instant::now();
        let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (client, ids, next) = (client.clone(), ids.clone(), next.clone());
            tasks.push(tokio::spawn(async move {
                let mut tally = Tally::default();
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if i >= orders {
                        break;
                    }
                    tally.add(client.pay(ids[i % ids.len()], &format!("bench-counter-{i}")).await);
                }
                tally
            }));
        }
        let mut counter = Tally::default();
        for task in tasks {
            counter.merge(task.await?);
        }
        let counter_rate = counter.ok as f64 / t.elapsed().as_secs_f64();

        println!(
            "  notifications: {} in {secs:.2} s = {rate:.0}/s verified and settled; {paid} of {orders} orders paid, {payments} payments; errors {} (5xx {}){}",
            storm.len(),
            errors.failed + errors.server_errors,
            errors.server_errors,
            errors.first_error.map(|e| format!("; first: {e}")).unwrap_or_default()
        );
        println!(
            "  baselines: {orders} counter payments over HTTP = {counter_rate:.0}/s ({:.2}× of it); verify + decrypt alone = {verify_rate:.0}/s ({verified} verified)",
            rate / counter_rate
        );
        let check = app.billing.reports.check_ledger().await?;
        println!("  ledger check: {}", if check.ok() { "ok" } else { "DIFFERENCES" });
        running.shutdown().await;
        db.close().await;
        s.drop_it().await;
    }
    Ok(())
}
