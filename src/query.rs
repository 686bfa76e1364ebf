//! `vitals query EXPR`: runs a PromQL query on a running Vitals over its HTTP API and prints
//! the answer as an aligned table, the server's JSON, or CSV.
//!
//! Instant queries (at `--time`, default now) or, with `--range`, range queries from
//! `--start` (default an hour before the end) to `--end` (default now) every `--step`
//! (default: the range over 250, in whole seconds, at least 1 s). Times are Unix seconds,
//! RFC 3339, or `now`. Errors the server reports are printed as `vitals query: <errorType>:
//! <error>`; every failure exits with status 1.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::bail;
use serde_json::Value;

use crate::cli::{QueryArgs, QueryFormat};
use crate::client::{parse_time, seconds, show_time, Client};
use crate::shown::{csv_field, print_body, results, series, table, unexpected, Align};

/// Points a range query aims at when `--step` is not given.
const TARGET_POINTS: u64 = 250;

/// Runs the query and prints the answer; on failure prints `vitals query: <reason>`.
pub fn run(args: QueryArgs) -> ExitCode {
    match query(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vitals query: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn query(args: &QueryArgs) -> anyhow::Result<()> {
    let client = Client::new(args.url.as_deref(), args.config.as_deref())?;
    let now = vitals_store::wall_clock_ms();
    let (path, mut form) = if args.range {
        let end = args.end.as_deref().map_or(Ok(now), |t| parse_time("--end", t, now))?;
        let start = args.start.as_deref().map_or(Ok(end.saturating_sub(3_600_000)), |t| parse_time("--start", t, now))?;
        if end < start {
            bail!("--end ({}) is before --start ({})", show_time(end), show_time(start));
        }
        let step = match &args.step {
            Some(step) => step.clone(),
            None => format!("{}s", (end.saturating_sub(start).unsigned_abs() / 1000).div_ceil(TARGET_POINTS).max(1)),
        };
        ("/api/v1/query_range", vec![("start", seconds(start)), ("end", seconds(end)), ("step", step)])
    } else {
        if args.start.is_some() || args.end.is_some() || args.step.is_some() {
            bail!("--start, --end and --step need --range (for an instant query, give --time)");
        }
        let time = args.time.as_deref().map_or(Ok(now), |t| parse_time("--time", t, now))?;
        ("/api/v1/query", vec![("time", seconds(time))])
    };
    form.insert(0, ("query", args.expr.clone()));
    let (answer, body) = client.post_json(path, &form)?;
    for kind in ["warnings", "infos"] {
        for note in answer[kind].as_array().into_iter().flatten() {
            eprintln!("vitals query: {}: {}", kind.trim_end_matches('s'), note.as_str().unwrap_or_default());
        }
    }
    match args.format {
        QueryFormat::Json => print_body(&body),
        QueryFormat::Table => print!("{}", aligned(&rows(&answer["data"])?)),
        QueryFormat::Csv => print!("{}", csv(&rows(&answer["data"])?)),
    }
    Ok(())
}

/// One printed row: the series (empty for scalars and strings), its time in ms and value.
struct Row {
    series: String,
    t: i64,
    value: String,
}

/// The rows of a query's `data`: one per series of a vector, one per point of a matrix.
fn rows(data: &Value) -> anyhow::Result<Vec<Row>> {
    let result = &data["result"];
    let bad = || unexpected(data);
    let mut rows = Vec::new();
    match data["resultType"].as_str().ok_or_else(bad)? {
        "scalar" | "string" => rows.push(point(String::new(), result).ok_or_else(bad)?),
        "vector" => {
            for s in results(data)? {
                rows.push(point(series(&s["metric"]), &s["value"]).ok_or_else(bad)?);
            }
        }
        "matrix" => {
            for s in results(data)? {
                let name = series(&s["metric"]);
                for p in s["values"].as_array().ok_or_else(bad)? {
                    rows.push(point(name.clone(), p).ok_or_else(bad)?);
                }
            }
        }
        _ => return Err(bad()),
    }
    Ok(rows)
}

/// `[<seconds>, "<value>"]` as a row.
fn point(series: String, pair: &Value) -> Option<Row> {
    let t = (pair.get(0)?.as_f64()? * 1000.0).round() as i64;
    Some(Row { series, t, value: pair.get(1)?.as_str()?.to_owned() })
}

/// Aligned columns SERIES, TIME, VALUE (no SERIES for scalars and strings).
fn aligned(rows: &[Row]) -> String {
    let with_series = rows.iter().any(|r| !r.series.is_empty());
    let cells = |series: &str, time: String, value: &str| {
        let mut row = if with_series { vec![series.to_owned()] } else { Vec::new() };
        row.extend([time, value.to_owned()]);
        row
    };
    let header = cells("SERIES", "TIME".to_owned(), "VALUE");
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = rows.iter().map(|r| cells(&r.series, show_time(r.t), &r.value)).collect();
    table(&header, &rows, Align::Left)
}

/// `series,time,value` with times as Unix seconds; fields quoted as RFC 4180 asks.
fn csv(rows: &[Row]) -> String {
    let mut out = String::from("series,time,value\n");
    for r in rows {
        let _ = writeln!(out, "{},{},{}", csv_field(&r.series), seconds(r.t), r.value);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn vectors_as_aligned_rows_and_csv() {
        let data = json!({"resultType": "vector", "result": [
            {"metric": {"__name__": "up", "job": "a\"b", "instance": "x,y"}, "value": [1700000000, "1"]},
            {"metric": {}, "value": [1700000000.5, "NaN"]},
        ]});
        let rows = rows(&data).unwrap();
        assert_eq!(
            aligned(&rows),
            "SERIES                         TIME                      VALUE\n\
             up{instance=\"x,y\",job=\"a\\\"b\"}  2023-11-14T22:13:20.000Z  1\n\
             {}                             2023-11-14T22:13:20.500Z  NaN\n"
        );
        assert_eq!(
            csv(&rows),
            "series,time,value\n\"up{instance=\"\"x,y\"\",job=\"\"a\\\"\"b\"\"}\",1700000000.000,1\n{},1700000000.500,NaN\n"
        );
    }

    #[test]
    fn matrices_give_a_row_per_point_and_scalars_no_series() {
        let data = json!({"resultType": "matrix", "result": [{"metric": {"__name__": "up"}, "values": [[1, "1"], [2, "0"]]}]});
        assert_eq!(
            aligned(&rows(&data).unwrap()),
            "SERIES  TIME                      VALUE\nup      1970-01-01T00:00:01.000Z  1\nup      1970-01-01T00:00:02.000Z  0\n"
        );
        let data = json!({"resultType": "scalar", "result": [1, "2"]});
        assert_eq!(aligned(&rows(&data).unwrap()), "TIME                      VALUE\n1970-01-01T00:00:01.000Z  2\n");
        assert!(rows(&json!({"resultType": "vector", "result": 3})).is_err());
    }
}
