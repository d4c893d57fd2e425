//! CSV export: orders as a spreadsheet-ready file (RFC 4180: every field quoted, quotes
//! doubled, CRLF line ends), downloaded by the browser from a Blob.

use crate::client::{Order, OrderLine};
use crate::components::download::download_bytes;

/// One CSV field, quoted (a leading `=`, `+`, `-` or `@` is prefixed with `'`, so a
/// spreadsheet never runs a customer's text as a formula).
fn field(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    format!("\"{}\"", safe.replace('"', "\"\""))
}

/// One order line as text: `2 x Ankara dress (Red) at NGN 19,000.00`.
fn line(i: &OrderLine) -> String {
    let color = i
        .color
        .as_deref()
        .map(|c| format!(" ({c})"))
        .unwrap_or_default();
    format!("{} x {}{color} at {}", i.quantity, i.name, i.unit_price)
}

/// The orders as CSV, with a header row.
pub fn orders_csv(orders: &[Order]) -> String {
    let mut out = String::from(
        "\"Order\",\"Recorded\",\"Status\",\"Source\",\"Customer\",\"Items\",\"Total\",\"Delivery\",\"Notes\"\r\n",
    );
    for o in orders {
        let items = o.items.iter().map(line).collect::<Vec<_>>().join("; ");
        let row = [
            o.number.as_str(),
            o.created_at.as_str(),
            o.status.as_str(),
            o.source.as_str(),
            o.customer_name.as_deref().unwrap_or(""),
            items.as_str(),
            o.total.as_str(),
            o.delivery_details.as_deref().unwrap_or(""),
            o.notes.as_deref().unwrap_or(""),
        ]
        .map(field)
        .join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out
}

/// Offers `text` to the user as a CSV download named `file_name`.
pub fn download(file_name: &str, text: &str) -> Result<(), String> {
    download_bytes(file_name, text.as_bytes(), "text/csv;charset=utf-8")
}

#[cfg(test)]
mod tests {
    use shared::{OrderSource, OrderStatus};

    use super::*;

    #[test]
    fn fields_are_quoted_escaped_and_never_formulas() {
        let order = Order {
            id: "T3JkZXI6MQ".into(),
            number: "#1".into(),
            chat_id: None,
            status: OrderStatus::Pending,
            source: OrderSource::Chat,
            customer_name: Some("=HYPERLINK(\"x\")".into()),
            delivery_details: Some("12 \"Allen\" Avenue,\nIkeja".into()),
            notes: None,
            total: "NGN 38,000.00".into(),
            items: vec![OrderLine {
                name: "Ankara dress".into(),
                color: Some("Red".into()),
                quantity: 2,
                unit_price: "NGN 19,000.00".into(),
            }],
            created_at: "2026-12-02T10:00:00Z".into(),
        };
        let csv = orders_csv(&[order]);
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[0].starts_with("\"Order\",\"Recorded\""));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""), "{csv}");
        assert!(
            csv.contains("\"2 x Ankara dress (Red) at NGN 19,000.00\""),
            "{csv}"
        );
        assert!(csv.contains("\"12 \"\"Allen\"\" Avenue,\nIkeja\""), "{csv}");
        assert!(csv.ends_with("\r\n"));
    }
}
