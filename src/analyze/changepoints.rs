//! `vitals analyze changepoints EXPR`: where the series shift level, asking a running
//! Vitals (`/api/v1/analytics/changepoints`). One line per change point:
//! `latency_seconds{job="bench"}: +50 % at 2023-11-14T22:13:20.000Z (p = 2e-60), 1 s → 1.5 s`.

use serde_json::Value;

use super::form::{given, window_form};
use super::show;
use crate::cli::ChangepointsArgs;
use crate::shown::{amounts, p_value, results, rounded, series, signed, time, unexpected};

/// Asks the server and prints its answer.
pub fn run(args: &ChangepointsArgs) -> anyhow::Result<()> {
    let mut form = vec![("query", args.expr.clone())];
    form.extend(window_form(&args.window)?);
    form.extend(given([
        ("p_value", args.p_value.map(|p| p.to_string())),
        ("min_size", args.min_size.map(|n| n.to_string())),
        ("window_points", args.window_points.map(|n| n.to_string())),
    ]));
    show(&args.ask, "/api/v1/analytics/changepoints", &form, table)
}

/// The lines for people.
fn table(data: &Value) -> anyhow::Result<String> {
    let bad = || unexpected(data);
    let result = results(data)?;
    if result.is_empty() {
        return Ok("no series\n".to_owned());
    }
    let mut out = String::new();
    for s in result {
        let name = series(&s["metric"]);
        let metric = s["metric"]["__name__"].as_str().unwrap_or_default();
        let cps = s["change_points"].as_array().ok_or_else(bad)?;
        if cps.is_empty() {
            out.push_str(&format!("{name}: no change points in {} points\n", s["points"]));
        }
        for cp in cps {
            let at = cp["time"].as_f64().ok_or_else(bad)?;
            let (before, after) = amounts(metric, cp["mean_before"].as_f64().ok_or_else(bad)?, cp["mean_after"].as_f64().ok_or_else(bad)?);
            let change = match cp["change_percent"].as_f64() {
                Some(pct) => format!("{} %", signed(rounded(pct, 3))),
                None => cp["direction"].as_str().unwrap_or_default().to_owned(),
            };
            out.push_str(&format!(
                "{name}: {change} at {} (p = {}), {} → {}\n",
                time(at),
                p_value(cp["p_value"].as_f64().unwrap_or(f64::NAN)),
                before,
                after,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_per_change_point() {
        let data: Value = serde_json::from_str(
            r#"{"result":[
                {"metric":{"__name__":"latency_seconds","job":"bench"},"points":300,"change_points":[
                    {"time":1700010800,"p_value":2.1e-60,"mean_before":1.0,"mean_after":1.5,"change_percent":50.0,"direction":"up"}]},
                {"metric":{"__name__":"node_load1"},"points":12,"change_points":[]}]}"#,
        )
        .unwrap();
        assert_eq!(
            table(&data).unwrap(),
            "latency_seconds{job=\"bench\"}: +50 % at 2023-11-15T01:13:20.000Z (p = 2e-60), 1 s → 1.5 s\n\
             node_load1: no change points in 12 points\n"
        );
    }
}
