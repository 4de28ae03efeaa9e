//! Billing runs (计费批次): for a project and month, every bill of every fee item whose cycle
//! starts that month, computed from the item's standards, its assignments and the houses' facts.
//! Computing is pure, so a preview and the real run give the same bills.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use linli_core::{Area, Fen, Id, text_enum};
use linli_meters::MeteredUse;
use serde::{Deserialize, Serialize};

use crate::bill::NewBill;
use crate::charge::{ChargeError, HouseFacts, compute_area_or_fixed, compute_metered, total};
use crate::fee::{FeeItem, FeeKind, Standard, standard_for};
use crate::period::{Period, due_on};

text_enum! {
    RunState {
        /// Computed, nothing written; can be confirmed.
        Preview = "preview",
        /// Confirmed; bills are being written.
        Running = "running",
        Completed = "completed",
    }
}

text_enum! {
    /// What a fee item applies to.
    AssignmentTarget { Project = "project", Building = "building", HouseUsage = "house_usage", House = "house", }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assignment {
    pub id: Id,
    pub project_id: Id,
    pub fee_item_id: Id,
    pub target: AssignmentTarget,
    pub building_id: Option<Id>,
    pub house_usage: Option<String>,
    pub house_id: Option<Id>,
    /// e.g. `一级`: picks the standard for that service level.
    pub service_level: Option<String>,
    /// Parking spaces (or other units) charged; 1 by default.
    pub quantity: u32,
    /// e.g. the space number `B1-023`.
    pub label: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

impl Assignment {
    fn matches(&self, h: &HouseRow) -> bool {
        match self.target {
            AssignmentTarget::Project => true,
            AssignmentTarget::Building => self.building_id == Some(h.building_id),
            AssignmentTarget::HouseUsage => self.house_usage.as_deref() == Some(h.usage.as_str()),
            AssignmentTarget::House => self.house_id == Some(h.id),
        }
    }

    fn specificity(&self) -> u8 {
        match self.target {
            AssignmentTarget::Project => 0,
            AssignmentTarget::HouseUsage => 1,
            AssignmentTarget::Building => 2,
            AssignmentTarget::House => 3,
        }
    }
}

/// What a run knows of a house.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseRow {
    pub id: Id,
    pub building_id: Id,
    pub usage: String,
    pub gross_area: Area,
    pub inner_area: Option<Area>,
    /// The first owner's start (收房): charges start then. None: never owned, not billed.
    pub owned_from: Option<NaiveDate>,
    /// Set when every ownership has ended.
    pub owned_until: Option<NaiveDate>,
    /// Stays (入住) as (moved in, moved out).
    pub stays: Vec<(NaiveDate, Option<NaiveDate>)>,
}

impl HouseRow {
    fn vacant_during(&self, p: Period) -> bool {
        !self.stays.iter().any(|(from, to)| *from <= p.end && to.is_none_or(|to| to >= p.start))
    }
}

text_enum! {
    RunWarningCode {
        NoStandard = "no_standard",
        NoInnerArea = "no_inner_area",
        NoOwner = "no_owner",
        NoReading = "no_reading",
    }
}

/// Why a house got no bill for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = RunWarning)]
pub struct RunWarning {
    pub house_id: Id,
    /// e.g. `1栋1单元301`: storage fills it in when it reads the run, so a renamed house shows
    /// its name of today (the rules leave it empty; runs stored before it have none).
    #[serde(default)]
    pub house_label: String,
    pub fee_item_id: Id,
    pub code: RunWarningCode,
    pub day: Option<NaiveDate>,
}

/// Everything a run reads.
#[derive(Debug, Clone, Default)]
pub struct RunInputs {
    pub items: Vec<FeeItem>,
    pub standards: HashMap<Id, Vec<Standard>>,
    pub assignments: Vec<Assignment>,
    pub houses: Vec<HouseRow>,
    /// Metered use by (fee item, house).
    pub usage: HashMap<(Id, Id), MeteredUse>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Computed {
    pub bills: Vec<NewBill>,
    pub problems: Vec<RunWarning>,
}

/// Every bill of the run for `month`.
pub fn compute(project_id: Id, month: Period, inputs: &RunInputs) -> Computed {
    let mut out = Computed::default();
    let none = Vec::new();
    for item in inputs.items.iter().filter(|i| i.active && i.kind != FeeKind::OneOff) {
        let Some(period) = Period::of_cycle(item.cycle, month) else { continue };
        let standards = inputs.standards.get(&item.id).unwrap_or(&none);
        let assignments: Vec<&Assignment> = inputs
            .assignments
            .iter()
            .filter(|a| a.fee_item_id == item.id)
            .filter(|a| a.starts_on.is_none_or(|s| s <= period.end) && a.ends_on.is_none_or(|e| e >= period.start))
            .collect();
        for house in &inputs.houses {
            let assigned = assignments.iter().filter(|a| a.matches(house)).max_by_key(|a| (a.specificity(), a.id));
            // Metered items bill every house whose meters were read; others need an assignment.
            let metered_use = inputs.usage.get(&(item.id, house.id));
            if assigned.is_none() && metered_use.is_none() {
                continue;
            }
            let problem = |code, day| RunWarning {
                house_id: house.id,
                house_label: String::new(),
                fee_item_id: item.id,
                code,
                day,
            };
            let Some(owned_from) = house.owned_from else {
                out.problems.push(problem(RunWarningCode::NoOwner, None));
                continue;
            };
            let lines = if item.kind == FeeKind::Metered {
                let Some(used) = metered_use else {
                    out.problems.push(problem(RunWarningCode::NoReading, None));
                    continue;
                };
                let level = assigned.and_then(|a| a.service_level.as_deref());
                let Some(s) = standard_for(standards, period.end, &house.usage, level) else {
                    out.problems.push(problem(RunWarningCode::NoStandard, Some(period.end)));
                    continue;
                };
                compute_metered(item, s, *used, period)
            } else {
                let Some(a) = assigned else { continue };
                let facts = HouseFacts {
                    usage: house.usage.clone(),
                    service_level: a.service_level.clone(),
                    gross_area: house.gross_area,
                    inner_area: house.inner_area,
                    charged_from: Some(a.starts_on.map_or(owned_from, |s| s.max(owned_from))),
                    charged_until: match (house.owned_until, a.ends_on) {
                        (Some(x), Some(y)) => Some(x.min(y)),
                        (x, y) => x.or(y),
                    },
                    vacant: house.vacant_during(period),
                    quantity: a.quantity,
                };
                match compute_area_or_fixed(item, standards, &facts, period) {
                    Ok(lines) => lines,
                    Err(ChargeError::NoStandard(day)) => {
                        out.problems.push(problem(RunWarningCode::NoStandard, Some(day)));
                        continue;
                    }
                    Err(ChargeError::NoInnerArea) => {
                        out.problems.push(problem(RunWarningCode::NoInnerArea, None));
                        continue;
                    }
                }
            };
            let amount = total(&lines);
            if amount <= Fen::ZERO {
                continue;
            }
            out.bills.push(NewBill {
                project_id,
                building_id: house.building_id,
                house_id: house.id,
                fee_item_id: item.id,
                bill_key: NewBill::key(item.id, period.start, house.id),
                period_start: period.start,
                period_end: period.end,
                due_on: due_on(period, item.due_day),
                amount,
                lines,
                late_fee: item.late_fee,
                note: None,
            });
        }
    }
    out
}

/// A run as listed and shown.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Run {
    pub id: Id,
    pub project_id: Id,
    /// `YYYY-MM`.
    pub period: String,
    /// Empty: every active item.
    pub fee_item_ids: Vec<Id>,
    pub state: RunState,
    /// Bills the run makes (preview) or made.
    pub bills: i64,
    pub total_fen: Fen,
    pub items: Vec<RunItem>,
    pub problems: Vec<RunWarning>,
    pub created_by: Id,
    pub confirmed_by: Option<Id>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// While running: when the worker's lease on the run ends (or its retry is due), the latest
    /// time another worker takes it up if this one is gone.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Running, but no worker is on it now (its worker crashed or the server restarted, or an
    /// attempt failed): it resumes by itself at `lease_expires_at`, or at once when that passed.
    pub stalled: bool,
}

/// One fee item's part of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RunItem {
    pub fee_item_id: Id,
    pub bills: i64,
    pub total_fen: Fen,
}

/// The most problems a run keeps; the rest are counted.
pub const MAX_PROBLEMS: usize = 200;

pub fn summarize(computed: &Computed) -> (i64, Fen, Vec<RunItem>) {
    let mut items: Vec<RunItem> = Vec::new();
    for b in &computed.bills {
        match items.iter_mut().find(|i| i.fee_item_id == b.fee_item_id) {
            Some(i) => {
                i.bills += 1;
                i.total_fen.0 += b.amount.0;
            }
            None => items.push(RunItem { fee_item_id: b.fee_item_id, bills: 1, total_fen: b.amount }),
        }
    }
    let total = Fen(items.iter().map(|i| i.total_fen.0).sum());
    (computed.bills.len() as i64, total, items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fee::{AreaBasis, BillingCycle, LateFeeRule};
    use rust_decimal::Decimal;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn item(id: Id, cycle: BillingCycle) -> FeeItem {
        FeeItem {
            id,
            project_id: 1,
            code: format!("F{id}"),
            name: "物业费".into(),
            kind: FeeKind::Area,
            cycle,
            due_day: 31,
            area_basis: AreaBasis::Gross,
            meter_kind: None,
            loss_rate: Decimal::ZERO,
            vacancy_rate: Some("0.7".parse().unwrap()),
            late_fee: LateFeeRule::NONE,
            active: true,
        }
    }

    fn house(id: Id, building: Id, owned_from: Option<&str>) -> HouseRow {
        HouseRow {
            id,
            building_id: building,
            usage: "residential".into(),
            gross_area: Area::parse_str("100").unwrap(),
            inner_area: None,
            owned_from: owned_from.map(day),
            owned_until: None,
            stays: vec![(day("2020-01-01"), None)],
        }
    }

    fn assignment(id: Id, item: Id, target: AssignmentTarget, building: Option<Id>, level: Option<&str>) -> Assignment {
        Assignment {
            id,
            project_id: 1,
            fee_item_id: item,
            target,
            building_id: building,
            house_usage: None,
            house_id: None,
            service_level: level.map(str::to_owned),
            quantity: 1,
            label: None,
            starts_on: None,
            ends_on: None,
        }
    }

    fn standard(id: Id, item: Id, level: Option<&str>, price: &str) -> Standard {
        Standard {
            id,
            fee_item_id: item,
            house_usage: None,
            service_level: level.map(str::to_owned),
            effective_from: day("2020-01-01"),
            effective_to: None,
            price: price.parse().unwrap(),
            tiers: vec![],
        }
    }

    #[test]
    fn a_run_bills_assigned_houses_at_their_service_level_and_reports_the_rest() {
        let inputs = RunInputs {
            items: vec![item(1, BillingCycle::Monthly), item(2, BillingCycle::Quarterly)],
            standards: HashMap::from([
                (1, vec![standard(1, 1, None, "2.00"), standard(2, 1, Some("一级"), "3.00")]),
                (2, vec![standard(3, 2, None, "1.00")]),
            ]),
            assignments: vec![
                assignment(1, 1, AssignmentTarget::Project, None, None),
                assignment(2, 1, AssignmentTarget::Building, Some(10), Some("一级")),
                assignment(3, 2, AssignmentTarget::Building, Some(20), None),
            ],
            houses: vec![house(1, 10, Some("2020-01-01")), house(2, 20, Some("2020-01-01")), house(3, 20, None)],
            usage: HashMap::new(),
        };
        let feb = compute(1, Period::parse_month("2026-02").unwrap(), &inputs);
        let amounts: Vec<(Id, Id, i64)> = feb.bills.iter().map(|b| (b.house_id, b.fee_item_id, b.amount.0)).collect();
        // The quarterly item is not billed in February.
        assert_eq!(amounts, [(1, 1, 30_000), (2, 1, 20_000)]);
        assert_eq!(
            feb.problems,
            [RunWarning {
                house_id: 3,
                house_label: String::new(),
                fee_item_id: 1,
                code: RunWarningCode::NoOwner,
                day: None
            }]
        );
        assert_eq!(feb.bills[0].due_on, day("2026-02-28"));

        let jan = compute(1, Period::parse_month("2026-01").unwrap(), &inputs);
        let quarterly: Vec<_> = jan.bills.iter().filter(|b| b.fee_item_id == 2).collect();
        assert_eq!(quarterly.len(), 1);
        assert_eq!((quarterly[0].period_end, quarterly[0].amount), (day("2026-03-31"), Fen(30_000)));
        assert_eq!(quarterly[0].bill_key, "2/2026-01-01/2");
    }

    #[test]
    fn vacancy_and_handover_come_from_stays_and_ownership() {
        let mut vacant = house(1, 10, Some("2020-01-01"));
        vacant.stays = vec![(day("2020-01-01"), Some(day("2025-12-31")))];
        let late = house(2, 10, Some("2026-01-17"));
        let inputs = RunInputs {
            items: vec![item(1, BillingCycle::Monthly)],
            standards: HashMap::from([(1, vec![standard(1, 1, None, "2.00")])]),
            assignments: vec![assignment(1, 1, AssignmentTarget::Project, None, None)],
            houses: vec![vacant, late],
            usage: HashMap::new(),
        };
        let jan = compute(1, Period::parse_month("2026-01").unwrap(), &inputs);
        // 200.00 × 70% = 140.00; 200.00 × 15/31 = 96.774… → 96.77.
        assert_eq!(jan.bills.iter().map(|b| b.amount.0).collect::<Vec<_>>(), [14_000, 9_677]);
    }
}
