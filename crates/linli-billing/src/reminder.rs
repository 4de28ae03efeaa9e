//! Who is told about bills, and how often: each current owner of a billed house once per bill
//! when it is issued, and, while principal is overdue, once a month per house and owner with the
//! house's overdue total. The keys below are the outbox's dedupe keys: a retried run or the daily
//! job running twice in a month sends nothing twice.

use std::collections::HashMap;

use chrono::NaiveDate;
use linli_core::{Fen, Id};

/// A current owner of a house, with how to reach them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub person_id: Id,
    pub name: String,
    pub phone: Option<String>,
    pub user_id: Option<Id>,
}

/// What one message about bills says, and to whom: one bill, or a house's overdue total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillMessage {
    pub company_id: Id,
    pub project_id: Id,
    pub house_id: Id,
    /// The bill, or none for an overdue total.
    pub bill_id: Option<Id>,
    pub owner: Owner,
    pub house_label: String,
    pub period_start: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub amount: Fen,
}

/// Once per bill and owner.
pub fn issued_key(bill_id: Id, person_id: Id) -> String {
    format!("bill_issued:{bill_id}:{person_id}")
}

/// Once a month per house and owner: the month is part of the key.
pub fn overdue_key(house_id: Id, person_id: Id, today: NaiveDate) -> String {
    format!("bill_overdue:{house_id}:{person_id}:{}", today.format("%Y-%m"))
}

/// Once per payment and owner.
pub fn received_key(payment_id: Id, person_id: Id) -> String {
    format!("payment_received:{payment_id}:{person_id}")
}

/// One thing to tell a house's owners about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub project_id: Id,
    pub house_id: Id,
    pub bill_id: Option<Id>,
    pub period_start: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub amount: Fen,
}

/// An unpaid bill as the overdue reminder sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpaid {
    pub project_id: Id,
    pub house_id: Id,
    pub due_on: NaiveDate,
    pub principal_due: Fen,
}

/// The houses with principal overdue on `today` (due before it, not paid), with their totals,
/// in project and house order. Late fees are not counted: the reminder names what was billed.
pub fn overdue_totals(bills: impl IntoIterator<Item = Unpaid>, today: NaiveDate) -> Vec<Subject> {
    let mut totals: HashMap<(Id, Id), i64> = HashMap::new();
    for b in bills.into_iter().filter(|b| b.principal_due.0 > 0 && b.due_on < today) {
        *totals.entry((b.project_id, b.house_id)).or_default() += b.principal_due.0;
    }
    let mut out: Vec<Subject> = totals
        .into_iter()
        .map(|((project_id, house_id), amount)| Subject {
            project_id,
            house_id,
            bill_id: None,
            period_start: None,
            due_on: None,
            amount: Fen(amount),
        })
        .collect();
    out.sort_by_key(|s| (s.project_id, s.house_id));
    out
}

/// Who may be told, by house: its current owners and its label, and each project's company.
#[derive(Debug, Clone, Default)]
pub struct Recipients {
    pub owners: HashMap<Id, Vec<Owner>>,
    pub labels: HashMap<Id, String>,
    pub companies: HashMap<Id, Id>,
}

/// One message per subject and current owner of its house; a house without owners tells no one.
pub fn messages(subjects: Vec<Subject>, to: &Recipients) -> Vec<BillMessage> {
    let mut out = Vec::new();
    for s in subjects {
        for owner in to.owners.get(&s.house_id).into_iter().flatten() {
            out.push(BillMessage {
                company_id: to.companies.get(&s.project_id).copied().unwrap_or_default(),
                project_id: s.project_id,
                house_id: s.house_id,
                bill_id: s.bill_id,
                owner: owner.clone(),
                house_label: to.labels.get(&s.house_id).cloned().unwrap_or_default(),
                period_start: s.period_start,
                due_on: s.due_on,
                amount: s.amount,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_overdue_reminder_goes_at_most_once_a_month() {
        let (a, b) = (overdue_key(7, 3, day("2026-03-01")), overdue_key(7, 3, day("2026-03-31")));
        assert_eq!(a, b, "the same month: one message");
        assert_ne!(a, overdue_key(7, 3, day("2026-04-01")), "the next month: another");
        assert_ne!(a, overdue_key(7, 4, day("2026-03-01")), "another owner: another");
        assert_ne!(issued_key(7, 3), issued_key(8, 3));
    }

    #[test]
    fn only_principal_due_before_today_is_overdue_and_totals_are_per_house() {
        let unpaid = |house_id, due_on: &str, fen| Unpaid {
            project_id: 1,
            house_id,
            due_on: day(due_on),
            principal_due: Fen(fen),
        };
        let totals = overdue_totals(
            [
                unpaid(2, "2026-02-28", 100),
                unpaid(2, "2026-01-31", 50),
                unpaid(1, "2026-03-01", 70), // due today: not yet overdue
                unpaid(3, "2026-01-31", 0),  // paid
                unpaid(1, "2026-02-01", 30),
            ],
            day("2026-03-01"),
        );
        let got: Vec<(Id, i64)> = totals.iter().map(|s| (s.house_id, s.amount.0)).collect();
        assert_eq!(got, vec![(1, 30), (2, 150)]);
    }

    #[test]
    fn each_current_owner_is_told_and_a_house_without_owners_is_not() {
        let owner = |person_id| Owner { person_id, name: format!("p{person_id}"), phone: None, user_id: None };
        let owners = HashMap::from([(1, vec![owner(10), owner(11)])]);
        let subjects = overdue_totals(
            [1, 2].map(|house_id| Unpaid { project_id: 5, house_id, due_on: day("2026-01-01"), principal_due: Fen(1) }),
            day("2026-02-01"),
        );
        let labels = HashMap::from([(1, "1栋1单元301".to_string())]);
        let to = Recipients { owners, labels, companies: HashMap::from([(5, 9)]) };
        let m = messages(subjects, &to);
        assert_eq!(m.iter().map(|m| m.owner.person_id).collect::<Vec<_>>(), vec![10, 11]);
        assert!(m.iter().all(|m| m.company_id == 9 && m.house_label == "1栋1单元301"));
    }
}
