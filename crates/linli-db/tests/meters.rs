//! Meter storage on both databases: quantities round-trip exactly, a period's reading is unique
//! per meter, and usage adds each house's own accepted consumption to its shares of shared meters.

use std::sync::Arc;

use linli_core::Authz;
use linli_db::db_test;
use linli_meters::{MeterKind, MeterService, MeteredUse, NewMeter, NewReading, ReadingState, ReadingsBatch};
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn meter(project_id: i64, house_id: Option<i64>, building_id: Option<i64>, number: &str) -> NewMeter {
    serde_json::from_value(serde_json::json!({
        "project_id": project_id, "house_id": house_id, "building_id": building_id, "kind": "water", "number": number
    }))
    .unwrap()
}

fn row(meter_id: i64, value: &str) -> NewReading {
    NewReading { meter_id: Some(meter_id), meter_number: None, value: d(value), read_on: None, replacement: None }
}

db_test!(
    async fn usage_adds_own_consumption_and_apportioned_shares_of_accepted_readings(db: TestDb) {
        let company = linli_db::ensure_company(&db.db, "测试物业").await.unwrap();
        let p = db.insert_project(company, "翠湖花园").await;
        let b = db.insert_building(p, "1栋", 6).await;
        let h1 = db.insert_house(p, b, "101", 8947).await;
        let h2 = db.insert_house(p, b, "102", 12053).await;
        let h3 = db.insert_house(p, b, "103", 10000).await;
        let svc = MeterService::new(Arc::new(db.db.clone()));
        let system = Authz::system(company);
        let m1 = svc.create(&system, meter(p, Some(h1), None, "W-101")).await.unwrap();
        assert_eq!(m1.building_id, Some(b));
        let m2 = svc.create(&system, meter(p, Some(h2), None, "W-102")).await.unwrap();
        let shared = svc.create(&system, meter(p, None, Some(b), "W-1栋")).await.unwrap();
        let taken = svc.create(&system, meter(p, Some(h3), None, "W-101")).await.unwrap_err();
        assert_eq!(taken.code(), linli_core::Code::MeterNumberTaken);

        let batch = |period: &str, rows| ReadingsBatch { project_id: p, period: period.into(), rows };
        let out = svc
            .enter(&system, batch("2026-03", vec![row(m1.id, "12.345"), row(m2.id, "3"), row(shared.id, "100")]))
            .await
            .unwrap();
        assert!(out.iter().all(|o| o.reading.as_ref().unwrap().state == ReadingState::Accepted), "{out:?}");
        assert_eq!(out[0].reading.as_ref().unwrap().value, d("12.345"));
        // m2 reads lower next month: it waits and does not count.
        let out = svc.enter(&system, batch("2026-04", vec![row(m1.id, "20"), row(m2.id, "1")])).await.unwrap();
        assert_eq!(out[1].reading.as_ref().unwrap().state, ReadingState::NeedsConfirmation);

        let march = svc.usage(&system, p, "2026-03", MeterKind::Water).await.unwrap();
        // 100 by area over 310 m²: 28.86, 38.88, 32.26 (the spare cent to the largest remainder).
        assert_eq!(march[&h1], MeteredUse { consumption: d("12.345"), shared: d("28.86") });
        assert_eq!(march[&h2], MeteredUse { consumption: d("3"), shared: d("38.88") });
        assert_eq!(march[&h3], MeteredUse { consumption: d("0"), shared: d("32.26") });
        let april = svc.usage(&system, p, "2026-04", MeterKind::Water).await.unwrap();
        assert_eq!(april.len(), 1);
        assert_eq!(april[&h1].consumption, d("7.655"));
        assert!(svc.usage(&system, p, "2026-03", MeterKind::Electricity).await.unwrap().is_empty());
    }
);
