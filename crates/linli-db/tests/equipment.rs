//! Equipment storage details the API tests do not reach: seeding the category tree.

use linli_db::db_test;
use linli_equipment::EquipmentRepo;

db_test!(
    async fn the_default_categories_are_seeded_once_even_by_racing_instances(db: TestDb) {
        let company = linli_db::ensure_company(&db.db, "测试物业").await.unwrap();
        let (a, b) = tokio::join!(
            linli_db::ensure_equipment_categories(&db.db, company),
            linli_db::ensure_equipment_categories(&db.db, company)
        );
        a.unwrap();
        b.unwrap();
        let all = db.db.categories(company).await.unwrap();
        assert_eq!(all.len(), 23);
        let elevator = all.iter().find(|c| c.code == "elevator").unwrap();
        let escalator = all.iter().find(|c| c.code == "escalator").unwrap();
        assert_eq!((elevator.parent_id, escalator.parent_id), (None, Some(elevator.id)));
        assert_eq!(escalator.name_zh, "扶梯");
    }
);

db_test!(
    async fn seeding_again_keeps_a_companys_own_names_and_restores_only_missing_codes(db: TestDb) {
        let company = linli_db::ensure_company(&db.db, "测试物业").await.unwrap();
        linli_db::ensure_equipment_categories(&db.db, company).await.unwrap();
        db.rename_category("passenger", "直梯").await;
        db.delete_category("hydrant").await;
        linli_db::ensure_equipment_categories(&db.db, company).await.unwrap();
        let all = db.db.categories(company).await.unwrap();
        assert_eq!(all.len(), 23);
        assert_eq!(all.iter().find(|c| c.code == "passenger").unwrap().name_zh, "直梯");
        let fire = all.iter().find(|c| c.code == "fire_protection").unwrap().id;
        assert_eq!(all.iter().find(|c| c.code == "hydrant").unwrap().parent_id, Some(fire));
    }
);
