//! The demo cashier's day: 李收费 opened a till session with 200.00 元 of change, took three
//! payments at the counter (cash, a bank card with its POS slip, a scanned WeChat code) and
//! handed over with the cash counted, so the counter's shift report and the payment log have
//! something to show. Once: a demo started again on its data keeps the session it has.

use anyhow::Context;
use linli_billing::{CounterPayment, NewTillSession, PaymentChannel, TillFilter, TillHandOver};
use linli_core::time::today;
use linli_core::{Fen, Id, PageRequest};
use linli_db::Db;
use linli_http::App;
use linli_property::HouseFilter;

pub async fn seed(app: &App, db: &Db, project_id: Id) -> anyhow::Result<String> {
    use linli_auth::SessionRepo;
    let login = db.find_login("cashier").await?.context("the demo cashier account")?;
    let authz = app.auth.authz_for(&login.user, login.company_id, None).await?;
    let mine = TillFilter { project_id: Some(project_id), cashier_id: Some(login.user.id), state: None };
    if app.billing.counter.tills(&authz, &mine, PageRequest { page: 1, page_size: 1 }).await?.total > 0 {
        return Ok("kept the cashier's till sessions".into());
    }
    let filter = HouseFilter { project_id: Some(project_id), ..Default::default() };
    let houses = app.structure.list_houses(&authz, &filter, PageRequest { page: 1, page_size: 60 }).await?.items;
    let session =
        app.billing.counter.open_till(&authz, NewTillSession { project_id, opening_float_fen: Fen(20_000) }).await?;
    let takings = [
        (PaymentChannel::Cash, 35_000, None),
        (PaymentChannel::Card, 128_000, Some("POS 000731")),
        (PaymentChannel::Wechat, 22_050, Some("4200001234202612030001")),
    ];
    let mut cash = 0;
    for ((channel, fen, reference), house) in takings.into_iter().zip(houses.iter().rev()) {
        let payment = CounterPayment {
            amount_fen: Fen(fen),
            channel,
            received_on: today(),
            bill_ids: None,
            earmark_fee_item_id: None,
            allocate: true,
            payer: None,
            note: None,
            reference: reference.map(str::to_owned),
        };
        app.billing.payments.pay_at_counter(&authz, house.id, payment, None).await?;
        if channel == PaymentChannel::Cash {
            cash += fen;
        }
    }
    // Counted 2.00 元 short, as happens.
    let counted = Fen(20_000 + cash - 200);
    let report = app
        .billing
        .counter
        .close_till(&authz, session.id, TillHandOver { counted_cash_fen: counted, note: Some("找零有误".into()) })
        .await?;
    Ok(format!(
        "a till session of {} payments handed over ({} 元 difference)",
        report.takings.count,
        report.session.difference_fen.unwrap_or_default()
    ))
}
