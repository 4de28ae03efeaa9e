//! Printable QR labels: one SVG per item, and an A4 page of them. The QR code opens the item's
//! mobile page, so a technician standing at a pump scans it instead of searching.

use std::fmt::Write;

use linli_core::{Error, Id, Result};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use crate::Equipment;

/// Fonts that have Chinese glyphs on macOS, Windows and Linux, in that order.
pub const FONT_FAMILY: &str = "PingFang SC, Microsoft YaHei, Noto Sans CJK SC, sans-serif";

/// The phone page of an item, which the web app serves.
pub fn item_url(origin: &str, id: Id) -> String {
    format!("{}/m/equipment/{id}", origin.trim_end_matches('/'))
}

pub use linli_core::html::escape;

/// Rough width of a character in ems: CJK and other wide characters take a full em.
fn ems(c: char) -> f32 {
    if c.is_ascii() { 0.6 } else { 1.0 }
}

/// Breaks `text` into at most `max_lines` lines of `max_ems`; a cut last line ends with `…`.
pub fn wrap(text: &str, max_ems: f32, max_lines: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    let mut width = 0.0;
    for c in text.chars() {
        if width + ems(c) > max_ems {
            if lines.len() == max_lines {
                let last = lines.last_mut().expect("one line at least");
                while last.chars().map(ems).sum::<f32>() + 1.0 > max_ems {
                    last.pop();
                }
                last.push('…');
                return lines;
            }
            lines.push(String::new());
            width = 0.0;
            if c == ' ' {
                continue;
            }
        }
        lines.last_mut().expect("one line at least").push(c);
        width += ems(c);
    }
    lines
}

/// The QR code of `data` as an `<svg>` element placed at (`x`, `y`) with side `size`.
fn qr_element(data: &str, x: u32, y: u32, size: u32) -> Result<String> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| Error::internal(format!("QR code: {e}")))?;
    let doc = code.render::<svg::Color>().quiet_zone(true).module_dimensions(1, 1).build();
    // The renderer writes a standalone document; nested in the label it needs no XML
    // declaration, and its own width and height become the place it takes on the label.
    let body = doc.split_once("?>").map_or(doc.as_str(), |(_, b)| b);
    let n = code.width() + 8;
    let own = format!(r#"width="{n}" height="{n}""#);
    if !body.contains(&own) {
        return Err(Error::internal("unexpected QR renderer output"));
    }
    Ok(body.replacen(&own, &format!(r#"x="{x}" y="{y}" width="{size}" height="{size}""#), 1))
}

/// A 60 × 30 mm label: the QR code on the left; code, name and place on the right.
pub fn label_svg(item: &Equipment, url: &str) -> Result<String> {
    let qr = qr_element(url, 8, 8, 284)?;
    let mut text = String::new();
    let mut line = |y: u32, size: u32, weight: &str, fill: &str, s: &str| {
        let _ = write!(
            text,
            r#"<text x="300" y="{y}" font-size="{size}" font-weight="{weight}" fill="{fill}">{}</text>"#,
            escape(s)
        );
    };
    line(62, 40, "bold", "#000", &wrap(&item.code, 280.0 / 40.0, 1)[0]);
    let mut y = 114;
    for l in wrap(&item.name, 285.0 / 30.0, 2) {
        line(y, 30, "normal", "#000", &l);
        y += 38;
    }
    if let Some(place) = item.place() {
        line(224, 22, "normal", "#333", &wrap(&place, 285.0 / 22.0, 1)[0]);
    }
    line(276, 20, "normal", "#666", "扫码查看设备档案");
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="30mm" viewBox="0 0 600 300" "#,
            r#"font-family="{font}">"#,
            r##"<rect x="2" y="2" width="596" height="296" rx="8" fill="#fff" stroke="#bbb" stroke-width="4"/>"##,
            "{qr}{text}</svg>"
        ),
        font = FONT_FAMILY,
        qr = qr,
        text = text,
    ))
}

/// An A4 page of labels, three across, that prints without the page's toolbar.
pub fn labels_page(items: &[Equipment], origin: &str) -> Result<String> {
    let mut labels = String::new();
    for item in items {
        let svg = label_svg(item, &item_url(origin, item.id))?;
        let _ = write!(labels, r#"<div class="label" data-equipment-id="{}">{svg}</div>"#, item.id);
    }
    Ok(format!(
        r#"<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>设备标签</title>
<style>
@page {{ size: A4; margin: 10mm; }}
body {{ margin: 0; font-family: {font}; }}
.toolbar {{ padding: 12px; display: flex; gap: 12px; align-items: center; }}
.sheet {{ display: grid; grid-template-columns: repeat(3, 60mm); gap: 4mm; justify-content: center; }}
.label {{ width: 60mm; height: 30mm; break-inside: avoid; }}
.label svg {{ display: block; width: 60mm; height: 30mm; }}
@media print {{
  .toolbar {{ display: none; }}
  body {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
}}
</style>
</head>
<body>
<div class="toolbar"><button type="button" data-print>打印</button><span>{n} 个标签</span></div>
<main class="sheet">{labels}</main>
<script src="/_linli/print.js"></script>
</body>
</html>
"#,
        font = FONT_FAMILY,
        n = items.len(),
        labels = labels,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_wrap_and_the_last_line_is_cut_with_an_ellipsis() {
        assert_eq!(wrap("1号客梯", 9.5, 2), ["1号客梯"]);
        assert_eq!(wrap("一二三四五六七八九十十一", 9.5, 2), ["一二三四五六七八九", "十十一"]);
        let cut = wrap(&"长".repeat(30), 9.5, 2);
        assert_eq!(cut.len(), 2);
        assert_eq!(cut[1], "长长长长长长长长…");
    }

    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn the_qr_element_is_placed_and_sized_on_the_label() {
        let el = qr_element("http://example.test/m/equipment/7", 8, 8, 284).unwrap();
        assert!(el.starts_with("<svg"), "{el}");
        assert!(el.contains(r#"x="8" y="8" width="284" height="284""#), "{el}");
        assert!(el.contains("viewBox=\"0 0 "));
    }
}
