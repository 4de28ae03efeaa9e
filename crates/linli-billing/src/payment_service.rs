//! A house's bills and account, money received (at the counter, or replayed by the demo), one-off charges and refunds.

use std::sync::Arc;

use chrono::{NaiveDate, Utc};
use linli_core::time::today;
use linli_core::{AuditEvent, Authz, Error, Id, Page, PageRequest, Resident, Result};

use crate::account::{HouseAccount, NewPayment, NewRefund, Receipt};
use crate::bill::{Bill, BillDetail, BillFilter, BillState};
use crate::ledger::Seal;
use linli_core::Fen;

use crate::service::{
    APPROVE, AccountRepo, BILL_READ, BillingRepo, COLLECT, FeeRepo, MAX_AMOUNT, REASON_MAX, RunRepo, business_day,
    check_received_on,
};

/// The most payments (or houses) one batch call takes.
pub const MAX_BATCH: usize = 5_000;

fn check_amount(amount: Fen) -> Result<()> {
    if amount.0 <= 0 {
        return Err(Error::invalid("amount_fen", "must_be_positive"));
    }
    if amount > MAX_AMOUNT {
        return Err(Error::invalid("amount_fen", "too_large"));
    }
    Ok(())
}

/// Replaying history is for the system actor (the demo), never for a signed-in user, and never
/// into the future.
fn check_replay(authz: &Authz, recorded_on: NaiveDate) -> Result<()> {
    if authz.actor().user_id.is_some() {
        return Err(Error::Forbidden(linli_core::Code::Forbidden));
    }
    if recorded_on > today() {
        return Err(Error::invalid("recorded_on", "in_the_future"));
    }
    Ok(())
}

/// Told of each payment recorded today (at the counter or through a channel) once it is
/// committed: what sends the owners `payment_received`. A repeat under the same idempotency key
/// is told again, so what it sends is deduplicated per payment.
#[async_trait::async_trait]
pub trait PaymentListener: Send + Sync {
    async fn received(&self, receipt: &Receipt);
}

#[derive(Clone)]
pub struct PaymentService {
    fees: Arc<dyn FeeRepo>,
    runs: Arc<dyn RunRepo>,
    accounts: Arc<dyn AccountRepo>,
    seal: Seal,
    listener: Option<Arc<dyn PaymentListener>>,
}

impl PaymentService {
    pub(crate) fn new(repo: &Arc<dyn BillingRepo>, seal: Seal) -> Self {
        Self { fees: repo.clone(), runs: repo.clone(), accounts: repo.clone(), seal, listener: None }
    }

    /// Tells `listener` of every payment [`PaymentService::pay`] records from now on (replayed
    /// history is not announced).
    #[must_use]
    pub fn with_listener(mut self, listener: Arc<dyn PaymentListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    pub async fn bills(&self, authz: &Authz, filter: &BillFilter, page: PageRequest) -> Result<Page<Bill>> {
        self.accounts.bills(&authz.scope(BILL_READ)?, filter, today(), page).await
    }
    pub async fn bill(&self, authz: &Authz, id: Id, as_of: Option<NaiveDate>) -> Result<BillDetail> {
        self.accounts.bill(&authz.scope(BILL_READ)?, id, business_day(as_of)?).await
    }
    pub async fn account(&self, authz: &Authz, house_id: Id, as_of: Option<NaiveDate>) -> Result<HouseAccount> {
        self.accounts.account(&authz.scope(BILL_READ)?, house_id, business_day(as_of)?).await
    }
    /// What the resident's house owes as of a day. Adjustments awaiting a decision are the
    /// office's work in progress, not the resident's: left out.
    pub async fn resident_account(&self, resident: &Resident, as_of: Option<NaiveDate>) -> Result<HouseAccount> {
        let mut account = self.accounts.account(&resident.scope(), resident.house_id(), business_day(as_of)?).await?;
        account.pending_adjustments.clear();
        Ok(account)
    }
    /// The resident's house's bills, newest first as in the console, optionally in one state.
    pub async fn resident_bills(
        &self,
        resident: &Resident,
        state: Option<BillState>,
        page: PageRequest,
    ) -> Result<Page<Bill>> {
        let filter = BillFilter { house_id: Some(resident.house_id()), state, ..BillFilter::default() };
        self.accounts.bills(&resident.scope(), &filter, today(), page).await
    }
    /// One bill of the resident's house; another house's bill is 404 like a missing one.
    pub async fn resident_bill(&self, resident: &Resident, id: Id, as_of: Option<NaiveDate>) -> Result<BillDetail> {
        let bill = self.accounts.bill(&resident.scope(), id, business_day(as_of)?).await?;
        if bill.bill.house_id != resident.house_id() {
            return Err(Error::not_found("bill", id));
        }
        Ok(bill)
    }
    /// Money received for a house, recorded today. `received_on` may be earlier (within
    /// [`BACKDATING_WINDOW_MONTHS`]); late fees still count up to today, and what the earlier day
    /// would have saved waits as a proposed waiver for someone with the approval permission.
    pub async fn pay(
        &self,
        authz: &Authz,
        house_id: Id,
        payment: NewPayment,
        idempotency_key: Option<String>,
    ) -> Result<Receipt> {
        let receipt = self.record_payment(authz, house_id, payment, idempotency_key, None, today()).await?;
        self.tell(&receipt).await;
        Ok(receipt)
    }
    /// Money taken at the counter: `pay`, with the payer and note bounded and the POS slip's
    /// reference required for a bank card.
    pub async fn pay_at_counter(
        &self,
        authz: &Authz,
        house_id: Id,
        payment: crate::receipt::CounterPayment,
        idempotency_key: Option<String>,
    ) -> Result<Receipt> {
        let (payment, reference) = payment.split();
        let reference = crate::receipt::check_reference(payment.channel, reference.as_deref())?;
        for (field, value, max) in [("payer", &payment.payer, 50), ("note", &payment.note, REASON_MAX)] {
            if value.as_deref().is_some_and(|v| v.chars().count() > max) {
                return Err(Error::invalid(field, "too_long"));
            }
        }
        let receipt = self.record_payment(authz, house_id, payment, idempotency_key, reference, today()).await?;
        self.tell(&receipt).await;
        Ok(receipt)
    }
    /// Tells the listener of a payment recorded today.
    async fn tell(&self, receipt: &Receipt) {
        if let Some(listener) = &self.listener {
            listener.received(receipt).await;
        }
    }
    /// Replays a payment as the books would have recorded it on `recorded_on` (the demo's year
    /// of history). Only the system actor may: for anyone else a payment is recorded today.
    pub async fn replay_payment(
        &self,
        authz: &Authz,
        house_id: Id,
        payment: NewPayment,
        recorded_on: NaiveDate,
    ) -> Result<Receipt> {
        check_replay(authz, recorded_on)?;
        self.record_payment(authz, house_id, payment, None, None, recorded_on).await
    }
    /// What each of these houses of the project owes as of `as_of` beyond its prepaid balance
    /// (houses of other projects left out): what a debit batch asks the bank for, and what the
    /// demo's owners pay.
    pub async fn owed(
        &self,
        authz: &Authz,
        project_id: Id,
        house_ids: &[Id],
        as_of: Option<NaiveDate>,
    ) -> Result<Vec<(Id, Fen)>> {
        if house_ids.len() > MAX_BATCH {
            return Err(Error::invalid("house_ids", "too_many"));
        }
        let granted = authz.require(BILL_READ, project_id)?;
        self.accounts.owed(&granted, house_ids, business_day(as_of)?).await
    }
    /// Replays many payments of one project, one house each, as the books would have recorded
    /// them on `recorded_on`, in one transaction (the demo's year at scale). Only the system
    /// actor may, as for `replay_payment`.
    pub async fn replay_payments(
        &self,
        authz: &Authz,
        project_id: Id,
        payments: Vec<(Id, NewPayment)>,
        recorded_on: NaiveDate,
    ) -> Result<Vec<Receipt>> {
        check_replay(authz, recorded_on)?;
        if payments.len() > MAX_BATCH {
            return Err(Error::invalid("payments", "too_many"));
        }
        let granted = authz.require(COLLECT, project_id)?;
        for (_, p) in &payments {
            check_amount(p.amount_fen)?;
            check_received_on(p.received_on, recorded_on)?;
        }
        let order = self.fees.allocation_order(project_id).await?;
        let audit = AuditEvent::new(granted.actor(), "billing.payment.received", "payment").project(Some(project_id));
        self.accounts.pay_many(&granted, payments, recorded_on, order, &self.seal, audit).await
    }
    async fn record_payment(
        &self,
        authz: &Authz,
        house_id: Id,
        payment: NewPayment,
        idempotency_key: Option<String>,
        reference: Option<String>,
        recorded_on: NaiveDate,
    ) -> Result<Receipt> {
        let project_id = self.accounts.house_project(&authz.scope(COLLECT)?, house_id).await?;
        let granted = authz.require(COLLECT, project_id)?;
        check_amount(payment.amount_fen)?;
        check_received_on(payment.received_on, recorded_on)?;
        let order = self.fees.allocation_order(project_id).await?;
        let audit = AuditEvent::new(granted.actor(), "billing.payment.received", "payment").project(Some(project_id));
        self.accounts
            .pay(&granted, house_id, payment, recorded_on, idempotency_key, reference, order, &self.seal, audit)
            .await
    }
    /// A one-off fee (装修押金, 门禁卡…) charged to a house now, priced by the item's standard in
    /// force today times `quantity`. The same idempotency key charges once.
    pub async fn charge_one_off(
        &self,
        authz: &Authz,
        house_id: Id,
        new: crate::account::NewCharge,
        idempotency_key: Option<String>,
    ) -> Result<Bill> {
        let scope = authz.scope(BILL_READ)?;
        let project_id = self.accounts.house_project(&scope, house_id).await?;
        let granted = authz.require(COLLECT, project_id)?;
        let item = self.fees.fee_item(&scope, new.fee_item_id).await?;
        if item.project_id != project_id || item.kind != crate::FeeKind::OneOff {
            return Err(Error::invalid("fee_item_id", "not_one_off"));
        }
        let quantity = new.quantity.unwrap_or(1);
        if quantity == 0 || quantity > 1000 {
            return Err(Error::invalid("quantity", "out_of_range"));
        }
        let day = today();
        let standards = self.fees.standards(&scope, item.id).await?;
        let usage = self.fees.house_usage(house_id).await?;
        let price = crate::standard_for(&standards, day, &usage, None)
            .ok_or_else(|| Error::invalid("fee_item_id", "no_standard"))?
            .price;
        let q = rust_decimal::Decimal::from(quantity);
        let amount = Fen::from_yuan(q * price).ok_or_else(|| Error::invalid("quantity", "out_of_range"))?;
        let line = crate::Line {
            kind: crate::LineKind::Base,
            from: day,
            to: day,
            quantity: q,
            price,
            months: rust_decimal::Decimal::ONE,
            rate: None,
            amount,
            formula: format!("{q} × {} = {amount}", price.normalize()),
        };
        let key = idempotency_key.unwrap_or_else(|| format!("{}", Utc::now().timestamp_micros()));
        let bill = crate::NewBill {
            project_id,
            building_id: 0,
            house_id,
            fee_item_id: item.id,
            bill_key: format!("one-off/{}/{house_id}/{key}", item.id),
            period_start: day,
            period_end: day,
            due_on: new.due_on.unwrap_or(day),
            amount,
            lines: vec![line],
            late_fee: item.late_fee,
            note: new.note,
        };
        let audit = AuditEvent::new(granted.actor(), "billing.bill.charged", "bill").project(Some(project_id));
        self.runs.write_one_off(&granted, bill, &self.seal, audit).await
    }
    /// Money leaves: only someone who may approve adjustments may refund.
    pub async fn refund(&self, authz: &Authz, house_id: Id, refund: NewRefund) -> Result<HouseAccount> {
        let project_id = self.accounts.house_project(&authz.scope(BILL_READ)?, house_id).await?;
        let granted = authz.require(APPROVE, project_id)?;
        if refund.amount_fen.0 <= 0 {
            return Err(Error::invalid("amount_fen", "must_be_positive"));
        }
        if refund.amount_fen > MAX_AMOUNT {
            return Err(Error::invalid("amount_fen", "too_large"));
        }
        if refund.reason.trim().is_empty() {
            return Err(Error::invalid("reason", "required"));
        }
        if refund.reason.trim().chars().count() > REASON_MAX {
            return Err(Error::invalid("reason", "too_long"));
        }
        let audit = AuditEvent::new(granted.actor(), "billing.refund.paid", "house")
            .project(Some(project_id))
            .entity_id(house_id);
        self.accounts.refund(&granted, house_id, refund, today(), &self.seal, audit).await
    }
}
