//! The demo's meter register (计量表) and three months of readings, so the register, the
//! reading sheet, the flagged readings and the shared-meter usage (公摊) have something to show:
//! a water and an electricity meter in every house of 1栋, water meters in 2栋, a shared
//! lighting meter of 1栋 (apportioned by area) and the project's pump-room water meter
//! (apportioned equally). The current month is two-thirds read, with one spike and one reading
//! below the previous one waiting for a manager; one replaced meter and one retired meter.

use chrono::{Datelike, Months, NaiveDate};
use linli_billing::Period;
use linli_core::time::today;
use linli_core::{Authz, Id, PageRequest};
use linli_http::App;
use linli_meters::{Apportion, MeterFilter, MeterKind, NewMeter, NewReading, ReadingsBatch, Replacement};
use linli_property::{House, HouseFilter};
use rust_decimal::Decimal;

use super::community::pick;

/// A demo meter: what is registered, and how much it uses a month.
struct DemoMeter {
    id: Id,
    start: Decimal,
    monthly: Vec<Decimal>,
}

fn meter(project_id: Id, kind: MeterKind, number: String) -> NewMeter {
    NewMeter {
        project_id,
        house_id: None,
        building_id: None,
        kind,
        number,
        multiplier: Decimal::ONE,
        apportion: None,
        max_consumption: None,
        initial_value: Decimal::ZERO,
        location: None,
        active: true,
    }
}

/// `1栋`, `1单元`, `101` → `1-1-101`.
fn place(h: &House) -> String {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let unit = h.unit_name.as_deref().map(digits).unwrap_or_default();
    format!("{}-{unit}-{}", digits(&h.building_name), h.number)
}

/// Answers a line for the start-up banner; does nothing when the project has meters.
pub async fn seed(app: &App, company: Id, project_id: Id) -> anyhow::Result<String> {
    let system = Authz::system(company);
    let filter = MeterFilter { project_id: Some(project_id), ..MeterFilter::default() };
    if app.meters.list(&system, &filter, PageRequest { page: 1, page_size: 1 }).await?.total > 0 {
        return Ok("kept the existing meters".into());
    }
    let houses = app
        .structure
        .list_houses(&system, &HouseFilter { project_id: Some(project_id), ..Default::default() }, PageRequest::all())
        .await?
        .items;
    let in_building = |name: &'static str| houses.iter().filter(move |h| h.building_name == name);
    let mut meters: Vec<DemoMeter> = Vec::new();
    let months = |i: usize, low: usize, spread: usize| -> Vec<Decimal> {
        (0..3).map(|m| Decimal::from(low + pick(i + m * 7, 31, spread))).collect()
    };

    for (i, h) in in_building("1栋").chain(in_building("2栋")).enumerate() {
        let start = Decimal::from(100 + pick(i, 32, 900));
        let mut new = meter(project_id, MeterKind::Water, format!("SB-{}", place(h)));
        new.house_id = Some(h.id);
        new.initial_value = start;
        new.max_consumption = Some(Decimal::from(60));
        new.location = Some(format!("{}{}水表井", h.building_name, h.unit_name.clone().unwrap_or_default()));
        let m = app.meters.create(&system, new).await?;
        meters.push(DemoMeter { id: m.id, start, monthly: months(i, 6, 18) });
        if h.building_name == "1栋" {
            let start = Decimal::from(1000 + pick(i, 33, 9000));
            let mut new = meter(project_id, MeterKind::Electricity, format!("DB-{}", place(h)));
            new.house_id = Some(h.id);
            new.initial_value = start;
            new.location =
                Some(format!("{}{}{}层电表箱", h.building_name, h.unit_name.clone().unwrap_or_default(), h.floor));
            let m = app.meters.create(&system, new).await?;
            meters.push(DemoMeter { id: m.id, start, monthly: months(i, 120, 260) });
        }
    }
    let Some(first_building) = in_building("1栋").next().map(|h| h.building_id) else {
        return Ok("no meters: the demo has no 1栋".into());
    };
    let mut lighting = meter(project_id, MeterKind::Electricity, "GX-1-ZM".into());
    lighting.building_id = Some(first_building);
    lighting.apportion = Some(Apportion::Area);
    lighting.initial_value = Decimal::from(52_000);
    lighting.location = Some("1栋公共照明配电箱".into());
    let m = app.meters.create(&system, lighting).await?;
    meters.push(DemoMeter { id: m.id, start: Decimal::from(52_000), monthly: months(1, 800, 300) });
    let mut pump = meter(project_id, MeterKind::Water, "GX-ECGS".into());
    pump.apportion = Some(Apportion::Equal);
    pump.multiplier = Decimal::from(10);
    pump.initial_value = Decimal::from(3_000);
    pump.location = Some("B1二次供水泵房".into());
    let m = app.meters.create(&system, pump).await?;
    meters.push(DemoMeter { id: m.id, start: Decimal::from(3_000), monthly: months(2, 40, 30) });
    // A meter taken out of service: listed as inactive, left off the reading sheet.
    let mut retired = meter(project_id, MeterKind::Water, "SB-1-1-101-OLD".into());
    retired.house_id = in_building("1栋").next().map(|h| h.id);
    retired.active = false;
    retired.location = Some("已拆除（2024年换表）".into());
    app.meters.create(&system, retired).await?;

    // Two past months read in full; the current one two-thirds read.
    let today = today();
    let this_month = Period::month(today.year(), today.month()).ok_or_else(|| anyhow::anyhow!("no month"))?.start;
    let mut readings = 0;
    for back in [2u32, 1, 0] {
        let start = this_month.checked_sub_months(Months::new(back)).ok_or_else(|| anyhow::anyhow!("date"))?;
        let period = start.format("%Y-%m").to_string();
        let read_on =
            if back == 0 { today } else { NaiveDate::from_ymd_opt(start.year(), start.month(), 25).unwrap_or(start) };
        let step = 2 - back as usize;
        let mut rows = Vec::new();
        for (i, m) in meters.iter().enumerate() {
            if back == 0 && i > 4 && pick(i, 34, 3) == 0 {
                continue;
            }
            let used: Decimal = m.monthly[..=step].iter().copied().sum();
            let mut row = NewReading {
                meter_id: Some(m.id),
                meter_number: None,
                value: m.start + used,
                read_on: Some(read_on),
                replacement: None,
            };
            if back == 1 && i == 4 {
                // Replaced last month: the old meter stopped 3 above the previous reading, the new one started at 0.
                let before: Decimal = m.start + m.monthly[..step].iter().copied().sum::<Decimal>();
                row.replacement =
                    Some(Replacement { old_final: before + Decimal::from(3), new_initial: Decimal::ZERO });
                row.value = m.monthly[step];
            }
            if back == 0 && i == 0 {
                row.value = m.start + m.monthly[0] + m.monthly[1] + Decimal::from(95); // a spike to confirm or reject
            }
            if back == 0 && i == 2 {
                row.value = Decimal::from(12); // below the previous register: a restart or a misread
            }
            rows.push(row);
        }
        // The replaced meter reads on from its new register.
        if back == 0
            && let Some(m) = meters.get(4)
            && let Some(row) = rows.iter_mut().find(|r| r.meter_id == Some(m.id))
        {
            row.value = m.monthly[1] + m.monthly[2];
        }
        for chunk in rows.chunks(500) {
            let batch = ReadingsBatch { project_id, period: period.clone(), rows: chunk.to_vec() };
            let outcomes = app.meters.enter(&system, batch).await?;
            if let Some(failed) = outcomes.iter().find(|o| !o.errors.is_empty()) {
                anyhow::bail!("a demo reading of {period} failed: {:?}", failed.errors);
            }
            readings += outcomes.len();
        }
    }
    Ok(format!("{} meters, {readings} readings", meters.len() + 1))
}
