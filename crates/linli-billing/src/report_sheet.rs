//! Reports as XLSX: the same rows as the screen, money in 元 with two decimals.

use linli_core::Result;
use linli_import::{Column, write_xlsx};

use crate::report::{ArrearsReport, CollectionRow, IncomeRow};

pub fn arrears_xlsx(r: &ArrearsReport) -> Result<Vec<u8>> {
    let columns = [
        Column::new("楼栋", 14.0),
        Column::new("欠费户数", 10.0),
        Column::new("1-3个月(元)", 14.0),
        Column::new("4-6个月(元)", 14.0),
        Column::new("7-12个月(元)", 14.0),
        Column::new("12个月以上(元)", 16.0),
        Column::new("合计(元)", 14.0),
    ];
    let band = |b: &crate::AgeBands| {
        [b.band_1_3_fen, b.band_4_6_fen, b.band_7_12_fen, b.band_over_12_fen, b.total_fen].map(|f| f.to_string())
    };
    let mut rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|row| {
            let mut v = vec![row.building_name.clone(), row.houses.to_string()];
            v.extend(band(&row.bands));
            v
        })
        .collect();
    let mut total = vec!["合计".to_owned(), r.houses.to_string()];
    total.extend(band(&r.total));
    rows.push(total);
    write_xlsx("欠费报表", &columns, &rows)
}

pub fn collection_xlsx(rows: &[CollectionRow]) -> Result<Vec<u8>> {
    let columns = [
        Column::new("账期", 10.0),
        Column::new("收费项目", 16.0),
        Column::new("应收(元)", 14.0),
        Column::new("实收(元)", 14.0),
        Column::new("收缴率", 10.0),
    ];
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let pct = linli_core::money::round(r.rate * rust_decimal::Decimal::ONE_HUNDRED, 2);
            vec![
                r.period.clone(),
                r.fee_item_name.clone(),
                r.billed_fen.to_string(),
                r.collected_fen.to_string(),
                format!("{pct}%"),
            ]
        })
        .collect();
    write_xlsx("收缴率", &columns, &rows)
}

pub fn income_xlsx(rows: &[IncomeRow]) -> Result<Vec<u8>> {
    let columns = [Column::new("收费项目", 16.0), Column::new("渠道", 10.0), Column::new("金额(元)", 14.0)];
    let rows: Vec<Vec<String>> =
        rows.iter().map(|r| vec![r.fee_item_name.clone(), r.channel.clone(), r.amount_fen.to_string()]).collect();
    write_xlsx("收入汇总", &columns, &rows)
}
