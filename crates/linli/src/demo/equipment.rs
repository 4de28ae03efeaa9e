//! The demo community's equipment register: lifts per building, pumps, fire systems, power,
//! cameras and gates, with maintenance dates around today so the schedule has something due.
//! Brands are invented. Rerunning adds only the codes a project does not have yet.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use linli_core::{Authz, Id, PageRequest};
use linli_equipment::{CategoryNode, CycleUnit, EquipmentFilter, EquipmentService, EquipmentState, NewEquipment};

/// Code, name, category code, (brand, model), location, price in yuan, cycle, days since the
/// last maintenance (`None`: never).
type Row = (
    &'static str,
    &'static str,
    &'static str,
    (&'static str, &'static str),
    &'static str,
    i64,
    (CycleUnit, i32),
    Option<u64>,
);

const LIFT: (&str, &str) = ("青禾电梯", "QH-P1000/1.75");
const HALF_MONTH: (CycleUnit, i32) = (CycleUnit::Day, 15);
const MONTHLY: (CycleUnit, i32) = (CycleUnit::Month, 1);
const QUARTERLY: (CycleUnit, i32) = (CycleUnit::Month, 3);
const HALF_YEAR: (CycleUnit, i32) = (CycleUnit::Month, 6);
const YEARLY: (CycleUnit, i32) = (CycleUnit::Year, 1);

/// The one item out of order, so the console shows a fault.
const FAULTY: &str = "DT-05";

#[rustfmt::skip] // a table reads best one item per line
const REGISTER: &[Row] = &[
    // Lifts are serviced every 15 days (TSG T5002); DT-08 is overdue.
    ("DT-01", "1栋客梯", "passenger", LIFT, "1栋 电梯厅", 320_000, HALF_MONTH, Some(3)),
    ("DT-02", "2栋客梯", "passenger", LIFT, "2栋 电梯厅", 320_000, HALF_MONTH, Some(5)),
    ("DT-03", "3栋客梯", "passenger", LIFT, "3栋 电梯厅", 320_000, HALF_MONTH, Some(8)),
    ("DT-04", "4栋客梯", "passenger", LIFT, "4栋 电梯厅", 320_000, HALF_MONTH, Some(10)),
    ("DT-05", "5栋客梯", "passenger", LIFT, "5栋 电梯厅", 320_000, HALF_MONTH, Some(12)),
    ("DT-06", "6栋客梯", "passenger", LIFT, "6栋 电梯厅", 320_000, HALF_MONTH, Some(13)),
    ("DT-07", "7栋客梯", "passenger", LIFT, "7栋 电梯厅", 320_000, HALF_MONTH, Some(14)),
    ("DT-08", "8栋客梯", "passenger", LIFT, "8栋 电梯厅", 320_000, HALF_MONTH, Some(19)),
    ("XF-01", "消防主泵", "fire_pump", ("安屏消防", "XBD-8/40"), "地下车库 消防泵房", 46_000, MONTHLY, Some(20)),
    ("XF-02", "消防备用泵", "fire_pump", ("安屏消防", "XBD-8/40"), "地下车库 消防泵房", 46_000, MONTHLY, Some(20)),
    ("XF-03", "自动喷淋系统", "sprinkler", ("安屏消防", "ZSFZ-150"), "地下车库", 180_000, QUARTERLY, Some(75)),
    ("XF-04", "室内消火栓系统", "hydrant", ("安屏消防", "SN65"), "全小区", 95_000, HALF_YEAR, Some(40)),
    ("GS-01", "生活变频泵 1#", "domestic_pump", ("泉润泵业", "QRG-50-32"), "地下一层 生活水泵房", 28_000, MONTHLY, Some(6)),
    ("GS-02", "生活变频泵 2#", "domestic_pump", ("泉润泵业", "QRG-50-32"), "地下一层 生活水泵房", 28_000, MONTHLY, Some(36)),
    ("GS-03", "生活水箱", "water_tank", ("泉润泵业", "SUS304-36m³"), "地下一层 生活水泵房", 60_000, HALF_YEAR, Some(150)),
    ("PS-01", "地库排污泵", "sewage_pump", ("泉润泵业", "WQ25-10"), "地下车库 集水井", 6_500, QUARTERLY, None),
    ("GD-01", "1# 变压器", "transformer", ("明川电气", "SCB13-800kVA"), "配电房", 210_000, YEARLY, Some(200)),
    ("GD-02", "2# 变压器", "transformer", ("明川电气", "SCB13-800kVA"), "配电房", 210_000, YEARLY, Some(200)),
    ("GD-03", "低压配电柜", "switchgear", ("明川电气", "GCK-0.4"), "配电房", 85_000, HALF_YEAR, Some(90)),
    ("GD-04", "备用柴油发电机组", "generator", ("远帆动力", "YF-300GF"), "发电机房", 260_000, MONTHLY, Some(28)),
    ("AF-01", "东门摄像机", "camera", ("望岳安防", "WY-IPC4T"), "东门", 1_800, QUARTERLY, Some(30)),
    ("AF-02", "西门摄像机", "camera", ("望岳安防", "WY-IPC4T"), "西门", 1_800, QUARTERLY, Some(30)),
    ("AF-03", "地库入口摄像机", "camera", ("望岳安防", "WY-IPC4T"), "地下车库入口", 1_800, QUARTERLY, Some(30)),
    ("AF-04", "中心花园摄像机", "camera", ("望岳安防", "WY-PTZ2"), "中心花园", 3_600, QUARTERLY, Some(100)),
    ("AF-05", "东门车辆道闸", "barrier_gate", ("行云智能", "XY-DZ3"), "东门 车行道", 9_800, MONTHLY, Some(12)),
    ("AF-06", "地库出入口道闸", "barrier_gate", ("行云智能", "XY-DZ3"), "地下车库出入口", 9_800, MONTHLY, Some(45)),
];

fn category_ids(nodes: &[CategoryNode], out: &mut Vec<(String, Id)>) {
    for n in nodes {
        out.push((n.code.clone(), n.id));
        category_ids(&n.children, out);
    }
}

/// Adds the demo register to `project_id`; codes the project already has are left alone.
pub async fn seed(db: &linli_db::Db, company: i64, project_id: i64) -> anyhow::Result<()> {
    linli_db::ensure_equipment_categories(db, company).await?;
    let service = EquipmentService::new(Arc::new(db.clone()));
    let system = Authz::system(company);
    let mut categories = Vec::new();
    category_ids(&service.categories(&system).await?, &mut categories);
    let filter = EquipmentFilter { project_id: Some(project_id), ..EquipmentFilter::default() };
    let existing = service.list(&system, &filter, PageRequest::all()).await?;
    let today = linli_core::time::today();
    // The community was handed over in the summer of 2019.
    let delivered = NaiveDate::from_ymd_opt(2019, 7, 1).expect("a date");
    for &(code, name, category, (brand, model), location, yuan, (unit, every), days_ago) in REGISTER {
        if existing.items.iter().any(|e| e.code == code) {
            continue;
        }
        let category_id = categories
            .iter()
            .find(|(c, _)| c == category)
            .map(|(_, id)| *id)
            .ok_or_else(|| anyhow::anyhow!("no equipment category {category}"))?;
        let new = NewEquipment {
            project_id,
            category_id,
            code: code.into(),
            name: name.into(),
            brand: Some(brand.into()),
            model: Some(model.into()),
            serial_number: Some(format!("SN{}{}", delivered.format("%Y%m"), code.replace('-', ""))),
            supplier: Some(format!("{brand}销售服务有限公司")),
            purchased_on: Some(delivered),
            purchase_price_fen: Some(yuan * 100),
            // Free text until the demo has buildings to link to.
            building_id: None,
            location: Some(location.into()),
            warranty_until: delivered.checked_add_months(chrono::Months::new(24)),
            cycle_unit: Some(unit),
            cycle_every: Some(every),
            last_maintained_on: days_ago.and_then(|d| today.checked_sub_days(Days::new(d))),
            state: if code == FAULTY { EquipmentState::Faulty } else { EquipmentState::Running },
        };
        service.create(&system, new).await?;
    }
    Ok(())
}
