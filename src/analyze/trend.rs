//! `vitals analyze trend EXPR`: whether the series rise or fall and how fast, asking a
//! running Vitals (`/api/v1/analytics/trend`). One line per series:
//! `disk_used_bytes{job="node"}: rising +1.44 MB/day (95 % interval +1.43 MB/day to +1.45 MB/day), p = 1e-40, tau 0.98`.

use serde_json::Value;

use super::form::{given, window_form};
use super::show;
use crate::cli::TrendArgs;
use crate::shown::{amount, p_value, results, series, signed, significant, unexpected};

/// Asks the server and prints its answer.
pub fn run(args: &TrendArgs) -> anyhow::Result<()> {
    let mut form = vec![("query", args.expr.clone())];
    form.extend(window_form(&args.window)?);
    form.extend(given([("alpha", args.alpha.map(|a| a.to_string()))]));
    show(&args.ask, "/api/v1/analytics/trend", &form, table)
}

/// The lines for people.
fn table(data: &Value) -> anyhow::Result<String> {
    let bad = || unexpected(data);
    let result = results(data)?;
    if result.is_empty() {
        return Ok("no series\n".to_owned());
    }
    let confidence = significant((1.0 - data["alpha"].as_f64().ok_or_else(bad)?) * 100.0);
    let mut out = String::new();
    for s in result {
        let name = series(&s["metric"]);
        if let Some(error) = s["error"].as_str() {
            out.push_str(&format!("{name}: {error}\n"));
            continue;
        }
        let metric = s["metric"]["__name__"].as_str().unwrap_or_default();
        let per_day = |v: &Value| v.as_f64().map(|x| format!("{}/day", signed(amount(metric, x)))).ok_or_else(bad);
        let verdict = match s["verdict"].as_str().ok_or_else(bad)? {
            "increasing" => "rising",
            "decreasing" => "falling",
            _ => "no trend",
        };
        out.push_str(&format!(
            "{name}: {verdict} {} ({confidence} % interval {} to {}), p = {}, tau {}\n",
            per_day(&s["slope_per_day"])?,
            per_day(&s["interval_per_day"][0])?,
            per_day(&s["interval_per_day"][1])?,
            p_value(s["mann_kendall"]["p_value"].as_f64().ok_or_else(bad)?),
            significant(s["mann_kendall"]["tau"].as_f64().ok_or_else(bad)?),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_per_series() {
        let data: Value = serde_json::from_str(
            r#"{"alpha":0.05,"result":[
                {"metric":{"__name__":"disk_used_bytes","job":"node"},"points":300,"slope_per_day":1440000.0,
                 "interval_per_day":[1430000.0,1450000.0],"mann_kendall":{"p_value":1.2e-40,"tau":0.981},"verdict":"increasing"},
                {"metric":{"__name__":"node_load1"},"points":300,"slope_per_day":-0.01,
                 "interval_per_day":[-0.2,0.15],"mann_kendall":{"p_value":0.71,"tau":-0.01},"verdict":"no trend"},
                {"metric":{"__name__":"up"},"points":2,"error":"a trend needs at least 3 points, got 2"}]}"#,
        )
        .unwrap();
        assert_eq!(
            table(&data).unwrap(),
            "disk_used_bytes{job=\"node\"}: rising +1.44 MB/day (95 % interval +1.43 MB/day to +1.45 MB/day), p = 1e-40, tau 0.981\n\
             node_load1: no trend -0.01/day (95 % interval -0.2/day to +0.15/day), p = 0.71, tau -0.01\n\
             up: a trend needs at least 3 points, got 2\n"
        );
    }
}
